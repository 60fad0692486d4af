import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../src/log.js';
import { checkRedis } from '../src/redis/connection.js';
import { EmbeddedRedis } from '../src/redis/embedded.js';
import { freePort } from '../src/ports.js';
import { waitFor } from './helpers/hub.js';
import { REPO_ROOT, tempDir } from './helpers/paths.js';

describe('embedded redis-server', () => {
  it('names the Debian package when redis-server is missing', async () => {
    const embedded = new EmbeddedRedis({ dir: tempDir(), appendfsync: 'everysec', logger: silentLogger(), binary: 'redis-server-not-installed' });
    await expect(embedded.start()).rejects.toMatchObject({
      code: 'TH_ERR_REDIS_NOT_INSTALLED',
      message: expect.stringContaining('apt-get install redis-server'),
    });
  });

  it('runs with AOF and noeviction, is adopted by a later start on the same directory, and stops', async () => {
    const dir = tempDir();
    const first = new EmbeddedRedis({ dir, appendfsync: 'everysec', logger: silentLogger() });
    const url = await first.start();
    const client = new Redis(url);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    await client.set('kept', 'yes');
    client.disconnect();

    // A second start while the first server still runs (as after `kill -9` of the hub) adopts it.
    const second = new EmbeddedRedis({ dir, appendfsync: 'everysec', logger: silentLogger() });
    expect(await second.start()).toBe(url);
    expect(second.adopted).toBe(true);
    await second.stop();
    expect(existsSync(path.join(dir, 'triggerhub-redis.json'))).toBe(false);

    // A fresh server replays the append-only file.
    const third = new EmbeddedRedis({ dir, appendfsync: 'everysec', logger: silentLogger() });
    const again = new Redis(await third.start());
    expect(await again.get('kept')).toBe('yes');
    again.disconnect();
    await third.stop();
    await first.stop();
  });

  it('a hub killed while its redis-server starts leaves a server the next start adopts, not a second server on the directory', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'spawned');
    // redis-server, but a moment late to be ready (exec keeps the pid the hub recorded); it ignores
    // SIGPIPE from the start, as redis-server does once running, so its dead hub's pipe does not end it.
    const slow = path.join(dir, 'slow-redis-server');
    writeFileSync(slow, `#!/bin/sh\ntrap '' PIPE\ntouch '${marker}'\nsleep 0.5\nexec redis-server "$@"\n`, { mode: 0o755 });
    const dataDir = path.join(dir, 'redis');
    const hub = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { EmbeddedRedis } from ${JSON.stringify(path.join(REPO_ROOT, 'src/redis/embedded.ts'))};
      import { silentLogger } from ${JSON.stringify(path.join(REPO_ROOT, 'src/log.ts'))};
      await new EmbeddedRedis({ dir: ${JSON.stringify(dataDir)}, appendfsync: 'everysec', logger: silentLogger(), binary: ${JSON.stringify(slow)} }).start();
      setInterval(() => undefined, 1000);
    `], { cwd: REPO_ROOT, stdio: 'ignore' });
    // redis-server renames its process and works in its --dir: the servers on this directory.
    const pids = (...args: string[]) => {
      try { return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); } catch { return []; }
    };
    const servers = () => pids('-x', 'redis-server').filter((pid) => { try { return readlinkSync(`/proc/${pid}/cwd`) === dataDir; } catch { return false; } });
    try {
      await waitFor(() => existsSync(marker), 20_000, 'the server spawned');
      hub.kill('SIGKILL');
      const next = new EmbeddedRedis({ dir: dataDir, appendfsync: 'everysec', logger: silentLogger() });
      await next.start();
      expect(next.adopted).toBe(true);
      expect(servers()).toHaveLength(1);
      await next.stop();
    } finally {
      hub.kill('SIGKILL');
      // Whatever is left on the directory, or still the wrapper (its path is this test's own).
      for (const pid of [...pids('-f', slow), ...servers()]) process.kill(pid, 'SIGKILL');
    }
  });

  it('supervised, a server that dies in use is started again on its port with its data (spawned or adopted), and not once stopped', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const logger = createLogger({ destination: new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } }) });
    const state = () => JSON.parse(readFileSync(path.join(dir, 'triggerhub-redis.json'), 'utf8')) as { pid: number; port: number };
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    const killAndWait = async (client: Redis) => {
      const killed = state().pid;
      process.kill(killed, 'SIGKILL');
      // The same client, reconnecting to the same port, finds the data again.
      await waitFor(async () => (existsSync(path.join(dir, 'triggerhub-redis.json')) && state().pid !== killed && (await client.get('kept')) === 'yes') || undefined, 15_000, 'the server started again');
    };
    const spawned = new EmbeddedRedis({ dir, appendfsync: 'always', logger, supervise: true });
    const url = await spawned.start();
    const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    try {
      await client.set('kept', 'yes');
      await killAndWait(client);
      expect(lines.join('')).toMatch(/"event":"redis_exited".*"event":"redis_restarted"/s);
      const last = state().pid;
      const exits = () => lines.filter((line) => line.includes('"event":"redis_exited"')).length;
      const exitsBefore = exits();
      await spawned.stop(); // resolves once the server has exited: a supervised one would have said so by then
      expect(alive(last)).toBe(false);
      expect(exits()).toBe(exitsBefore);
      expect(existsSync(path.join(dir, 'triggerhub-redis.json'))).toBe(false);

      // A server a supervised start adopts (as after a kill -9 of its hub) is watched by its pid.
      const plain = new EmbeddedRedis({ dir, appendfsync: 'always', logger: silentLogger() });
      expect(await plain.start()).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      const adopter = new EmbeddedRedis({ dir, appendfsync: 'always', logger, supervise: true });
      const adoptedUrl = await adopter.start();
      expect(adopter.adopted).toBe(true);
      const second = new Redis(adoptedUrl, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
      second.on('error', () => undefined);
      try {
        await killAndWait(second);
        const restarted = state().pid;
        const exitsBefore = exits();
        await adopter.stop();
        expect(alive(restarted)).toBe(false);
        expect(exits()).toBe(exitsBefore);
      } finally {
        second.disconnect();
        await plain.stop();
      }
    } finally {
      client.disconnect();
      await spawned.stop();
    }
  });
});

describe('configured redis', () => {
  it('warns when maxmemory-policy is not noeviction', async () => {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'pipe' });
    await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => { if (c.toString().includes('Ready to accept')) resolve(); }));
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    try {
      await checkRedis(`redis://127.0.0.1:${port}`, createLogger({ destination: sink }));
      expect(lines.join('')).toContain('"event":"redis_eviction_policy"');
      expect(lines.join('')).toContain('allkeys-lru');
      // Started without --appendonly yes: what a restart would lose is said too.
      expect(lines.join('')).toContain('"event":"redis_no_append_only"');
    } finally {
      child.kill();
    }
  });

  it('fails with a clear error when the configured redis is unreachable', async () => {
    const port = await freePort();
    await expect(checkRedis(`redis://127.0.0.1:${port}`, silentLogger())).rejects.toMatchObject({
      code: 'TH_ERR_REDIS_UNREACHABLE',
      message: expect.stringContaining(`cannot reach redis at redis://127.0.0.1:${port}`),
    });
  });
});
