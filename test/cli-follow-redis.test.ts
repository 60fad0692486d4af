import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { spawnCli, stopChild } from './helpers/cli.js';
import { waitFor } from './helpers/hub.js';
import { FIXTURES, tempDir } from './helpers/paths.js';
import { TestRedis } from './helpers/test-redis.js';

/** A spawned CLI command that runs until interrupted, with what it printed so far. */
function watch(args: string[]): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawnCli(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return { child, out: () => stdout, err: () => stderr, exited: new Promise((resolve) => child.on('close', resolve)) };
}

describe('`logs --follow` and `status --watch` across a Redis restart', { timeout: 90_000 }, () => {
  const dir = tempDir('th-cli-follow-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  let redis: TestRedis;
  let hub: Hub;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await TestRedis.create(dir);
    await redis.start();
    writeFileSync(configPath, [
      `redis: ${redis.url}`, `queuePrefix: follow-${randomUUID().slice(0, 8)}`, 'server: { port: 0 }',
      'functions:', `  chatty: { handler: ${path.join(FIXTURES, 'chatty.handler')} }`,
    ].join('\n'));
    hub = await startHub(loadConfigFile(configPath), { logger: silentLogger() });
  });
  afterAll(async () => {
    for (const child of running) await stopChild(child);
    await redis?.start().catch(() => undefined);
    await hub?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const invoke = (tag: string) => fetch(`${hub.url}/2015-03-31/functions/chatty/invocations`, { method: 'POST', body: JSON.stringify({ tag }) });

  it('wait for Redis to come back instead of exiting, say so once each way, and carry on without repeating a line', async () => {
    const follow = watch(['--config', configPath, 'logs', 'chatty', '--follow']);
    const status = watch(['--config', configPath, 'status', '--watch', '0.5', '--json']);
    running.push(follow.child, status.child);
    await waitFor(() => status.out().includes('"functions"'), 20_000, 'a first status report');
    // The follower reads only what is written once it runs: invoke until a line shows. Each
    // invocation's line is its own (two in one millisecond would otherwise print the same text).
    let sent = 0;
    await waitFor(async () => { await invoke(`before ${sent += 1}`); return follow.out().includes('line 1 of 1 before'); }, 20_000, 'a followed line');
    await redis.stop();
    await waitFor(() => follow.err().includes('redis unavailable') && status.err().includes('redis unavailable'), 20_000, 'both saying Redis is away');
    await redis.start();
    await waitFor(() => follow.err().includes('redis available again') && status.err().includes('redis available again'), 30_000, 'both saying Redis is back');
    const reports = status.out().split('\n').length;
    expect((await invoke('after')).status).toBe(200);
    await waitFor(() => follow.out().includes('line 1 of 1 after'), 20_000, 'a line written after the restart');
    await waitFor(() => status.out().split('\n').length > reports, 20_000, 'a status report after the restart');
    expect(follow.err().match(/redis unavailable/g)).toHaveLength(1);
    const befores = follow.out().split('\n').filter((line) => line.includes('line 1 of 1 before'));
    expect(new Set(befores).size).toBe(befores.length);
    for (const { child, exited } of [follow, status]) {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
