import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from './helpers/cli.js';
import { FIXTURES, tempDir } from './helpers/paths.js';
import { readLines, waitFor } from './helpers/hub.js';

/**
 * The hub runs as a real process (`triggerhub up`) on its embedded redis-server; it is killed
 * with SIGKILL while async events are queued and running, then started again on the same data.
 */
describe('crash recovery with the embedded redis', () => {
  const hubs: ChildProcess[] = [];
  afterEach(async () => {
    for (const hub of hubs.splice(0)) {
      if (hub.exitCode === null && hub.signalCode === null) {
        const exited = new Promise((resolve) => hub.once('exit', resolve));
        hub.kill('SIGTERM');
        await exited;
      }
    }
  });

  function setup(appendfsync: string) {
    const dir = tempDir('th-crash-');
    const calls = path.join(dir, 'calls.log');
    const configPath = path.join(dir, 'triggerhub.yaml');
    writeFileSync(configPath, [
      'server: { port: 0, host: 127.0.0.1 }',
      `embeddedRedis: { appendfsync: ${appendfsync} }`,
      'lockDurationSeconds: 2',
      'shutdownTimeoutSeconds: 5',
      'runtime: { maxEnvironments: 4 }',
      'functions:',
      '  slow:',
      `    handler: ${path.join(FIXTURES, 'slow.handler')}`,
      '    timeout: 10',
      `    environment: { CALLS_FILE: ${calls} }`,
    ].join('\n'));
    return { dir, calls, configPath, stateFile: path.join(dir, '.triggerhub/hub.json'), redisState: path.join(dir, '.triggerhub/redis/triggerhub-redis.json') };
  }

  async function startHub(configPath: string, stateFile: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
    if (existsSync(stateFile)) writeFileSync(stateFile, '');
    const child = spawnCli(['--config', configPath, 'up']);
    hubs.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
    const url = await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`hub exited early:\n${output}`);
      try { return (JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string }).url; } catch { return undefined; }
    }, 20_000, 'hub start');
    return { child, url, output: () => output };
  }

  async function queueEvents(url: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const response = await fetch(`${url}/2015-03-31/functions/slow/invocations`, {
        method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify({ i, ms: 300 }),
      });
      expect(response.status).toBe(202);
    }
  }

  const seen = (calls: string) => new Set(readLines(calls).map((line) => (JSON.parse(line) as { i: number }).i));

  it('runs every queued event after the hub is killed with SIGKILL and restarted', async () => {
    const { calls, configPath, stateFile, redisState } = setup('everysec');
    const first = await startHub(configPath, stateFile);
    await queueEvents(first.url, 20);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(seen(calls).size).toBeLessThan(20);

    const second = await startHub(configPath, stateFile);
    // stdout lines reach the pipe within 100 ms (coalesced writes), not necessarily before hub.json.
    await waitFor(() => second.output().includes('redis_adopted'), 5_000, 'the redis_adopted line');
    await waitFor(() => seen(calls).size === 20, 30_000, 'all 20 events');

    const exited = new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(redisState)).toBe(false);
  });

  it('replays the append-only file when the embedded redis-server died too', async () => {
    const { calls, configPath, stateFile, redisState } = setup('always');
    const first = await startHub(configPath, stateFile);
    await queueEvents(first.url, 12);
    const redisPid = (JSON.parse(readFileSync(redisState, 'utf8')) as { pid: number }).pid;
    first.child.kill('SIGKILL');
    process.kill(redisPid, 'SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await startHub(configPath, stateFile);
    await waitFor(() => second.output().includes('redis_started'), 5_000, 'the redis_started line');
    await waitFor(() => seen(calls).size === 12, 30_000, 'all 12 events');
  });

  it('starts its embedded redis-server again when it dies under the running hub, and runs every queued event', { timeout: 90_000 }, async () => {
    const { calls, configPath, stateFile, redisState } = setup('always');
    const hub = await startHub(configPath, stateFile);
    await queueEvents(hub.url, 12);
    const redisPid = (JSON.parse(readFileSync(redisState, 'utf8')) as { pid: number }).pid;
    process.kill(redisPid, 'SIGKILL');
    await waitFor(() => hub.output().includes('"event":"redis_restarted"'), 15_000, 'the redis_restarted line');
    await waitFor(async () => (await fetch(`${hub.url}/healthz`)).status === 200, 15_000, 'healthz 200 again');
    await queueEvents(hub.url, 1); // its i is 0 again: a 13th call
    await waitFor(() => seen(calls).size === 12 && readLines(calls).length >= 13, 30_000, 'all 13 events');
    expect(hub.child.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => hub.child.once('exit', resolve));
    hub.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(redisState)).toBe(false);
  });

  it('stops on SIGTERM within its deadline and grace when its redis-server is gone and cannot come back', { timeout: 90_000 }, async () => {
    const { configPath, stateFile, redisState } = setup('always');
    const hub = await startHub(configPath, stateFile);
    const { pid, port } = JSON.parse(readFileSync(redisState, 'utf8')) as { pid: number; port: number };
    process.kill(pid, 'SIGKILL');
    await waitFor(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 5_000, 'the server gone');
    // Something else takes its port (before the hub's second is up): it cannot be started again there.
    const squatter = createServer();
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(port, '127.0.0.1', resolve));
    try {
      await waitFor(() => hub.output().includes('"event":"redis_restart_failed"'), 15_000, 'a failed restart');
      const exited = new Promise<number | null>((resolve) => hub.child.once('exit', resolve));
      const started = Date.now();
      hub.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // shutdownTimeoutSeconds (5) + 5 s of grace + half a second per step left waiting on Redis.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      squatter.close();
    }
  });
});
