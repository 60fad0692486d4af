import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { KinesisDataStreamSchema } from '@aws-lambda-powertools/parser/schemas';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { KINESIS_TIMINGS } from '../src/sources/kinesis.js';
import { exhaustedFailureRecord } from './helpers/failure-record.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import {
  batches, checkpoints, decoded, delivered, events, failureRecords, kinesisCase, putRecords, startKinesalite, startKinesisHub,
  waitDelivered, type Kinesalite,
} from './helpers/kinesalite.js';

let k: Kinesalite;
let redis: Redis;
let hub: TestHub | undefined;
beforeAll(async () => { k = await startKinesalite(); redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); await k.close(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

describe('kinesis event source: delivery', () => {
  it('polls every shard in order with Lambda-shaped records and checkpoints each shard', async () => {
    const c = await kinesisCase(k, 2);
    const puts = await putRecords(k, c, Array.from({ length: 12 }, (_, n) => ({ n })), (i) => `key-${i % 4}`);
    hub = await startKinesisHub(k, c, { batchSize: 3 });
    await waitDelivered(c, puts.map((put) => put.sequenceNumber));
    const all = events(c.callsFile);
    for (const event of all) expect(() => KinesisDataStreamSchema.parse(event)).not.toThrow();
    for (const shardId of new Set(puts.map((put) => put.shardId))) {
      const expected = puts.filter((put) => put.shardId === shardId).map((put) => put.sequenceNumber);
      const seen = all.flatMap((event) => event.Records).filter((r) => r.eventID.startsWith(`${shardId}:`)).map((r) => r.kinesis.sequenceNumber);
      expect(seen).toEqual(expected);
    }
    expect(Math.max(...batches(c).map((batch) => batch.length))).toBeLessThanOrEqual(3);
    const first = all.flatMap((event) => event.Records).find((r) => r.kinesis.sequenceNumber === puts[0].sequenceNumber);
    expect(first).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0', partitionKey: 'key-0', sequenceNumber: puts[0].sequenceNumber,
        data: Buffer.from('{"n":0}').toString('base64'), approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${puts[0].shardId}:${puts[0].sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/triggerhub-worker',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${c.stream}`,
    });
    expect(Math.abs(first.kinesis.approximateArrivalTimestamp - Date.now() / 1000)).toBeLessThan(30);
    const lastOf = (shardId: string) => puts.filter((put) => put.shardId === shardId).at(-1)!.sequenceNumber;
    await waitFor(async () => {
      const saved = await checkpoints(redis, c);
      return [...new Set(puts.map((put) => put.shardId))].every((shardId) => saved[shardId] === lastOf(shardId));
    }, 5000, 'checkpoints at the last record of each shard');
  });

  it('in a China region names the stream and the execution role in the aws-cn partition, though kinesalite says arn:aws:', async () => {
    const cn = await startKinesalite(0, 'cn-north-1');
    try {
      const c = await kinesisCase(cn);
      const [put] = await putRecords(cn, c, [{ n: 1 }]);
      hub = await startKinesisHub(cn, c, { region: 'cn-north-1' }, { region: 'cn-north-1', accountId: '123456789012' });
      await waitDelivered(c, [put.sequenceNumber]);
      expect(events(c.callsFile)[0].Records[0]).toMatchObject({
        awsRegion: 'cn-north-1',
        eventSourceARN: `arn:aws-cn:kinesis:cn-north-1:000000000000:stream/${c.stream}`,
        invokeIdentityArn: 'arn:aws-cn:iam::123456789012:role/triggerhub-worker',
      });
    } finally {
      await hub?.stop();
      hub = undefined;
      await cn.close();
    }
  });

  it('retries a failing batch, then sends KinesisBatchInfo to the on-failure destination and moves on', async () => {
    const c = await kinesisCase(k);
    const puts = await putRecords(k, c, [{ cmd: 'throw' }, { n: 2 }]);
    hub = await startKinesisHub(k, c, { maximumRetryAttempts: 2, destinations: { onFailure: 'failures' } });
    const [failure] = await waitFor(() => failureRecords(c), 10_000, 'the on-failure record');
    const sequences = puts.map((put) => put.sequenceNumber);
    expect(batches(c)).toEqual([sequences, sequences, sequences]);
    const arrivals = events(c.callsFile)[0].Records.map((r: { kinesis: { approximateArrivalTimestamp: number } }) =>
      new Date(Math.round(r.kinesis.approximateArrivalTimestamp * 1000)).toISOString());
    expect(failure).toEqual(exhaustedFailureRecord({ KinesisBatchInfo: {
      shardId: 'shardId-000000000000',
      startSequenceNumber: sequences[0],
      endSequenceNumber: sequences[1],
      approximateArrivalOfFirstRecord: arrivals[0],
      approximateArrivalOfLastRecord: arrivals[1],
      batchSize: 2,
      streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${c.stream}`,
    } }, 3));
    const [later] = await putRecords(k, c, [{ n: 3 }]);
    await waitDelivered(c, [later.sequenceNumber]);
  });

  it('with the default (unlimited) retries gives a failing batch up once it expired from the stream (its retention), as Lambda does', async () => {
    const c = await kinesisCase(k);
    const puts = await putRecords(k, c, [{ cmd: 'throw' }, { n: 2 }]);
    hub = await startKinesisHub(k, c, { destinations: { onFailure: 'failures' } });
    await waitFor(() => batches(c).length >= 2, 10_000, 'a retry');
    // Time itself: a day passes while the batch is retried (kinesalite keeps records 24 h, as Kinesis does by default).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 24 * 3600_000 + 1000, shouldAdvanceTime: true });
    try {
      const [failure] = await waitFor(() => failureRecords(c), 15_000, 'the on-failure record');
      expect(failure.requestContext.condition).toBe('RecordAgeExceeded');
      expect(failure.KinesisBatchInfo).toMatchObject({ startSequenceNumber: puts[0].sequenceNumber, endSequenceNumber: puts[1].sequenceNumber, batchSize: 2 });
      const [later] = await putRecords(k, c, [{ n: 3 }]);
      await waitDelivered(c, [later.sequenceNumber]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('bisects a failing batch: good records are processed, the bad one ends in the destination', async () => {
    const c = await kinesisCase(k);
    const puts = await putRecords(k, c, [{ n: 1 }, { n: 2 }, { cmd: 'throw' }, { n: 4 }]);
    const s = puts.map((put) => put.sequenceNumber);
    hub = await startKinesisHub(k, c, { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, destinations: { onFailure: 'failures' } });
    const [failure] = await waitFor(() => failureRecords(c), 10_000, 'the on-failure record');
    await waitDelivered(c, [s[3]]);
    expect(batches(c)).toEqual([s, s.slice(0, 2), s.slice(2), [s[2]], [s[3]]]);
    expect(failure.KinesisBatchInfo).toMatchObject({ startSequenceNumber: s[2], endSequenceNumber: s[2], batchSize: 1 });
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000'] === s[3], 5000, 'the checkpoint past the batch');
  });

  it('with ReportBatchItemFailures checkpoints before the lowest failed record and retries from it', async () => {
    const c = await kinesisCase(k);
    const puts = await putRecords(k, c, [{ n: 1 }, { cmd: 'fail' }, { n: 3 }]);
    const s = puts.map((put) => put.sequenceNumber);
    let seenCheckpoint: string | undefined;
    hub = await startKinesisHub(k, c, {
      functionResponseTypes: ['ReportBatchItemFailures'], maximumRetryAttempts: 2, destinations: { onFailure: 'failures' },
    });
    await waitFor(async () => {
      seenCheckpoint = (await checkpoints(redis, c))['shardId-000000000000'];
      return batches(c).length >= 2 && seenCheckpoint;
    }, 10_000, 'a retry');
    expect(seenCheckpoint).toBe(s[0]);
    await waitFor(() => failureRecords(c), 10_000, 'the on-failure record');
    expect(batches(c)).toEqual([s, s.slice(1), s.slice(1)]);
    expect(failureRecords(c)![0].KinesisBatchInfo).toMatchObject({ startSequenceNumber: s[1], endSequenceNumber: s[2], batchSize: 2 });
  });

  it('resumes after a restart exactly after the last checkpoint', async () => {
    const c = await kinesisCase(k);
    const before = await putRecords(k, c, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    hub = await startKinesisHub(k, c, { batchSize: 2 });
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000'] === before[2].sequenceNumber, 10_000, 'the first checkpoint');
    await hub.stop();
    const after = await putRecords(k, c, [{ n: 4 }, { n: 5 }]);
    hub = await startKinesisHub(k, c, { batchSize: 2, startingPosition: 'LATEST' });
    await waitDelivered(c, after.map((put) => put.sequenceNumber));
    expect(delivered(c)).toEqual([...before, ...after].map((put) => put.sequenceNumber));
  });

  it('reads a stream deleted and created again under the same name from its start: the old checkpoints are dropped', async () => {
    const c = await kinesisCase(k);
    const before = await putRecords(k, c, [{ n: 1 }]);
    hub = await startKinesisHub(k, c);
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000'] === before[0].sequenceNumber, 10_000, 'the checkpoint');
    await hub.stop();
    await k.client.send(new DeleteStreamCommand({ StreamName: c.stream }));
    await waitFor(async () => !(await k.client.send(new ListStreamsCommand({}))).StreamNames?.includes(c.stream), 5000, 'the stream deleted');
    // kinesalite dates a stream (and numbers its records) to the second: one created again within
    // the same second would be the same stream to anyone. (Kinesis takes longer than that to delete one.)
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await k.client.send(new CreateStreamCommand({ StreamName: c.stream, ShardCount: 1 }));
    await waitFor(async () => (await k.client.send(new DescribeStreamSummaryCommand({ StreamName: c.stream }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE', 5000, 'the new stream');
    await putRecords(k, c, [{ n: 2 }]); // the same shard id as before, a sequence number of the new stream
    hub = await startKinesisHub(k, c);
    // Wait for the second delivery and tell the records apart by their data, whatever their numbers.
    await waitFor(() => delivered(c).length >= 2, 10_000, 'the new stream\'s record');
    expect(events(c.callsFile).flatMap((event) => event.Records.map((r: { kinesis: { data: string } }) => decoded(r).n))).toEqual([1, 2]);
  });

  it('keeps each event within the 6 MB synchronous payload: what does not fit starts the next batch, in order', async () => {
    const c = await kinesisCase(k);
    // Six records of 900 KB (1.2 MB each in base64): 7.2 MB in all, more than one invocation may carry.
    const puts = await putRecords(k, c, Array.from({ length: 6 }, (_, n) => ({ n, pad: 'x'.repeat(900_000) })));
    hub = await startKinesisHub(k, c, { batchSize: 100 });
    await waitDelivered(c, puts.map((put) => put.sequenceNumber), 30_000);
    const sizes = readFileSync(c.callsFile, 'utf8').split('\n').filter(Boolean).map((line) => Buffer.byteLength(line));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(6 * 1024 * 1024);
    expect(batches(c).flat()).toEqual(puts.map((put) => put.sequenceNumber));
    expect(batches(c).length).toBe(2);
  });

  it('invokes only records matching the filter criteria and checkpoints past the others', async () => {
    const c = await kinesisCase(k);
    const puts = await putRecords(k, c, [{ type: 'order', n: 1 }, { type: 'noise' }, 'not json', { type: 'order', n: 2 }, { type: 'noise' }]);
    hub = await startKinesisHub(k, c, { filterCriteria: { filters: [{ pattern: '{"data":{"type":["order"]}}' }] } });
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000'] === puts[4].sequenceNumber, 10_000, 'the checkpoint');
    expect(events(c.callsFile).flatMap((event) => event.Records).map(decoded)).toEqual([{ type: 'order', n: 1 }, { type: 'order', n: 2 }]);
  });

  it('with startingPosition LATEST skips what the stream held before the mapping started', async () => {
    const c = await kinesisCase(k);
    const [old] = await putRecords(k, c, [{ old: true }]);
    hub = await startKinesisHub(k, c, { startingPosition: 'LATEST' });
    // Keep writing until the poller (positioned at the tip once started) picks one up.
    const fresh = await waitFor(async () => {
      const [put] = await putRecords(k, c, [{ fresh: true }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return delivered(c).length ? put : undefined;
    }, 10_000, 'a fresh record delivered');
    expect(delivered(c)).not.toContain(old.sequenceNumber);
    expect(delivered(c)[0] <= fresh.sequenceNumber).toBe(true);
  });

  it('with startingPosition LATEST a restart before any record resumes where the first start stood', async () => {
    const c = await kinesisCase(k);
    hub = await startKinesisHub(k, c, { startingPosition: 'LATEST' });
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000']?.startsWith('LATEST@'), 5000, 'the LATEST mark');
    await hub.stop();
    const whileDown = await putRecords(k, c, [{ n: 1 }, { n: 2 }]);
    hub = await startKinesisHub(k, c, { startingPosition: 'LATEST' });
    await waitDelivered(c, whileDown.map((put) => put.sequenceNumber));
    expect(delivered(c)).toEqual(whileDown.map((put) => put.sequenceNumber));
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000'] === whileDown[1].sequenceNumber, 5000, 'the checkpoint');
  });

  it('with startingPosition AT_TIMESTAMP starts at the first record at or after the timestamp', async () => {
    const c = await kinesisCase(k);
    await putRecords(k, c, [{ early: true }]);
    await new Promise((resolve) => setTimeout(resolve, 20)); // time itself: the next record arrives later
    const from = Date.now() / 1000;
    const later = await putRecords(k, c, [{ n: 1 }, { n: 2 }]);
    hub = await startKinesisHub(k, c, { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: from });
    await waitDelivered(c, later.map((put) => put.sequenceNumber));
    expect(delivered(c)).toEqual(later.map((put) => put.sequenceNumber));
  });

  it('gathers records for maximumBatchingWindowInSeconds before invoking', async () => {
    const c = await kinesisCase(k);
    hub = await startKinesisHub(k, c, { maximumBatchingWindowInSeconds: 1, batchSize: 10 });
    const puts = [];
    for (let n = 0; n < 3; n += 1) {
      puts.push(...await putRecords(k, c, [{ n }]));
      await new Promise((resolve) => setTimeout(resolve, 100)); // time itself: records spread over the window
    }
    await waitDelivered(c, puts.map((put) => put.sequenceNumber));
    expect(batches(c)).toEqual([puts.map((put) => put.sequenceNumber)]);
  });

  it('backs off while Kinesis drops connections and still stops promptly', async () => {
    const LONG_BACKOFF_MS = 60_000;
    const timings = { ...KINESIS_TIMINGS };
    // One connection per failed call (no SDK retries in between): a new connection is a new failure.
    process.env.AWS_MAX_ATTEMPTS = '1';
    const c = await kinesisCase(k);
    let connections = 0;
    const broken = createServer((socket) => { connections += 1; socket.destroy(); });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = broken.address() as { port: number };
      hub = await startKinesisHub(k, c, { endpoint: `http://127.0.0.1:${port}` });
      await waitFor(() => connections >= 3, 5000, 'a few attempts');
      await new Promise((resolve) => setTimeout(resolve, 1000)); // time itself: attempts must thin out
      expect(connections).toBeLessThan(25);
      // From the next failure on, the poller waits a minute before it tries again: stop must cut that wait short.
      Object.assign(KINESIS_TIMINGS, { backoffBaseMs: LONG_BACKOFF_MS, backoffCapMs: LONG_BACKOFF_MS });
      const seen = connections;
      await waitFor(() => connections > seen, 40_000, 'one more attempt');
      const stopping = Date.now();
      await hub.stop();
      hub = undefined;
      expect(Date.now() - stopping).toBeLessThan(LONG_BACKOFF_MS);
    } finally {
      delete process.env.AWS_MAX_ATTEMPTS;
      Object.assign(KINESIS_TIMINGS, timings);
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
