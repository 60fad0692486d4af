import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isHubError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import type { InvokeResult } from '../src/runtime/types.js';
import type { SourceContext } from '../src/sources/source.js';
import { StreamSource } from '../src/sources/stream.js';
import { streamSettingsSchema } from '../src/sources/stream/settings.js';
import { testConfig, waitFor, type TestHub } from './helpers/hub.js';
import {
  addEntries, deliveredIds, pendingCount, startStreamHub, streamCase, testRedis, waitDone,
} from './fixtures/stream/harness.js';

let redis: Redis;
let hub: TestHub | undefined;
beforeAll(() => { redis = testRedis(); });
afterAll(async () => { await redis.quit(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

describe('redis stream event source: lifecycle', () => {
  it('takes over entries left pending by a dead consumer (XAUTOCLAIM)', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [{ n: '1' }, { n: '2' }]);
    await redis.xgroup('CREATE', c.key, c.group, '0');
    await redis.xreadgroup('GROUP', c.group, 'dead-consumer', 'COUNT', 1, 'STREAMS', c.key, '>');
    expect(await pendingCount(redis, c)).toBe(1);
    hub = await startStreamHub(c, { claimIdleSeconds: 0.2 });
    await waitDone(redis, c, ids);
    expect([...deliveredIds(c)].sort()).toEqual(ids);
    const consumers = await redis.xinfo('CONSUMERS', c.key, c.group) as unknown[][];
    const dead = consumers.find((fields) => fields[1] === 'dead-consumer');
    expect(dead?.[3]).toBe(0); // its pending count
  });

  it('resumes after a restart without losing or repeating entries', async () => {
    const c = streamCase();
    const first = await addEntries(redis, c.key, [{ n: '1' }, { n: '2' }, { n: '3' }]);
    hub = await startStreamHub(c);
    await waitDone(redis, c, first);
    await hub.stop();
    const second = await addEntries(redis, c.key, [{ n: '4' }, { n: '5' }, { n: '6' }]);
    hub = await startStreamHub(c);
    await waitDone(redis, c, second);
    expect(deliveredIds(c)).toEqual([...first, ...second]);
    // A stopped poller with nothing pending leaves the group.
    const consumers = await redis.xinfo('CONSUMERS', c.key, c.group) as unknown[][];
    expect(consumers).toHaveLength(1);
  });

  it('stopping during a batch waits for it and acknowledges it', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [{ cmd: 'sleep', ms: '400' }]);
    hub = await startStreamHub(c);
    await waitFor(() => deliveredIds(c).length, 5000, 'the batch to start');
    await hub.stop();
    hub = undefined;
    expect(await pendingCount(redis, c)).toBe(0);
    expect(deliveredIds(c)).toEqual(ids);
  });

  it('startingPosition LATEST ignores entries added before the group existed', async () => {
    const c = streamCase();
    await addEntries(redis, c.key, [{ n: 'old1' }, { n: 'old2' }]);
    hub = await startStreamHub(c, { startingPosition: 'LATEST' });
    await waitFor(async () => (await pendingCount(redis, c)) === 0, 5000, 'the consumer group');
    const fresh = await addEntries(redis, c.key, [{ n: 'new' }]);
    await waitDone(redis, c, fresh);
    expect(deliveredIds(c)).toEqual(fresh);
  });

  it('rejects an on-failure destination that is not a configured function, naming the path', async () => {
    const c = streamCase();
    const started = startStreamHub(c, { destinations: { onFailure: 'dlq' } });
    await expect(started).rejects.toSatisfy((err) => isHubError(err, 'TH_ERR_CONFIG_INVALID'));
    await expect(started).rejects.toThrow('functions.worker.events[0].stream.destinations.onFailure: "dlq" is not a configured function');
  });

  it('validates settings with Lambda ranges', () => {
    const base = { key: 'k', startingPosition: 'TRIM_HORIZON' };
    expect(streamSettingsSchema.parse(base)).toMatchObject({
      batchSize: 100, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, bisectBatchOnFunctionError: false, claimIdleSeconds: 60,
    });
    const issue = (extra: Record<string, unknown>) => streamSettingsSchema.safeParse({ ...base, ...extra }).error?.issues[0];
    expect(issue({ maximumRetryAttempts: 10_001 })?.message).toBe('must be -1 (no limit) or an integer between 0 and 10000');
    expect(issue({ maximumRecordAgeInSeconds: 30 })?.path).toEqual(['maximumRecordAgeInSeconds']);
    expect(issue({ startingPosition: 'AT_TIMESTAMP' })?.path).toEqual(['startingPositionTimestamp']);
    expect(issue({ shard: 1 })?.message).toBe('unknown field "shard"');
    expect(() => testConfig({ functions: { f: { handler: 'noop.handler', events: [{ stream: { key: 'k' } }] } } }))
      .toThrow(/functions\.f\.events\[0\]\.stream\.startingPosition/);
  });

  it('AT_TIMESTAMP starts at the first entry at or after the timestamp', async () => {
    const c = streamCase();
    await redis.xadd(c.key, '1000-0', 'n', 'before');
    await redis.xadd(c.key, '2000-0', 'n', 'at');
    await redis.xadd(c.key, '3000-0', 'n', 'after');
    hub = await startStreamHub(c, { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: 2 });
    await waitDone(redis, c, ['2000-0', '3000-0']);
    expect(deliveredIds(c)).toEqual(['2000-0', '3000-0']);
  });
});

