import { afterEach, describe, expect, it } from 'vitest';
import { isHubError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { RuntimeManager } from '../src/runtime/manager.js';
import { FunctionPool } from '../src/runtime/pool.js';
import type { InvokeResult, RuntimeOptions } from '../src/runtime/types.js';
import { functionConfig, request, runtimeOptions } from './fixtures/handlers/function-config.js';
import { isRunning, tempDir } from './helpers/paths.js';

interface Slept {
  start: number;
  end: number;
  pid: number;
  label?: string;
}

const pools: Array<FunctionPool | RuntimeManager> = [];

function sleepPool(raw: Record<string, unknown> = {}, options: Partial<RuntimeOptions> = {}): FunctionPool {
  const pool = new FunctionPool(functionConfig('handlers.mjs', 'sleeps', raw), runtimeOptions(options), silentLogger());
  pools.push(pool);
  return pool;
}


function slept(result: InvokeResult): Slept {
  expect(result.status).toBe('success');
  return JSON.parse(result.payload!) as Slept;
}

function maxOverlap(spans: Slept[]): number {
  const edges = spans.flatMap((span) => [[span.start, 1], [span.end, -1]] as const);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let max = 0;
  for (const [, delta] of edges) max = Math.max(max, (running += delta));
  return max;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('FunctionPool concurrency and lifecycle', () => {
  it('never runs more invocations at once than the reserved concurrency', async () => {
    const pool = sleepPool({ reservedConcurrency: 2 });
    const pending = [1, 2, 3, 4].map(() => pool.invoke(request({ ms: 300 })));
    expect(pool.busy).toBe(2);
    const results = await Promise.all(pending);

    const spans = results.map(slept);
    expect(maxOverlap(spans)).toBeLessThanOrEqual(2);
    expect(new Set(results.map((r) => r.environmentId)).size).toBe(2);
    expect(new Set(spans.map((s) => s.pid)).size).toBe(2);
    expect(pool.size).toBe(2);
    expect(pool.busy).toBe(0);
  });

  it('quiesce: invocations waiting for an environment are refused (hub stopping), running ones finish, later ones do not wait', async () => {
    const pool = sleepPool({ reservedConcurrency: 1 });
    const running = pool.invoke(request({ ms: 400 }));
    const waiting = pool.invoke(request({ ms: 10 }));
    expect(pool.busy).toBe(1);
    pool.quiesce();
    const refused = await waiting.then(() => undefined, (err: unknown) => err);
    expect(isHubError(refused, 'TH_ERR_HUB_STOPPING')).toBe(true);
    // One that would wait is refused at once; the running one is untouched.
    const late = await pool.invoke(request({ ms: 10 })).then(() => undefined, (err: unknown) => err);
    expect(isHubError(late, 'TH_ERR_HUB_STOPPING')).toBe(true);
    expect(slept(await running).end).toBeGreaterThan(0);
    // An idle environment still takes an invocation that needs no wait.
    expect(slept(await pool.invoke(request({ ms: 10 }))).pid).toBeGreaterThan(0);
  });

  it('bounds environments by maxEnvironments without reserved concurrency, and treats 0 as 1', async () => {
    const pool = sleepPool({}, { maxEnvironments: 3 });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => pool.invoke(request({ ms: 200 }))));
    expect(maxOverlap(results.map(slept))).toBeLessThanOrEqual(3);
    expect(new Set(results.map((r) => r.environmentId)).size).toBe(3);

    const throttled = sleepPool({ reservedConcurrency: 0 });
    const one = await Promise.all([1, 2].map(() => throttled.invoke(request({ ms: 50 }))));
    expect(maxOverlap(one.map(slept))).toBe(1);
  });

  it('with scaleUpDelayMs, short invocations share warm environments instead of starting one each', async () => {
    const pool = sleepPool({}, { maxEnvironments: 8, scaleUpDelayMs: 500 });
    slept(await pool.invoke(request({ ms: 1 })));
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.invoke(request({ ms: 5 }))));
    results.forEach(slept);
    expect(pool.size).toBe(1);
  });

  it('with scaleUpDelayMs, long invocations still scale out to maxEnvironments', async () => {
    // Each invocation waits until all three run at once (at most 20 s): only a pool that scales out
    // to three environments lets them, however long the cold starts take on a loaded machine.
    const pool = new FunctionPool(functionConfig('handlers.mjs', 'gathers', { timeout: 30 }), runtimeOptions({ maxEnvironments: 3, scaleUpDelayMs: 20 }), silentLogger());
    pools.push(pool);
    const dir = tempDir('th-gather-');
    const spans = (await Promise.all(Array.from({ length: 3 }, () => pool.invoke(request({ dir, count: 3 }))))).map(slept);
    expect(new Set(spans.map((s) => s.pid)).size).toBe(3);
    expect(maxOverlap(spans)).toBe(3);
    expect(spans.every((s) => s.end - s.start < 20_000)).toBe(true);
  });

  it('a handler that computes gets at most cpuBoundEnvironments environments; one that waits scales out to maxEnvironments', async () => {
    const options = { maxEnvironments: 6, scaleUpDelayMs: 0, cpuBoundEnvironments: 2 };
    // A handler that returns at once: its environment's time goes to taking the event and sending
    // the result, all on CPU (a no-op is the extreme of a handler that computes).
    const computing = new FunctionPool(functionConfig('handlers.mjs', 'returnsUndefined'), runtimeOptions(options), silentLogger());
    pools.push(computing);
    // The environment reports the CPU it used from its second invocation on (a cold one compiles code).
    for (let i = 0; i < 2; i += 1) expect((await computing.invoke(request({}))).status).toBe('success');
    const busy = await Promise.all(Array.from({ length: 6 }, () => computing.invoke(request({}))));
    expect(busy.every((result) => result.status === 'success')).toBe(true);
    expect(new Set(busy.map((result) => result.environmentId)).size).toBe(2);
    expect(computing.size).toBe(2);

    const waiting = sleepPool({}, options);
    // Its first reported share may count V8's compiling after the cold invocation (a loaded
    // machine): a moving average, it comes down as the handler keeps waiting.
    for (let i = 0; i < 2 || (i < 50 && waiting.capacity < 6); i += 1) slept(await waiting.invoke(request({ ms: 5 })));
    expect(waiting.capacity).toBe(6);
    const asleep = (await Promise.all(Array.from({ length: 6 }, () => waiting.invoke(request({ ms: 300 }))))).map(slept);
    expect(new Set(asleep.map((span) => span.pid)).size).toBe(6);
  });

  it('serves waiting invocations in FIFO order', async () => {
    const pool = sleepPool({ reservedConcurrency: 1 });
    const labels = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(labels.map((label) => pool.invoke(request({ ms: 20, label }))));
    const spans = results.map(slept).sort((x, y) => x.start - y.start);
    expect(spans.map((span) => span.label)).toEqual(labels);
  });

  it('shuts idle environments down after idleTimeoutMs', async () => {
    const pool = sleepPool({}, { idleTimeoutMs: 300 });
    const { pid } = slept(await pool.invoke(request({ ms: 1 })));
    expect(pool.size).toBe(1);
    await expect.poll(() => pool.size, { timeout: 3000 }).toBe(0);
    await expect.poll(() => isRunning(pid), { timeout: 3000 }).toBe(false);

    const cold = await pool.invoke(request({ ms: 1 }));
    expect(cold.initDurationMs).toBeGreaterThan(0);
  });

  it('close() waits for running invocations, refuses new ones, kills children and is idempotent', async () => {
    const pool = sleepPool({ reservedConcurrency: 1 });
    const running = pool.invoke(request({ ms: 300 }));
    const queued = pool.invoke(request({ ms: 1 }));
    await expect.poll(() => pool.size).toBe(1);

    const closing = pool.close();
    expect(pool.close()).toBe(closing);
    await expect(queued).rejects.toThrow('pool closed');
    await expect(pool.invoke(request())).rejects.toThrow('pool closed');
    const { pid } = slept(await running);
    await closing;

    expect(isRunning(pid)).toBe(false);
    expect(pool.size).toBe(0);
    expect(pool.busy).toBe(0);
  });
});

