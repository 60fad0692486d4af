import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { FunctionPool } from '../src/runtime/pool.js';
import type { InvokeResult, ResponseSink, RuntimeOptions } from '../src/runtime/types.js';
import { functionConfig, request, runtimeOptions } from './fixtures/handlers/function-config.js';
import { tempDir } from './helpers/paths.js';

/**
 * A short function (its invocations take under 10 ms on average) whose environments are all busy
 * sends the next invocation to a busy environment at once; the environment starts it as soon as
 * it has sent the running one's result. The handler fixture `waitForNext` returns only once its
 * process has received that next invocation: it would hang (and time out) if nothing were queued.
 */
const pools: FunctionPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A pool of one environment, warmed up with quick invocations so the function counts as short. */
async function shortPool(exportName = 'handler', raw: Record<string, unknown> = {}, options: Partial<RuntimeOptions> = {}): Promise<FunctionPool> {
  const pool = new FunctionPool(functionConfig('queued.mjs', exportName, { timeout: 3, ...raw }), runtimeOptions({ maxEnvironments: 1, scaleUpDelayMs: 0, ...options }), silentLogger());
  pools.push(pool);
  await warm(pool);
  return pool;
}

/** Quick invocations until the function counts as short again (its moving average of durations under 10 ms). */
async function warm(pool: FunctionPool): Promise<void> {
  // A loaded machine may slow a few, and a timeout lifts the average: it comes down within a few dozen.
  for (let i = 0; i < 200 && !pool.short; i += 1) expect((await pool.invoke(request({ label: 'warm' }))).status).toBe('success');
  expect(pool.short).toBe(true);
}

type Extra = Parameters<typeof request>[1];

/** Invokes `first`, then, once its handler runs, `second` (`extra`: more of each request, a response stream). */
async function both(pool: FunctionPool, first: Record<string, unknown>, second: Record<string, unknown>, extra: { first?: Extra; second?: Extra } = {}): Promise<InvokeResult[]> {
  return after(pool, first, [second], extra);
}

/** Invokes `first`, then, once its handler runs, each of `next` at once (in one turn of the event loop). */
async function after(pool: FunctionPool, first: Record<string, unknown>, next: Record<string, unknown>[], extra: { first?: Extra; second?: Extra } = {}): Promise<InvokeResult[]> {
  const startedFile = path.join(tempDir('th-queued-'), 'started');
  const a = pool.invoke(request({ ...first, startedFile }, extra.first));
  await expect.poll(() => existsSync(startedFile), { timeout: 10_000, interval: 10 }).toBe(true);
  return Promise.all([a, ...next.map((event) => pool.invoke(request(event, extra.second)))]);
}

interface Body {
  label: string;
  pid: number;
  atStart?: number;
  /** Invocations its process had started, this one included. */
  seq: number;
  /** Messages its process had received on the hub's channel when it started. */
  messages: number;
}

function body(result: InvokeResult): Body {
  expect(result.status, JSON.stringify(result)).toBe('success');
  return JSON.parse(result.payload!) as Body;
}

