import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, waitFor } from './helpers/hub.js';
import { isRunning } from './helpers/paths.js';
import { redisPid, UpProcess } from './helpers/up-process.js';

function project(options: { shutdownTimeoutSeconds: number }): { dir: string; calls: string } {
  const dir = tempDir('th-ctrl-c-');
  const calls = path.join(dir, 'calls.log');
  writeFileSync(calls, '');
  writeFileSync(path.join(dir, 'triggerhub.yaml'), JSON.stringify({
    server: { port: 0 },
    shutdownTimeoutSeconds: options.shutdownTimeoutSeconds,
    lockDurationSeconds: 2,
    functions: { marked: { handler: path.join(FIXTURES, 'marked.handler'), timeout: 60, environment: { CALLS_FILE: calls } } },
  }));
  return { dir, calls };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const invokeAsync = (url: string, event: unknown) =>
  fetch(`${url}/2015-03-31/functions/marked/invocations`, { method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify(event) });

describe('Ctrl-C of triggerhub up (SIGINT to the whole process group)', { timeout: 120_000 }, () => {
  afterEach((context) => {
    if (context.task.result?.state === 'fail') for (const hub of UpProcess.started) hub.kill();
    UpProcess.started.clear();
  });

  it('lets the in-flight invocation finish, stops redis-server and environments itself, exits 0 with no error lines', async () => {
    const { dir, calls } = project({ shutdownTimeoutSeconds: 30 });
    const hub = new UpProcess(dir);
    const url = await hub.url();
    const redis = redisPid(dir);
    expect((await invokeAsync(url, { ms: 2500 })).status).toBe(202);
    await waitFor(() => lines(calls).length === 1, 15_000, 'the handler to start');

    hub.ctrlC();
    expect(await hub.exited).toBe(0);
    const [start, end] = lines(calls);
    expect(lines(calls)).toHaveLength(2);
    expect(end).toBe(start.replace('start', 'end'));
    expect(hub.problems()).toEqual([]);
    const events = hub.events().map((e) => e.event);
    expect(events).toContain('hub_stopping');
    expect(events).toContain('redis_stopped');
    expect(events).not.toContain('drain_deadline');
    expect(events).not.toContain('environment_exited');
    expect(hub.output).not.toContain('[ioredis]');
    expect(isRunning(redis.pid)).toBe(false);
    for (const pid of hub.environmentPids()) expect(isRunning(pid)).toBe(false);

    // Completed for good: after a restart (same data dir: the AOF is replayed) nothing waits to be retried.
    const again = new UpProcess(dir);
    await again.url();
    const queue = new Queue('fn-marked', { connection: { port: redisPid(dir).port, host: '127.0.0.1' }, prefix: 'triggerhub' });
    try {
      expect(await queue.getJobCounts('active', 'wait', 'delayed', 'failed', 'prioritized', 'paused')).toEqual({ active: 0, wait: 0, delayed: 0, failed: 0, prioritized: 0, paused: 0 });
    } finally {
      await queue.close();
    }
    again.ctrlC();
    expect(await again.exited).toBe(0);
    expect(lines(calls)).toHaveLength(2);
  });

  it('a second Ctrl-C stops at once (logged); the interrupted event runs again after a restart', async () => {
    const { dir, calls } = project({ shutdownTimeoutSeconds: 120 });
    const hub = new UpProcess(dir);
    const url = await hub.url();
    const redis = redisPid(dir);
    expect((await invokeAsync(url, { ms: 4000 })).status).toBe(202);
    await waitFor(() => lines(calls).length === 1, 15_000, 'the handler to start');

    hub.ctrlC();
    await waitFor(() => hub.output.includes('"event":"hub_stopping"'), 10_000, 'hub_stopping');
    hub.ctrlC();
    expect(await hub.exited).toBe(130);
    expect(hub.events().find((e) => e.event === 'hub_stop_forced')?.msg).toContain('stopping at once');
    await waitFor(() => !isRunning(redis.pid), 30_000, 'redis-server to exit');
    for (const pid of hub.environmentPids()) await waitFor(() => !isRunning(pid), 30_000, `environment ${pid} to exit`);
    expect(lines(calls)).toEqual([expect.stringMatching(/^start /)]);

    const again = new UpProcess(dir);
    await again.url();
    await waitFor(() => lines(calls).filter((line) => line.startsWith('start')).length === 2, 30_000, 'the interrupted event to run again');
    again.ctrlC();
    expect(await again.exited).toBe(0);
    expect(lines(calls).filter((line) => line.startsWith('end'))).toHaveLength(1);
  });

  it('after a kill -9 of the hub its environments exit, and the next start adopts its redis-server', async () => {
    const { dir } = project({ shutdownTimeoutSeconds: 10 });
    const hub = new UpProcess(dir);
    const url = await hub.url();
    const redis = redisPid(dir);
    const response = await fetch(`${url}/2015-03-31/functions/marked/invocations`, { method: 'POST', body: '{"ms":1}' });
    expect(response.status).toBe(200);
    // stdout lines are coalesced (up to 100 ms): wait for the environment_start line.
    const environment = await waitFor(() => hub.environmentPids()[0], 10_000, 'the environment_start line');
    expect(isRunning(environment)).toBe(true);

    hub.child.kill('SIGKILL');
    await hub.exited;
    await waitFor(() => !isRunning(environment), 30_000, 'the orphaned environment to exit');
    expect(isRunning(redis.pid)).toBe(true);

    const again = new UpProcess(dir);
    await again.url();
    expect(again.events().map((e) => e.event)).toContain('redis_adopted');
    again.ctrlC();
    expect(await again.exited).toBe(0);
    await waitFor(() => !isRunning(redis.pid), 30_000, 'redis-server to exit');
  });
});