describe('FunctionPool retire (hot reload)', () => {
  it('lets a running invocation finish in its environment, stops idle ones, and starts fresh ones afterwards', async () => {
    const pool = sleepPool({}, { scaleUpDelayMs: 0 });
    const warm = (await Promise.all([pool.invoke(request({ ms: 100 })), pool.invoke(request({ ms: 100 }))])).map((r) => slept(r).pid);
    expect(new Set(warm).size).toBe(2);
    const running = pool.invoke(request({ ms: 500 }));
    await expect.poll(() => pool.busy).toBe(1);
    pool.retire();
    // The idle one stops now; the busy one runs on.
    await expect.poll(() => warm.filter(isRunning).length).toBe(1);
    const after = slept(await pool.invoke(request({ ms: 1 })));
    expect(warm).not.toContain(after.pid);
    const before = slept(await running);
    expect(warm).toContain(before.pid);
    await expect.poll(() => isRunning(before.pid)).toBe(false);
    expect(pool.size).toBe(1);
  });
});

describe('RuntimeManager', () => {
  it('keeps one pool per function, rejects unknown names with a HubError, and closes every pool', async () => {
    const fast = functionConfig('handlers.mjs', 'sleeps');
    const counter = functionConfig('handlers.mjs', 'counter');
    const manager = new RuntimeManager([fast, counter], runtimeOptions(), silentLogger());
    pools.push(manager);

    expect(manager.pool(fast.name)).toBe(manager.pool(fast.name));
    expect(() => manager.pool('nope')).toThrow(expect.objectContaining({ code: 'TH_ERR_FUNCTION_NOT_FOUND' }));
    let thrown: unknown;
    try {
      manager.pool('nope');
    } catch (err) {
      thrown = err;
    }
    expect(isHubError(thrown, 'TH_ERR_FUNCTION_NOT_FOUND')).toBe(true);

    const { pid } = slept(await manager.pool(fast.name).invoke(request({ ms: 1 })));
    expect((await manager.pool(counter.name).invoke(request())).status).toBe('success');
    await manager.close();
    await manager.close();
    expect(isRunning(pid)).toBe(false);
    expect(manager.pool(counter.name).size).toBe(0);
    await expect(manager.pool(counter.name).invoke(request())).rejects.toThrow('pool closed');
  });
});