describe('redis stream poller resilience', () => {
  const fakeContext = (invokeSync: SourceContext['invokeSync'], logger = silentLogger()): SourceContext => ({
    config: testConfig({}), redis, logger,
    enqueue: async () => undefined, invokeSync, app: undefined as never,
  });

  it('keeps polling after the function throws, and stop() is prompt and idempotent', async () => {
    const c = streamCase();
    const seen: string[] = [];
    const crashed = (requestId: string): InvokeResult => ({
      requestId, status: 'exited', error: { errorType: 'Runtime.ExitError', errorMessage: 'exit status 3' },
      durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 40, logs: '', environmentId: 'e',
    });
    const source = new StreamSource(
      (testConfig({ functions: { worker: { handler: 'noop.handler' } } })).functions.worker,
      streamSettingsSchema.parse({ key: c.key, group: c.group, startingPosition: 'TRIM_HORIZON', maximumRetryAttempts: 0 }),
      0,
    );
    await source.start(fakeContext(async (_fn, envelope) => {
      const { Records } = envelope.data as { Records: Array<{ stream: { id: string } }> };
      seen.push(...Records.map((record) => record.stream.id));
      return crashed(envelope.id);
    }));
    const ids = await addEntries(redis, c.key, [{ n: '1' }]);
    await waitFor(() => seen.length, 5000, 'the first invocation');
    ids.push(...await addEntries(redis, c.key, [{ n: '2' }]));
    await waitFor(async () => seen.length === 2 && (await pendingCount(redis, c)) === 0, 5000, 'both entries given up and acknowledged');
    expect(seen).toEqual(ids);
    const started = Date.now();
    await Promise.all([source.stop(), source.stop()]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('backs off while its Redis is unreachable and still stops promptly', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const fn = testConfig({ functions: { worker: { handler: 'noop.handler' } } }).functions.worker;
    const source = new StreamSource(fn, streamSettingsSchema.parse({ key: 'k', startingPosition: 'LATEST', redis: `redis://127.0.0.1:${port}` }), 0);
    let invoked = 0;
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => { lines.push(line); } });
    await source.start(fakeContext(async () => { invoked += 1; throw new Error('unreachable'); }, logger));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Backing off 1 s, 2 s, ...: not spinning.
    const errors = lines.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'stream_poll_error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    expect(errors[0].retryInMs).toBe(1000);
    const started = Date.now();
    await source.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(invoked).toBe(0);
  });
});
