import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT, tempDir, waitFor } from './helpers/hub.js';
import { isRunning } from './helpers/paths.js';

/**
 * `triggerhub up` as a user runs it (bin/triggerhub.js, embedded redis-server), in a process group
 * of its own like a terminal's foreground job, so that `process.kill(-pid)` is Ctrl-C.
 */
class UpProcess {
  /** Every hub started, so a failed test leaves none behind (afterEach). */
  static readonly started = new Set<UpProcess>();
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(readonly dir: string) {
    this.child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/triggerhub.js'), '--config', path.join(dir, 'triggerhub.yaml'), 'up'], {
      cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRIGGERHUB_LOG_LEVEL: 'info' },
    });
    this.child.stdout!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    UpProcess.started.add(this);
  }

  /** After a failed test: the hub's process group and its redis-server (a session of its own), at once. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
    try { process.kill(redisPid(this.dir).pid, 'SIGKILL'); } catch { /* none started, or gone */ }
  }

  /** The URL the hub logs once it listens. */
  async url(): Promise<string> {
    const started = () => this.events().find((e) => e.event === 'hub_started') as { url?: string } | undefined;
    return waitFor(() => started()?.url, 30_000, 'hub start').catch((err: Error) => { throw new Error(`${err.message}\n${this.output}`); });
  }

  /** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
  ctrlC(): void {
    process.kill(-this.child.pid!, 'SIGINT');
  }

  events(): Array<{ level: number; event?: string; pid?: number; msg?: string }> {
    return this.output.split('\n').filter((line) => line.startsWith('{') && line.endsWith('}')).map((line) => JSON.parse(line));
  }

  environmentPids(): number[] {
    return this.events().filter((e) => e.event === 'environment_start').map((e) => e.pid!);
  }

  /** Lines that are not the hub's JSON log, or are at error level or above. */
  problems(): string[] {
    const lines = this.output.split('\n').filter(Boolean);
    return lines.filter((line) => !line.startsWith('{') || (JSON.parse(line) as { level: number }).level >= 50);
  }
}

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

const redisPid = (dir: string) => (JSON.parse(readFileSync(path.join(dir, '.triggerhub/redis/triggerhub-redis.json'), 'utf8')) as { pid: number; port: number });
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
