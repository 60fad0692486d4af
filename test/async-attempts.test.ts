import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfig } from '../src/config/load.js';
import { DlqStore } from '../src/dlq/store.js';
import { HubError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { redisClient } from '../src/redis/connection.js';
import type { Invoker } from '../src/router/async-worker.js';
import { ConcurrencyGate } from '../src/router/concurrency.js';
import { payloadText } from '../src/runtime/protocol.js';
import { Dispatcher, UNOBSERVED } from '../src/router/dispatcher.js';
import { buildEnvelope, newDelivery, type Envelope } from '../src/router/envelope.js';
import { EventQueues } from '../src/router/queues.js';
import type { InvokeResult } from '../src/runtime/types.js';
import { decoder, encoder, startTestHub, testConfig, waitFor, type TestHub } from './helpers/hub.js';

type Call = Parameters<Invoker['invoke']>[1];
/** What the fake runtime does for one call: a result, or a throw. */
type Step = (call: Call) => InvokeResult | Error;

const failedResult = (call: Call, errorType: string, environmentId: string): InvokeResult => ({
  requestId: call.requestId, status: 'error', error: { errorType, errorMessage: `${errorType} in ${call.requestId}`, stackTrace: ['at handler'] },
  durationMs: 3, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 10, logs: '', environmentId,
});
const successResult = (call: Call): InvokeResult => ({
  requestId: call.requestId, status: 'success', payload: payloadText(call),
  durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 10, logs: '', environmentId: 'env-sink',
});

/**
 * The real dispatcher (BullMQ worker, retry backoff, DLQ, destinations) on the suite's Redis, with a
 * fake runtime: every failure the real runtime has comes back as a result, so a throw is scripted.
 */
describe('async attempts when the runtime call itself throws', { timeout: 30_000 }, () => {
  let config: HubConfig;
  let redis: Redis;
  let dispatcher: Dispatcher;
  let queues: EventQueues;
  let dlq: DlqStore;
  const scripts = new Map<string, Step[]>();
  const calls: Array<{ fn: string; call: Call }> = [];

  const invoker: Invoker = {
    invoke: async (fn, call) => {
      calls.push({ fn, call });
      if (fn === 'sink') return successResult(call);
      const step = scripts.get(call.requestId)?.shift();
      if (!step) throw new Error(`unscripted call of ${fn}`);
      const outcome = step(call);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };

  beforeAll(async () => {
    const handler = 'record.handler';
    config = testConfig({
      functions: {
        broken: { handler, maximumRetryAttempts: 1, retryBackoffSeconds: 0.05, destinations: { onFailure: 'sink' } },
        once: { handler, maximumRetryAttempts: 0, destinations: { onSuccess: 'sink' } },
        sink: { handler },
      },
    });
    redis = redisClient(config.redis!);
    queues = new EventQueues(redis, config.queuePrefix, config.functions);
    dlq = new DlqStore(redis, config.queuePrefix);
    dispatcher = new Dispatcher({ config, connection: redis, queues, invoker, gate: new ConcurrencyGate(redis, config.queuePrefix), dlq, logger: silentLogger(), observer: UNOBSERVED });
    dispatcher.start();
  });
  afterEach(() => scripts.clear());
  afterAll(async () => {
    await dispatcher?.stop(2000);
    await queues?.close();
    await redis?.quit();
  });

  const enqueue = async (fn: string, steps: Step[]): Promise<Envelope> => {
    const envelope = buildEnvelope({ source: 'test', type: 'test', data: { fn } });
    scripts.set(envelope.id, steps);
    await dispatcher.enqueue(envelope, newDelivery(fn, 'Event'));
    return envelope;
  };
  const sinkRecord = (requestId: string, condition: string) => waitFor(() => calls
    .filter((c) => c.fn === 'sink')
    .map((c) => JSON.parse(payloadText(c.call)))
    .find((r) => r.requestContext.requestId === requestId && r.requestContext.condition === condition), 10_000, `the ${condition} record`);

  it('records a thrown call as an attempt (name, message, stack, no environment), retries it and dead-letters it with every attempt', async () => {
    const { id } = await enqueue('broken', [
      () => new TypeError('cannot spawn the environment'),
      (call) => failedResult(call, 'BoomError', 'env-2'),
    ]);
    const record = await waitFor(() => dlq.get(id).catch(() => undefined), 10_000, 'the DLQ record');
    expect(record.reason).toBe('RetriesExhausted');
    expect(record.attempts).toHaveLength(2);
    const [thrown, failed] = record.attempts;
    expect(thrown).toMatchObject({ attempt: 1, status: 'error', errorType: 'TypeError', errorMessage: 'cannot spawn the environment', redrive: 0 });
    expect(thrown!.environmentId).toBeUndefined();
    expect(thrown!.stackTrace?.[0]).toMatch(/^at /);
    expect(thrown!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(thrown!.startedAt)).not.toBeNaN();
    expect(failed).toMatchObject({ attempt: 2, status: 'error', errorType: 'BoomError', environmentId: 'env-2' });
    const failure = await sinkRecord(id, 'RetriesExhausted');
    expect(failure.requestContext.approximateInvokeCount).toBe(2);
    expect(failure.responsePayload).toMatchObject({ errorType: 'BoomError' });
  });

  it('dead-letters a thrown non-retryable hub error at once, and names an error without a name Runtime.Unknown', async () => {
    const notFound = await enqueue('broken', [() => new HubError('TH_ERR_FUNCTION_NOT_FOUND', 'function not found: broken')]);
    const record = await waitFor(() => dlq.get(notFound.id).catch(() => undefined), 10_000, 'the DLQ record');
    expect(record.reason).toBe('NonRetryableError');
    expect(record.attempts).toEqual([expect.objectContaining({ attempt: 1, errorType: 'HubError', errorMessage: 'function not found: broken' })]);
    const failure = await sinkRecord(notFound.id, 'RetriesExhausted');
    expect(failure.responsePayload).toMatchObject({ errorType: 'HubError', errorMessage: 'function not found: broken' });

    const nameless = await enqueue('broken', [() => Object.assign(new Error('first'), { name: '' }), () => new Error('second')]);
    const second = await waitFor(() => dlq.get(nameless.id).catch(() => undefined), 10_000, 'the DLQ record');
    expect(second.attempts.map((a) => a.errorType)).toEqual(['Runtime.Unknown', 'Error']);
  });

  it('puts an event refused by a stopping hub back in the queue without counting an attempt', async () => {
    // maximumRetryAttempts 0: had the refusal counted, the event would be dead-lettered instead of run.
    const { id } = await enqueue('once', [
      () => new HubError('TH_ERR_HUB_STOPPING', 'pool closed: the hub is shutting down'),
      successResult,
    ]);
    const success = await sinkRecord(id, 'Success');
    expect(success.requestContext.approximateInvokeCount).toBe(1);
    expect(calls.filter((c) => c.call.requestId === id)).toHaveLength(2);
    await expect(dlq.get(id)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_NOT_FOUND' });
  });
});

describe('an environment that cannot be spawned', { timeout: 30_000 }, () => {
  let hub: TestHub;
  beforeAll(async () => {
    // Node's spawn() throws (rather than emits) for a NUL byte in a variable. The config schema
    // refuses one; the runtime must cope anyway (e.g. E2BIG for a huge inherited environment).
    hub = await startTestHub({
      functions: { unspawnable: { handler: 'record.handler', maximumRetryAttempts: 1, retryBackoffSeconds: 0.05 } },
    }, (config) => ({
      ...config,
      functions: { unspawnable: { ...config.functions.unspawnable, environment: { BROKEN: 'a\u0000b' } } },
    }));
  });
  afterAll(async () => hub?.stop());

  it('fails each invocation as a runtime that could not start (Runtime.InvalidEntrypoint, as Lambda words an exec failure), and leaves no broken environment behind', async () => {
    for (let i = 0; i < 2; i++) {
      const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'unspawnable', Payload: encoder.encode('{}') }));
      expect(out.FunctionError).toBe('Unhandled');
      expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ errorType: 'Runtime.InvalidEntrypoint' });
    }
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'unspawnable', InvocationType: 'Event', Payload: encoder.encode('{}') }));
    const record = await waitFor(() => hub.dlq.get(out.$metadata.requestId!).catch(() => undefined), 10_000, 'the DLQ record');
    expect(record.attempts.map((a) => [a.attempt, a.status, a.errorType])).toEqual([[1, 'error', 'Runtime.InvalidEntrypoint'], [2, 'error', 'Runtime.InvalidEntrypoint']]);
    expect(new Set(record.attempts.map((a) => a.environmentId)).size).toBe(2);
  });
});

describe('an event queued while the function had fewer retries (a restart or hot reload raised maximumRetryAttempts)', { timeout: 30_000 }, () => {
  let hub: TestHub;
  afterAll(async () => hub?.stop());

  it('gets the retries the function has when it runs', async () => {
    hub = await startTestHub({ functions: { flaky: { handler: 'fail.handler', maximumRetryAttempts: 2, retryBackoffSeconds: 0.05 } } });
    // The queue as the hub before the change wrote to it: maximumRetryAttempts 0.
    const before = { ...hub.config, functions: { flaky: { ...hub.config.functions.flaky, maximumRetryAttempts: 0 } } };
    const queues = new EventQueues(hub.redis, hub.config.queuePrefix, before.functions);
    try {
      const envelope = buildEnvelope({ source: 'test', type: 'test', subject: 'flaky', data: { n: 1 } });
      await queues.enqueue(envelope, newDelivery('flaky', 'Event'));
      const record = await waitFor(() => hub.dlq.get(envelope.id).catch(() => undefined), 15_000, 'the DLQ record');
      expect(record.reason).toBe('RetriesExhausted');
      expect(record.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    } finally {
      await queues.close();
    }
  });
});
