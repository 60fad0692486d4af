import { DescribeStreamSummaryCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { liveKinesisSources, type KinesisSource } from '../src/sources/kinesis.js';
import { ShardState } from '../src/sources/kit/shards/shard-state.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import {
  batches, checkpoints, decoded, delivered, events, kinesisCase, leaseOwners, putRecords, startKinesalite, startKinesisHub,
  waitDelivered, type Kinesalite,
} from './helpers/kinesalite.js';

let k: Kinesalite;
let redis: Redis;
const hubs: TestHub[] = [];
beforeAll(async () => { k = await startKinesalite(); redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); await k.close(); });
afterEach(async () => { await Promise.all(hubs.splice(0).map((hub) => hub.stop())); });

const countBy = (values: string[]): Record<string, number> =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

describe('kinesis event source: scaling', () => {
  it('splits the shards between two hubs and takes over the shards of one that died', async () => {
    const c = await kinesisCase(k, 2);
    const known = new Set(liveKinesisSources());
    hubs.push(await startKinesisHub(k, c));
    const [a] = liveKinesisSources().filter((source) => !known.has(source)) as [KinesisSource];
    await waitFor(async () => Object.keys(await leaseOwners(redis, c)).length === 2, 5000, 'hub A to take all shards');
    hubs.push(await startKinesisHub(k, c));
    const [b] = liveKinesisSources().filter((source) => !known.has(source) && source !== a) as [KinesisSource];
    await waitFor(async () => {
      const counts = countBy(Object.values(await leaseOwners(redis, c)));
      return counts[a.consumer] === 1 && counts[b.consumer] === 1;
    }, 5000, 'the shards split one and one');
    const first = await putRecords(k, c, Array.from({ length: 8 }, (_, n) => ({ n })), (i) => `key-${i}`);
    expect(new Set(first.map((put) => put.shardId)).size).toBeGreaterThan(1);
    await waitDelivered(c, first.map((put) => put.sequenceNumber));

    await a.crash(); // no release: its leases run out
    const second = await putRecords(k, c, Array.from({ length: 8 }, (_, n) => ({ n: 100 + n })), (i) => `key-${i}`);
    await waitDelivered(c, second.map((put) => put.sequenceNumber));
    expect(Object.values(await leaseOwners(redis, c))).toEqual([b.consumer, b.consumer]);
    // Nothing skipped (a record in flight when A died may come twice: at least once).
    const all = [...first, ...second];
    expect(new Set(delivered(c))).toEqual(new Set(all.map((put) => put.sequenceNumber)));
  });

  it('with parallelizationFactor runs a shard in lanes and keeps each partition key in order', async () => {
    const c = await kinesisCase(k);
    const puts = await putRecords(k, c, Array.from({ length: 24 }, (_, n) => ({ n, key: `k${n % 8}` })), (i) => `k${i % 8}`);
    const hub = await startKinesisHub(k, c, { parallelizationFactor: 4 });
    hubs.push(hub);
    await waitDelivered(c, puts.map((put) => put.sequenceNumber));
    expect(batches(c).length).toBeGreaterThan(1);
    const records = events(c.callsFile).flatMap((event) => event.Records);
    for (let key = 0; key < 8; key += 1) {
      const expected = puts.filter((put) => put.partitionKey === `k${key}`).map((put) => put.sequenceNumber);
      expect(records.filter((r) => decoded(r).key === `k${key}`).map((r) => r.kinesis.sequenceNumber)).toEqual(expected);
    }
    await waitFor(async () => (await checkpoints(redis, c))['shardId-000000000000'] === puts.at(-1)!.sequenceNumber, 5000, 'the checkpoint');
  });

  it('reads child shards only after their parent is finished', async () => {
    const c = await kinesisCase(k);
    const parent = await putRecords(k, c, Array.from({ length: 5 }, (_, n) => ({ n })), (i) => `p${i}`);
    await k.client.send(new SplitShardCommand({
      StreamName: c.stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString(),
    }));
    await waitFor(async () => (await k.client.send(new DescribeStreamSummaryCommand({ StreamName: c.stream }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE',
      15_000, 'the split');
    const children = await putRecords(k, c, Array.from({ length: 8 }, (_, n) => ({ n: 10 + n })), (i) => `c${i}`);
    expect(new Set(children.map((put) => put.shardId)).size).toBe(2);
    hubs.push(await startKinesisHub(k, c, { batchSize: 2 }));
    // Parent first, then both children (after a shard sync each): more hops than the other cases, so
    // a longer wait on a loaded machine (the order is what is checked, not the time).
    await waitDelivered(c, [...parent, ...children].map((put) => put.sequenceNumber), 20_000);
    const order = delivered(c);
    expect(order.slice(0, 5)).toEqual(parent.map((put) => put.sequenceNumber));
    expect((await checkpoints(redis, c))['shardId-000000000000']).toBe('SHARD_END');
  });

  it('drops the checkpoint of a consumer whose lease ran out and was taken over', async () => {
    const base = `t-${Date.now()}-lease:kinesis:worker:s`;
    const a = new ShardState(redis, base, 'a', 200, () => undefined);
    const b = new ShardState(redis, base, 'b', 200, () => undefined);
    expect(await a.acquire('shard-1')).toBe(true);
    expect(await b.acquire('shard-1')).toBe(false);
    expect(await a.save('shard-1', '10')).toBe(true);
    a.abandon(); // a stalls: no renewals
    await waitFor(() => b.acquire('shard-1'), 2000, 'b to take the expired lease');
    expect(await a.save('shard-1', '11')).toBe(false);
    expect(await b.checkpoint('shard-1')).toBe('10');
    await b.close();
    expect(await redis.exists(`${base}:lease:shard-1`)).toBe(0);
    await redis.del(`${base}:checkpoints`, `${base}:consumers`);
  });
});
