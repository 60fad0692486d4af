import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../src/log.js';
import { kinesisShardReader } from '../src/sources/kinesis/client.js';
import { KINESIS_TIMINGS } from '../src/sources/kinesis.js';
import { readableShards, type ShardInfo } from '../src/sources/kit/shards/reader.js';
import { CheckpointTracker, splitLanes } from '../src/sources/kit/shards/lanes.js';
import { kinesisSettingsSchema } from '../src/sources/kinesis/settings.js';
import { SHARD_END } from '../src/sources/kit/shards/shard-state.js';
import { runShard } from '../src/sources/kit/shards/shard-worker.js';

const issues = (input: unknown): string[] => {
  const parsed = kinesisSettingsSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('kinesis settings', () => {
  it('applies Lambda defaults', () => {
    expect(kinesisSettingsSchema.parse({ stream: 's', startingPosition: 'LATEST' })).toEqual({
      stream: 's', startingPosition: 'LATEST', batchSize: 100, maximumBatchingWindowInSeconds: 0, bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, parallelizationFactor: 1, tumblingWindowInSeconds: 0, functionResponseTypes: [], destinations: {},
    });
  });

  it('names the bad field', () => {
    expect(issues({ stream: 's', startingPosition: 'LATEST', parallelizationFactor: 11 })).toEqual(['parallelizationFactor: must be between 1 and 10']);
    expect(issues({ stream: 's', startingPosition: 'AT_TIMESTAMP' })).toEqual(['startingPositionTimestamp: is required with startingPosition AT_TIMESTAMP']);
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    expect(issues({ stream: 's', startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: inAnHour })).toEqual(['startingPositionTimestamp: cannot be in the future']);
    expect(issues({ stream: 's', startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: Date.now() }))
      .toEqual(['startingPositionTimestamp: cannot be in the future (it is in seconds: this looks like milliseconds)']);
    expect(issues({ stream: 's', startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: Date.now() / 1000 - 60 })).toEqual([]);
    expect(issues({ stream: 's', startingPosition: 'LATEST', endpoint: 'ftp://x' })).toEqual(['endpoint: must be an http:// or https:// URL']);
    expect(issues({ stream: 's', startingPosition: 'LATEST', shards: 2 })).toEqual([': unknown field "shards"']);
    expect(issues({ startingPosition: 'LATEST' })).toEqual(['stream: is required: the stream name']);
    expect(issues({ stream: 's', startingPosition: 'EARLIEST' })).toEqual(['startingPosition: must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP, not "EARLIEST"']);
    expect(issues({ stream: 's', startingPosition: 3 })).toEqual(['startingPosition: must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP']);
    expect(issues({ stream: 's' })).toEqual(['startingPosition: is required: one of TRIM_HORIZON, LATEST, AT_TIMESTAMP']);
  });
});

describe('kinesis lanes and checkpoints', () => {
  it('keeps each partition key in one lane, in order', () => {
    const records = Array.from({ length: 60 }, (_, n) => ({ key: `k${n % 6}`, n }));
    const lanes = splitLanes(records, 4, (record) => record.key);
    expect(lanes.length).toBeGreaterThan(1);
    expect(lanes.flat().length).toBe(60);
    for (const lane of lanes) expect(lane.map((record) => record.n)).toEqual([...lane.map((record) => record.n)].sort((a, b) => a - b));
    const laneOf = new Map(lanes.flatMap((lane, i) => lane.map((record) => [record.key, i] as const)));
    for (const lane of lanes) for (const record of lane) expect(laneOf.get(record.key)).toBe(lanes.indexOf(lane));
    expect(splitLanes(records, 1, (record) => record.key)).toEqual([records]);
  });

  it('checkpoints only up to the lowest unfinished record, saves in order', async () => {
    const saved: string[] = [];
    const tracker = new CheckpointTracker(['1', '2', '3', '4'], async (sequence) => { saved.push(sequence); });
    await tracker.markDone(['2', '4']);
    expect(saved).toEqual([]);
    await tracker.markDone(['1']);
    expect(saved).toEqual(['2']);
    await tracker.markDone(['3']);
    expect(saved).toEqual(['2', '4']);
  });

  it('reads child shards once every listed parent is finished', () => {
    const shards: ShardInfo[] = [
      { id: 'p', parents: [] },
      { id: 'c1', parents: ['p'] },
      { id: 'c2', parents: ['p', 'q'] },
      { id: 'm', parents: ['gone'] },
    ];
    expect(readableShards(shards, new Map(), SHARD_END).map((shard) => shard.id)).toEqual(['p', 'm']);
    expect(readableShards(shards, new Map([['p', SHARD_END]]), SHARD_END).map((shard) => shard.id)).toEqual(['c1', 'c2', 'm']);
  });
});

describe('kinesis shard poller', () => {
  const timings = { ...KINESIS_TIMINGS };
  afterEach(() => { Object.assign(KINESIS_TIMINGS, timings); });

  it('backs off on throttling, resumes from the checkpoint and ends a closed shard', async () => {
    Object.assign(KINESIS_TIMINGS, { backoffBaseMs: 40, idlePollMs: 10 });
    const calls: Array<{ name: string; at: number; input: Record<string, unknown> }> = [];
    let getRecords = 0;
    const throttled = Object.assign(new Error('Rate exceeded for shard'), { name: 'ProvisionedThroughputExceededException' });
    const client = {
      send: vi.fn(async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        calls.push({ name: command.constructor.name, at: Date.now(), input: command.input });
        if (command.constructor.name === 'GetShardIteratorCommand') return { ShardIterator: 'it' };
        getRecords += 1;
        if (getRecords <= 3) throw throttled;
        if (getRecords === 4) return { Records: [{ SequenceNumber: '7', PartitionKey: 'k', Data: new Uint8Array() }], NextShardIterator: 'it2', MillisBehindLatest: 0 };
        return { Records: [], MillisBehindLatest: 0 }; // closed and read to its end
      }),
    } as unknown as KinesisClient;
    const processed: string[] = [];
    let finished = false;
    const result = await runShard({
      reader: kinesisShardReader(async () => client, 's'), shardId: 'shardId-000000000000', log: silentLogger(), signal: new AbortController().signal,
      settings: kinesisSettingsSchema.parse({ stream: 's', startingPosition: 'TRIM_HORIZON' }), timings: KINESIS_TIMINGS, kind: 'kinesis',
      position: async () => ({ sequence: '5', fromStart: false }),
      build: (raw) => raw,
      process: async (records) => { processed.push(...records.map((record) => record.SequenceNumber!)); return true; },
      finish: async () => { finished = true; },
    });
    expect(result).toBe('ended');
    expect(finished).toBe(true);
    expect(processed).toEqual(['7']);
    const iterators = calls.filter((call) => call.name === 'GetShardIteratorCommand');
    expect(iterators.length).toBe(4); // once, then again after each error
    expect(iterators[0].input).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '5' });
    const reads = calls.filter((call) => call.name === 'GetRecordsCommand').map((call) => call.at);
    expect(reads[1] - reads[0]).toBeGreaterThanOrEqual(35);
    expect(reads[2] - reads[1]).toBeGreaterThanOrEqual(75);
    expect(reads[3] - reads[2]).toBeGreaterThanOrEqual(155);
  });

  it('runs what did not fit in a batch\'s 6 MB before it ends a closed shard', async () => {
    const big = (n: number) => ({ SequenceNumber: String(n), PartitionKey: 'k', Data: Buffer.alloc(2_000_000) }); // 2.7 MB in base64
    const pages = [{ Records: [big(1), big(2), big(3)] }, { Records: [] }]; // then closed: no next iterator
    const client = {
      send: async (command: { constructor: { name: string } }) => (command.constructor.name === 'GetShardIteratorCommand'
        ? { ShardIterator: 'it' }
        : { ...pages.shift(), NextShardIterator: undefined, MillisBehindLatest: 0 }),
    } as unknown as KinesisClient;
    const batches: string[][] = [];
    let finishedAfter: number | undefined;
    const result = await runShard({
      reader: kinesisShardReader(async () => client, 's'), shardId: 'shardId-000000000000', log: silentLogger(), signal: new AbortController().signal,
      settings: kinesisSettingsSchema.parse({ stream: 's', startingPosition: 'TRIM_HORIZON' }), timings: KINESIS_TIMINGS, kind: 'kinesis',
      position: async () => ({ fromStart: true }),
      build: (raw) => ({ kinesis: { sequenceNumber: raw.SequenceNumber!, data: Buffer.from(raw.Data!).toString('base64') } }),
      process: async (records) => { batches.push(records.map((record) => record.kinesis.sequenceNumber)); return true; },
      finish: async () => { finishedAfter = batches.length; },
    });
    expect(result).toBe('ended');
    expect(batches).toEqual([['1', '2'], ['3']]);
    expect(finishedAfter).toBe(2);
  });
});
