import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { SHORT_FETCH_AHEAD, workerConcurrency } from '../src/router/dispatcher.js';
import { queueName } from '../src/router/queues.js';
import { encoder, readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/** slow.mjs sleeps event.ms, then appends the event to CALLS_FILE. */
describe('async events a worker fetches ahead of a free environment', { timeout: 60_000 }, () => {
  const hubs: TestHub[] = [];
  afterEach(async () => { await Promise.all(hubs.splice(0).map((hub) => hub.stop())); });

  it('a function\'s worker holds twice its environments (at least SHORT_FETCH_AHEAD for short invocations), or exactly its reserved concurrency', () => {
    expect(workerConcurrency({}, 10)).toBe(20);
    expect(workerConcurrency({}, 2)).toBe(4);
    expect(workerConcurrency({}, 2, true)).toBe(SHORT_FETCH_AHEAD);
    expect(workerConcurrency({}, 20, true)).toBe(40);
    expect(workerConcurrency({ reservedConcurrency: 3 }, 10)).toBe(3);
    expect(workerConcurrency({ reservedConcurrency: 3 }, 10, true)).toBe(3);
  });

  it('for a handler that computes, only as many as its capped environments run at once, times two; for a short one, at least SHORT_FETCH_AHEAD', async () => {
    const raw = {
      queuePrefix: `t-${randomUUID().slice(0, 8)}`,
      runtime: { maxEnvironments: 6, cpuBoundEnvironments: 1, scaleUpDelayMs: 0 },
      functions: { spin: { handler: 'spin.handler' }, noop: { handler: 'noop.handler' } },
    };
    const hub = await startTestHub(raw);
    hubs.push(hub);
    // Both environments are on CPU all the time they work; they report so from their second invocation.
    for (let i = 0; i < 4; i++) {
      await hub.lambda.send(new InvokeCommand({ FunctionName: 'spin' }));
      await hub.lambda.send(new InvokeCommand({ FunctionName: 'noop' }));
    }
    // The worker follows the function's capacity once a second: 1 capped environment, fetched ahead
    // twice for 15 ms invocations; a no-op's take well under 10 ms, so its worker holds SHORT_FETCH_AHEAD.
    await waitFor(() => hub.dispatcher.concurrencyOf('spin') === 2, 15_000, 'the worker to follow the capped pool');
    await waitFor(() => hub.dispatcher.concurrencyOf('noop') === SHORT_FETCH_AHEAD, 15_000, 'the short function\'s worker to fetch SHORT_FETCH_AHEAD ahead');
    const active = `${raw.queuePrefix}:${queueName('spin')}:active`;
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await hub.redis.llen(active));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(Array.from({ length: 30 }, () => hub.lambda.send(new InvokeCommand({ FunctionName: 'spin', InvocationType: 'Event', Payload: encoder.encode('{}') }))));
    }
    await waitFor(async () => (await hub.queues.depth('spin')) === 0, 30_000, 'the queue to empty');
    sampling = false;
    await sampler;
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('go back to the queue when the hub stops (no attempt counted) and run once on the next hub', async () => {
    const calls = path.join(tempDir('fetched-ahead-'), 'calls.jsonl');
    const raw = {
      queuePrefix: `t-${randomUUID().slice(0, 8)}`,
      runtime: { maxEnvironments: 1 },
      functions: { slow: { handler: 'slow.handler', timeout: 10, environment: { CALLS_FILE: calls } } },
    };
    const ran = () => readLines(calls).map((line) => JSON.parse(line) as { n: number });
    const first = await startTestHub(raw);
    hubs.push(first);
    for (let n = 1; n <= 4; n++) {
      await first.lambda.send(new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: encoder.encode(JSON.stringify({ ms: 1500, n })) }));
    }
    // One event runs in the one environment; the worker has fetched a second, which waits for it.
    await waitFor(async () => (await first.redis.llen(`${raw.queuePrefix}:${queueName('slow')}:active`)) === 2, 10_000, 'two active jobs');
    await first.stop();
    hubs.splice(0);
    // The stop let the running event finish and did not run the one fetched ahead.
    expect(ran().map((event) => event.n)).toHaveLength(1);
    const second = await startTestHub(raw);
    hubs.push(second);
    // Once the queue holds nothing (waiting, delayed or active), no event can run again.
    await waitFor(async () => ran().length >= 4 && (await second.queues.depth('slow')) === 0, 30_000, 'every event to run and the queue to empty');
    expect(ran().map((event) => event.n).sort()).toEqual([1, 2, 3, 4]);
  });
});
