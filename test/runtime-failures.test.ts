import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ISOLATIONS, type Isolation } from '../src/config/schema.js';
import { silentLogger } from '../src/log.js';
import { FunctionPool } from '../src/runtime/pool.js';
import type { InvokeResult } from '../src/runtime/types.js';
import { FIXTURES, functionConfig, request, runtimeOptions } from './fixtures/handlers/function-config.js';
import { isRunning } from './helpers/paths.js';

const pools: FunctionPool[] = [];

function poolFor(file: string, exportName: string, raw: Record<string, unknown> = {}, isolation: Isolation = 'process'): FunctionPool {
  const pool = new FunctionPool(functionConfig(file, exportName, raw), runtimeOptions({ isolation }), silentLogger());
  pools.push(pool);
  return pool;
}

/** Running and not a zombie (a killed orphan waits for init to reap it, which in a container may be never). */
function alive(pid: number): boolean {
  try {
    return isRunning(pid) && !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function pidOf(result: InvokeResult): number {
  return (JSON.parse(result.payload!) as { pid: number }).pid;
}

/** The memory fixtures return at once for `{ noop: true }`: the pool serves again, from a new environment. */
async function expectRecovers(pool: FunctionPool, failed: InvokeResult): Promise<void> {
  const next = await pool.invoke(request({ noop: true }));
  expect(next.status).toBe('success');
  expect(next.environmentId).not.toBe(failed.environmentId);
  expect(next.initDurationMs).toBeGreaterThan(0);
}

/** The invocation fails as Runtime.OutOfMemory, and the pool goes on in a new environment. */
async function expectOutOfMemory(pool: FunctionPool): Promise<void> {
  const req = request();
  const result = await pool.invoke(req);
  expect(result.status).toBe('out_of_memory');
  expect(result.error).toEqual({
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${req.requestId} Error: Runtime exited with error: signal: killed`,
  });
  expect(result.maxMemoryUsedMB).toBe(128);
  expect(result.logs).toMatch(/\tStatus: error\tError Type: Runtime\.OutOfMemory\n$/);
  await expectRecovers(pool, result);
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** Processes and worker threads fail alike; what only a process can do is in the next block. */
describe.each(ISOLATIONS)('FunctionPool environment failures with %s isolation', (isolation) => {
  it.each(['hangs', 'spins'])('times out a handler that %s and starts a fresh environment next time', async (exportName) => {
    const pool = poolFor('handlers.mjs', exportName, { timeout: 1 }, isolation);
    const req = request();
    const result = await pool.invoke(req);

    expect(result.status).toBe('timeout');
    expect(result.error).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${req.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(990); // timers may fire a fraction of a ms early
    expect(result.durationMs).toBeLessThan(1500);
    expect(result.logs).toMatch(/\tStatus: timeout\n$/);

    const next = await pool.invoke(req);
    expect(next.environmentId).not.toBe(result.environmentId);
    expect(next.initDurationMs).toBeGreaterThan(0);
  });

  it.each([
    ['grows the V8 heap past its limit', 'heap'],
    ['grows memory outside the heap (watchdog: RSS of a process, heap + external memory of a thread)', 'offHeap'],
  ])('reports out_of_memory when a handler %s, and keeps serving', async (_case, exportName) => {
    await expectOutOfMemory(poolFor('memory.mjs', exportName, { memorySize: 128, timeout: 10 }, isolation));
  });

  it('reports process.exit as exited with its status, keeping the output, and keeps serving', async () => {
    const pool = poolFor('handlers.mjs', 'exits', {}, isolation);
    const req = request({ code: 3 });
    const result = await pool.invoke(req);

    expect(result.status).toBe('exited');
    expect(result.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${req.requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect(result.logs).toContain('\tINFO\tabout to exit');
    expect(result.logs).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError\n$/);

    // A zero exit status is no error of the process: Lambda says only that no reason was given.
    const nextReq = request({ code: 0 });
    const next = await pool.invoke(nextReq);
    expect(next.status).toBe('exited');
    expect(next.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${nextReq.requestId} Error: Runtime exited without providing a reason`,
    });
    expect(next.environmentId).not.toBe(result.environmentId);
  });

  it('fails the invocation on an uncaught exception and recycles the environment', async () => {
    const pool = poolFor('handlers.mjs', 'uncaught', {}, isolation);
    const result = await pool.invoke(request());

    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'async boom' });
    expect(result.error!.trace![0]).toBe('TypeError: async boom');
    expect(result.error!.trace![1]).toMatch(/handlers\.mjs/);
    expect(result.logs).toContain('\tERROR\tUncaught Exception \t{"errorType":"TypeError"');
    expect(result.durationMs).toBeLessThan(1500);

    const next = await pool.invoke(request());
    expect(next.environmentId).not.toBe(result.environmentId);
  });

  it('fails the invocation on an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
    const pool = poolFor('handlers.mjs', 'unhandled', {}, isolation);
    const result = await pool.invoke(request());

    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody catches me',
    });
    expect(result.error!.trace![0]).toBe('Runtime.UnhandledPromiseRejection: Error: nobody catches me');
    expect(result.logs).toContain('\tERROR\tUnhandled Promise Rejection \t');
    expect(pool.size).toBe(0);
  });

  it('drops what handler code sends on the environment\'s channel, saying so once, and keeps serving; process.send is hidden, as on Lambda', async () => {
    const pool = poolFor('handlers.mjs', 'channelGarbage', {}, isolation);
    const result = await pool.invoke(request());
    expect(result.status).toBe('success');
    expect(JSON.parse(result.payload!)).toEqual({ send: 'undefined' });
    expect(result.logs.split('\n').filter((line) => line.includes('dropped a message'))).toEqual([
      "[triggerhub] dropped a message on the environment's channel that the runtime did not send",
    ]);
    const next = await pool.invoke(request());
    expect(next.status).toBe('success');
    expect(next.environmentId).toBe(result.environmentId);
  });
});

describe('FunctionPool environment failures of a process', () => {
  it('reports out_of_memory when a handler dies with V8\'s heap OOM message, and keeps serving', async () => {
    await expectOutOfMemory(poolFor('memory.mjs', 'fakeHeapOom', { memorySize: 128, timeout: 10 }));
  });

  it('kills what a handler started when its process exits on its own, as Lambda discards the sandbox', async () => {
    const result = await poolFor('handlers.mjs', 'forksThenExits').invoke(request());
    expect(result.status).toBe('exited');
    const pid = Number(/subprocess (\d+)/.exec(result.logs)![1]);
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it('ends an environment whose hub was killed (kill -9): the closed channel ends it, busy timers or not', async () => {
    const host = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'pool-host.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = await once(host.stdout!.setEncoding('utf8'), 'data') as [string];
      const pid = Number(line.trim());
      expect(alive(pid)).toBe(true);
      host.kill('SIGKILL');
      await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false);
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('kills the child process of a timed-out environment', async () => {
    const pool = poolFor('handlers.mjs', 'sleeps', { timeout: 1 });
    const warm = await pool.invoke(request({ ms: 1 }));
    const pid = pidOf(warm);
    const timedOut = await pool.invoke(request({ ms: 5000 }));
    expect(timedOut.status).toBe('timeout');
    await expect.poll(() => isRunning(pid)).toBe(false);
    expect(pool.size).toBe(0);
  });
});
