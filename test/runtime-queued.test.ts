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
  const startedFile = path.join(tempDir('th-queued-'), 'started');
  const a = pool.invoke(request({ ...first, startedFile }, extra.first));
  await expect.poll(() => existsSync(startedFile), { timeout: 10_000, interval: 10 }).toBe(true);
  return Promise.all([a, pool.invoke(request(second, extra.second))]);
}

function body(result: InvokeResult): { label: string; pid: number; atStart?: number } {
  expect(result.status, JSON.stringify(result)).toBe('success');
  return JSON.parse(result.payload!) as { label: string; pid: number; atStart?: number };
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

  it("give the handler its whole timeout from its start (context.getRemainingTimeInMillis)", async () => {
    const remaining = await shortPool('remaining');
    // Without its own deadline, B (sent at once, started 1 s later) would see 2 s of its 3 s left.
    const [a, b] = await both(remaining, { label: 'A', ms: 1000 }, { label: 'B' });
    expect(body(a).atStart).toBeGreaterThan(2500);
    expect(body(b).atStart).toBeGreaterThan(2500);
    expect(b.environmentId).toBe(a.environmentId);
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
