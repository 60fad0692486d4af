import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { DlqStore } from '../src/dlq/store.js';
import { embeddedRedisDir } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { redisClient } from '../src/redis/connection.js';
import { EmbeddedRedis } from '../src/redis/embedded.js';
import { spawnCli } from './helpers/cli.js';
import { waitFor } from './helpers/hub.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

/** Ctrl-C of CLI commands that, with no hub running, start an embedded redis-server of their own. */
describe('CLI commands interrupted (no hub running: the command starts its own redis-server)', { timeout: 60_000 }, () => {
  const dir = tempDir('th-cli-interrupt-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  writeFileSync(configPath, [
    'queuePrefix: interrupt',
    `dataDir: ${path.join(dir, 'data')}`,
    'functions:',
    `  echo: { handler: ${path.join(FIXTURES, 'echo.handler')} }`,
  ].join('\n'));
  const config = loadConfigFile(configPath);
  const stateFile = path.join(embeddedRedisDir(config), 'triggerhub-redis.json');

  /** Runs the CLI until `ready` holds for its stdout, sends SIGINT, and resolves with its exit. */
  const interrupted = async (args: string[], ready: (stdout: string) => boolean) => {
    const child = spawnCli(['--config', configPath, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    await waitFor(() => ready(stdout), 30_000, `output of ${args.join(' ')}`);
    child.kill('SIGINT');
    return { ...(await exited), stdout, stderr };
  };

  it('dlq redrive --all stops between records, says how many went, exits 130 and stops the redis-server it started', async () => {
    const server = new EmbeddedRedis({ dir: embeddedRedisDir(config), appendfsync: 'always', logger: silentLogger() });
    const redis = redisClient(await server.start());
    const dlq = new DlqStore(redis, config.queuePrefix);
    for (let i = 0; i < 5; i += 1) {
      const id = `record-${i}`;
      await dlq.add({
        id, function: 'echo', source: 'triggerhub:invoke', reason: 'RetriesExhausted', failedAt: new Date().toISOString(),
        envelope: { specversion: '1.0', id, source: 'triggerhub:invoke', type: 'aws.lambda.invoke', time: new Date().toISOString(), datacontenttype: 'application/json', data: { i } },
        delivery: { invocationType: 'Event', firstSeenAt: Date.now(), redrives: 0 },
        attempts: [],
      });
    }
    redis.disconnect();
    await server.stop();

    const run = await interrupted(['dlq', 'redrive', '--all', '--rate', '1'], (stdout) => stdout.includes(' -> echo'));
    expect(run, run.stderr).toMatchObject({ code: 130, signal: null });
    expect(run.stdout).toMatch(/redriven: [12]\n/);
    expect(run.stderr).toContain('interrupted (SIGINT)');
    expect(existsSync(stateFile)).toBe(false);

    // The records not redriven are still there (this start is the CLI's own server again, stopped after).
    const left = await interrupted(['dlq', 'list', '--json'], (stdout) => stdout.trim().endsWith(']'));
    const redriven = Number(/redriven: (\d)/.exec(run.stdout)![1]);
    expect(JSON.parse(left.stdout)).toHaveLength(5 - redriven);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('status --watch exits 0 on SIGINT and stops the redis-server it started', async () => {
    const run = await interrupted(['status', '--watch', '0.2', '--json'], (stdout) => stdout.includes('\n'));
    expect(run, run.stderr).toMatchObject({ code: 0, signal: null });
    expect(run.stderr).toBe('');
    expect(existsSync(stateFile)).toBe(false);
  });
});