describe('invocations queued in a busy environment', () => {
  it('are sent while another runs, start when it ends, with their own timeout, duration and logs', async () => {
    const pool = await shortPool('handler');
    // A waits for B's message, then runs 2 of its 3 s; B sleeps 1.5 s: 3.5 s after it was sent, it
    // must not time out (its timeout counts from its start), and its REPORT duration is its own.
    const [a, b] = await both(pool, { label: 'A', waitForNext: true, ms: 2000 }, { label: 'B', ms: 1500 });
    expect(body(a).label).toBe('A');
    expect(body(b).label).toBe('B');
    expect(body(b).pid).toBe(body(a).pid);
    expect(b.environmentId).toBe(a.environmentId);
    expect(b.durationMs).toBeGreaterThanOrEqual(1500);
    expect(b.durationMs).toBeLessThan(2500);
    expect(a.logs).toContain('ran A');
    expect(a.logs).not.toContain('ran B');
    expect(b.logs).toContain('ran B');
    expect(b.logs).not.toContain('ran A');
    expect(pool.busy).toBe(0);
  });

  it("take their duration from their own run, however late the hub reads the result before theirs", async () => {
    const pool = await shortPool('handler');
    const startedFile = path.join(tempDir('th-queued-'), 'started');
    const a = pool.invoke(request({ label: 'A', waitForNext: true, startedFile }));
    await expect.poll(() => existsSync(startedFile), { timeout: 10_000, interval: 10 }).toBe(true);
    const b = pool.invoke(request({ label: 'B', ms: 80 }));
    // The hub's thread busy while A's result comes in (B, sent on the next tick, has started by then):
    // counted from when the hub saw A end, B would have run about 20 of its 80 ms.
    setImmediate(() => { const until = performance.now() + 60; while (performance.now() < until); });
    const [first, second] = await Promise.all([a, b]);
    expect(second.environmentId).toBe(first.environmentId);
    expect(body(second).label).toBe('B');
    expect(second.durationMs).toBeGreaterThanOrEqual(79);
  });

  it("give the handler its whole timeout from its start (context.getRemainingTimeInMillis)", async () => {
    const remaining = await shortPool('remaining');
    // Without its own deadline, B (sent at once, started 1 s later) would see 2 s of its 3 s left.
    const [a, b] = await both(remaining, { label: 'A', ms: 1000 }, { label: 'B' });
    expect(body(a).atStart).toBeGreaterThan(2500);
    expect(body(b).atStart).toBeGreaterThan(2500);
    expect(b.environmentId).toBe(a.environmentId);
  });

  it('wait several in one environment, sent in one message, and run one at a time in the order sent', async () => {
    const pool = await shortPool('handler');
    const [a, ...rest] = await after(pool, { label: 'A', waitForNext: true }, ['B', 'C', 'D', 'E'].map((label) => ({ label, ms: 20 })));
    const first = body(a);
    const next = rest.map(body);
    expect(next.map((b) => b.label)).toEqual(['B', 'C', 'D', 'E']);
    expect(next.map((b) => b.seq)).toEqual([1, 2, 3, 4].map((i) => first.seq + i));
    expect(rest.every((r) => r.environmentId === a.environmentId)).toBe(true);
    // Posted in one turn, the four reached the process as one message.
    expect(next.map((b) => b.messages)).toEqual(Array(4).fill(first.messages + 1));
    for (const [i, r] of rest.entries()) {
      // The runtime's own measure of a 20 ms sleep (Node's timers may fire a fraction of a ms early by performance.now()).
      expect(r.durationMs).toBeGreaterThanOrEqual(19);
      expect(r.logs).toContain(`ran ${'BCDE'[i]}`);
      expect(r.logs).not.toContain(`ran ${'BCDE'[(i + 1) % 4]}`);
    }
    expect(pool.busy).toBe(0);
  });

  it('all run in another environment when the one they wait in ends first', async () => {
    const pool = await shortPool('handler', { timeout: 1 });
    const [a, ...rest] = await after(pool, { label: 'A', waitForNext: true, then: 'exit' }, ['B', 'C', 'D'].map((label) => ({ label })));
    expect(a.status).toBe('exited');
    expect(rest.map((r) => body(r).label)).toEqual(['B', 'C', 'D']);
    expect(rest.every((r) => r.environmentId !== a.environmentId)).toBe(true);
    expect(pool.busy).toBe(0);
  });

  it('do not keep the pool from starting another environment while it may', async () => {
    // Two environments at most, another started after 300 ms of waiting (scaleUpDelayMs).
    const pool = await shortPool('handler', {}, { maxEnvironments: 2, scaleUpDelayMs: 300 });
    // Its average duration well under 10 ms, so that X's 50 ms leave it short.
    for (let i = 0; i < 30; i += 1) body(await pool.invoke(request({ label: 'quick' })));
    const startedFile = path.join(tempDir('th-queued-'), 'started');
    const x = pool.invoke(request({ label: 'X', ms: 50, startedFile }));
    await expect.poll(() => existsSync(startedFile), { timeout: 10_000, interval: 10 }).toBe(true);
    // They wait for X's environment; when it frees, the first takes it and the others queue behind.
    const waiting = ['W1', 'W2', 'W3'].map((label) => pool.invoke(request({ label, ms: 800 })));
    const first = body(await x);
    // Three invocations held by one environment of two: Y waits 300 ms, then gets the second.
    const y = body(await pool.invoke(request({ label: 'Y' })));
    const held = (await Promise.all(waiting)).map(body);
    expect(held.every((w) => w.pid === first.pid)).toBe(true);
    expect(y.pid).not.toBe(first.pid);
    expect(pool.busy).toBe(0);
  });

  for (const [then, status] of [['exit', 'exited'], ['uncaught', 'error'], ['hang', 'timeout']] as const) {
    it(`run in another environment when the one they wait in ends first (${then})`, async () => {
      const pool = await shortPool('handler', { timeout: 1 });
      const [a, b] = await both(pool, { label: 'A', waitForNext: true, then }, { label: 'B' });
      expect(a.status).toBe(status);
      expect(body(b).label).toBe('B');
      expect(b.environmentId).not.toBe(a.environmentId);
      expect(b.logs).toContain('ran B');
      expect(pool.busy).toBe(0);
    });
  }

  it('fail, and are not run again, when the environment ends after they started', async () => {
    const pool = await shortPool('handler');
    const [a, b] = await both(pool, { label: 'A', waitForNext: true, then: 'exitSoon' }, { label: 'B', ms: 2000 });
    expect(body(a).label).toBe('A');
    expect(b.status).toBe('exited');
    expect(b.error?.errorMessage).toContain('exit status 5');
    expect(b.environmentId).toBe(a.environmentId);
    expect(pool.busy).toBe(0);
  });

  it('not for a function whose invocations are long: the next one waits for a free environment', async () => {
    const pool = new FunctionPool(functionConfig('queued.mjs', 'handler', { timeout: 1 }), runtimeOptions({ maxEnvironments: 1, scaleUpDelayMs: 0 }), silentLogger());
    pools.push(pool);
    for (let i = 0; i < 2; i += 1) body(await pool.invoke(request({ label: 'slow', ms: 50 })));
    expect(pool.short).toBe(false);
    const [a, b] = await both(pool, { label: 'A', waitForNext: true }, { label: 'B' });
    expect(a.status).toBe('timeout');
    expect(body(b).label).toBe('B');
  });

  it('not for a streamed invocation, nor behind one', async () => {
    const pool = await shortPool('handler', { timeout: 1 });
    const stream: ResponseSink = { start: () => undefined, chunk: (_bytes, taken) => taken() };
    const [a, b] = await both(pool, { label: 'A', waitForNext: true }, { label: 'B' }, { second: { stream } });
    expect(a.status).toBe('timeout');
    expect(body(b).label).toBe('B');
    // Behind a streamed one: its credit messages would reach the next invocation's stream.
    await warm(pool);
    const [c, d] = await both(pool, { label: 'C', waitForNext: true }, { label: 'D' }, { first: { stream } });
    expect(c.status).toBe('timeout');
    expect(body(d).label).toBe('D');
  });
});
