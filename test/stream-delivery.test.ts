import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exhaustedFailureRecord } from './helpers/failure-record.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import {
  addEntries, deliveredIds, events, failureRecords, pendingCount, startStreamHub, streamCase, testRedis, waitDone,
} from './fixtures/stream/harness.js';

let redis: Redis;
let hub: TestHub | undefined;
beforeAll(() => { redis = testRedis(); });
afterAll(async () => { await redis.quit(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

/** The documented record shape. */
const recordSchema = z.strictObject({
  eventSource: z.literal('triggerhub:redis-stream'),
  eventSourceARN: z.string().regex(/^redis:\/\/[^/@]+\/.+$/),
  eventID: z.string(),
  eventName: z.literal('stream:record'),
  eventVersion: z.literal('1.0'),
  awsRegion: z.string(),
  stream: z.strictObject({
    key: z.string(),
    group: z.string(),
    id: z.string().regex(/^\d+-\d+$/),
    partitionKey: z.string(),
    data: z.base64(),
    fields: z.record(z.string(), z.string()),
    approximateArrivalTimestamp: z.number(),
    sequenceNumber: z.string(),
  }),
});
const eventSchema = z.strictObject({ Records: z.array(recordSchema).min(1) });

describe('redis stream event source: delivery', () => {
  it('invokes with documented records in stream order and acknowledges each batch', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [
      { data: '{"type":"order","n":1}', partitionKey: 'tenant-a' },
      { name: 'plain', n: '2' },
      { n: '3' }, { n: '4' }, { n: '5' },
    ]);
    hub = await startStreamHub(c, { batchSize: 2 });
    await waitDone(redis, c, ids);
    expect(deliveredIds(c)).toEqual(ids);
    const all = events(c.callsFile);
    expect(all.map((event) => event.Records.length)).toEqual([2, 2, 1]);
    for (const event of all) expect(() => eventSchema.parse(event)).not.toThrow();
    const [first, second] = all[0].Records;
    const port = new URL(hub.redisUrl).port;
    expect(first).toMatchObject({
      eventSourceARN: `redis://127.0.0.1:${port}/${c.key}`,
      eventID: `${c.key}:${ids[0]}`,
      awsRegion: 'us-east-1',
      stream: {
        key: c.key, group: c.group, id: ids[0], sequenceNumber: ids[0], partitionKey: 'tenant-a',
        fields: { data: '{"type":"order","n":1}', partitionKey: 'tenant-a' },
        approximateArrivalTimestamp: Number(ids[0].split('-')[0]) / 1000,
      },
    });
    expect(Buffer.from(first.stream.data, 'base64').toString()).toBe('{"type":"order","n":1}');
    // Without a `data` field, data is the JSON of every field; the partition key is the stream key.
    expect(JSON.parse(Buffer.from(second.stream.data, 'base64').toString())).toEqual({ name: 'plain', n: '2' });
    expect(second.stream.partitionKey).toBe(c.key);
  });

  it('retries a failing batch, sends the batch info to the on-failure destination and moves on', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [{ cmd: 'throw' }, { n: '2' }]);
    hub = await startStreamHub(c, { maximumRetryAttempts: 2, destinations: { onFailure: 'failures' } });
    const [failure] = await waitFor(() => failureRecords(c), 10_000, 'the on-failure record');
    expect(deliveredIds(c)).toEqual([...ids, ...ids, ...ids]);
    expect(failure).toEqual(exhaustedFailureRecord({ StreamBatchInfo: {
      key: c.key, group: c.group,
      startSequenceNumber: ids[0], endSequenceNumber: ids[1],
      approximateArrivalOfFirstRecord: new Date(Number(ids[0].split('-')[0])).toISOString(),
      approximateArrivalOfLastRecord: new Date(Number(ids[1].split('-')[0])).toISOString(),
      batchSize: 2,
      streamArn: expect.stringMatching(new RegExp(`^redis://127\\.0\\.0\\.1:\\d+/${c.key}$`)),
    } }, 3));
    expect(await pendingCount(redis, c)).toBe(0);
    const [later] = await addEntries(redis, c.key, [{ n: '3' }]);
    await waitDone(redis, c, [later]);
  });

  it('bisects a failing batch: the good records are processed, the bad one ends in the destination', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [{ n: '1' }, { n: '2' }, { cmd: 'throw' }, { n: '4' }]);
    hub = await startStreamHub(c, { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, destinations: { onFailure: 'failures' } });
    await waitDone(redis, c, ids);
    await waitFor(() => events(c.failuresFile).length, 5000, 'the on-failure record');
    const batches = events(c.callsFile).map((event) => event.Records.map((r: { stream: { id: string } }) => r.stream.id));
    expect(batches).toEqual([ids, ids.slice(0, 2), ids.slice(2), [ids[2]], [ids[3]]]);
    const [failure] = events(c.failuresFile);
    expect(failure.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
    expect(failure.StreamBatchInfo).toMatchObject({ startSequenceNumber: ids[2], endSequenceNumber: ids[2], batchSize: 1 });
  });

  it('with ReportBatchItemFailures acknowledges up to the lowest failure and retries from it', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [{ n: '1' }, { cmd: 'fail' }, { n: '3' }]);
    hub = await startStreamHub(c, {
      functionResponseTypes: ['ReportBatchItemFailures'], maximumRetryAttempts: 1, destinations: { onFailure: 'failures' },
    });
    const [failure] = await waitFor(() => failureRecords(c), 10_000, 'the on-failure record');
    expect(events(c.callsFile).map((event) => event.Records.map((r: { stream: { id: string } }) => r.stream.id))).toEqual([ids, ids.slice(1)]);
    expect(failure.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 });
    expect(failure.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(failure.StreamBatchInfo).toMatchObject({ startSequenceNumber: ids[1], endSequenceNumber: ids[2], batchSize: 2 });
    await waitFor(async () => (await pendingCount(redis, c)) === 0, 5000, 'no pending entries');
  });

  it('gives up records older than maximumRecordAgeInSeconds without invoking them', async () => {
    const c = streamCase();
    const oldMs = Date.now() - 120_000;
    await redis.xadd(c.key, `${oldMs}-1`, 'n', 'old1');
    await redis.xadd(c.key, `${oldMs}-2`, 'n', 'old2');
    const [fresh] = await addEntries(redis, c.key, [{ n: 'fresh' }]);
    hub = await startStreamHub(c, { maximumRecordAgeInSeconds: 60, destinations: { onFailure: 'failures' } });
    await waitDone(redis, c, [fresh]);
    const [failure] = await waitFor(() => failureRecords(c), 5000, 'the on-failure record');
    expect(deliveredIds(c)).toEqual([fresh]);
    expect(failure.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(failure.StreamBatchInfo).toMatchObject({
      startSequenceNumber: `${oldMs}-1`, endSequenceNumber: `${oldMs}-2`, batchSize: 2,
      approximateArrivalOfFirstRecord: new Date(oldMs).toISOString(),
    });
  });

  it('acknowledges entries no filter matches without invoking the function', async () => {
    const c = streamCase();
    const ids = await addEntries(redis, c.key, [
      { data: '{"type":"order","n":1}' }, { data: '{"type":"ping"}' }, { data: 'not json' }, { data: '{"type":"order","n":2}' },
    ]);
    hub = await startStreamHub(c, { filterCriteria: { filters: [{ pattern: '{"data":{"type":["order"]}}' }] } });
    await waitDone(redis, c, [ids[0], ids[3]]);
    expect(deliveredIds(c)).toEqual([ids[0], ids[3]]);
    // A batch that no filter matches is acknowledged with no invocation at all.
    await addEntries(redis, c.key, [{ data: '{"type":"ping"}' }, { n: '1' }]);
    await waitFor(async () => (await redis.xinfo('GROUPS', c.key) as unknown[][])[0].includes(6) && (await pendingCount(redis, c)) === 0,
      5000, 'the filtered entries acknowledged');
    expect(events(c.callsFile)).toHaveLength(1);
  });
});
