import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { exhaustedFailureRecord } from './helpers/failure-record.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import {
  batches, checkpoints, events, kinesisCase, putRecords, startKinesalite, startKinesisHub, waitDelivered, type Kinesalite,
} from './helpers/kinesalite.js';
import { HttpSink } from './fixtures/destinations/peers.js';

let k: Kinesalite;
let redis: Redis;
let sink: HttpSink;
let hub: TestHub | undefined;
beforeAll(async () => {
  [k, sink] = await Promise.all([startKinesalite(), new HttpSink().up()]);
  redis = new Redis(inject('redisUrl'));
});
afterEach(async () => { await hub?.stop(); hub = undefined; });
afterAll(async () => {
  await redis.quit();
  await Promise.all([k?.close(), sink?.down()]);
});

const SHARD = 'shardId-000000000000';
const isoArrival = (record: { kinesis: { approximateArrivalTimestamp: number } }): string =>
  new Date(Math.round(record.kinesis.approximateArrivalTimestamp * 1000)).toISOString();

describe('kinesis mappings: on-failure destinations outside the hub', () => {
  it('posts the KinesisBatchInfo of a given-up record to an HTTP URL, then moves the shard checkpoint on', async () => {
    const c = await kinesisCase(k);
    const before = sink.received.length;
    const puts = await putRecords(k, c, [{ n: 1 }, { cmd: 'throw' }]);
    const [good, poison] = puts.map((put) => put.sequenceNumber);
    hub = await startKinesisHub(k, c, {
      maximumRetryAttempts: 1, bisectBatchOnFunctionError: true,
      destinations: { onFailure: `${sink.url}/kinesis-${randomUUID().slice(0, 8)}` },
    });
    const [record] = await waitFor(() => {
      const arrived = sink.received.slice(before);
      return arrived.length ? arrived : undefined;
    }, 15_000, 'the on-failure record at the HTTP sink');
    expect(record.headers['content-type']).toMatch(/^application\/json/);
    // Bisected: the good half succeeds; the poison record alone fails until its retries run out.
    expect(batches(c)).toEqual([[good, poison], [good], [poison], [poison]]);
    const poisonRecord = events(c.callsFile).at(-1).Records[0];
    // approximateInvokeCount 3: every invocation that held the record (the whole batch, then alone twice).
    expect(record.body).toEqual(exhaustedFailureRecord({ KinesisBatchInfo: {
      shardId: SHARD,
      startSequenceNumber: poison,
      endSequenceNumber: poison,
      approximateArrivalOfFirstRecord: isoArrival(poisonRecord),
      approximateArrivalOfLastRecord: isoArrival(poisonRecord),
      batchSize: 1,
      streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${c.stream}`,
    } }, 3));
    await waitFor(async () => (await checkpoints(redis, c))[SHARD] === poison, 5000, 'the checkpoint past the given-up record');
    const [later] = await putRecords(k, c, [{ n: 3 }]);
    await waitDelivered(c, [later.sequenceNumber]);
    await waitFor(async () => (await checkpoints(redis, c))[SHARD] === later.sequenceNumber, 5000, 'the checkpoint at the later record');
    expect(sink.received.slice(before)).toHaveLength(1);
  });
});
