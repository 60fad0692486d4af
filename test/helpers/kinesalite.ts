import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KINESIS_TIMINGS } from '../../src/sources/kinesis.js';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './hub.js';

/** An in-process kinesalite on a loopback port (one per test file). */
export interface Kinesalite {
  endpoint: string;
  client: KinesisClient;
  close(): Promise<void>;
}

/**
 * `port` 0 picks a free one; a given port starts a fresh (empty) kinesalite where a closed one was.
 * `region` is the one its stream ARNs name (kinesalite reads AWS_REGION when it starts).
 */
export async function startKinesalite(port = 0, region = 'us-east-1'): Promise<Kinesalite> {
  // The hub's client uses the SDK's standard credential chain.
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  // Test timings: fast idle polls, shard syncs and lease expiry.
  Object.assign(KINESIS_TIMINGS, { idlePollMs: 50, shardSyncMs: 150, leaseTtlMs: 1200, backoffBaseMs: 100 });
  const kinesalite = (await import('kinesalite')).default as (options: object) => Server;
  const saved = process.env.AWS_REGION;
  process.env.AWS_REGION = region;
  let server: Server;
  try {
    server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  } finally {
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  }
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new KinesisClient({
    endpoint, region: 'us-east-1', requestHandler: new NodeHttpHandler(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      // Connections go with it, as when the process dies (a polling hub keeps its keep-alive one busy).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A unique stream (created, ACTIVE), a queue prefix, and the files the functions record to. */
export interface KinesisCase {
  stream: string;
  prefix: string;
  callsFile: string;
  failuresFile: string;
}

export async function kinesisCase(k: Kinesalite, shards = 1): Promise<KinesisCase> {
  const id = randomUUID().slice(0, 8);
  const dir = tempDir('th-kinesis-');
  const c = { stream: `t-kinesis-${id}`, prefix: `t-${id}`, callsFile: path.join(dir, 'calls.jsonl'), failuresFile: path.join(dir, 'failures.jsonl') };
  await createStream(k, c.stream, shards);
  return c;
}

/** Creates the stream and waits until it is ACTIVE. */
export async function createStream(k: Kinesalite, stream: string, shards = 1): Promise<void> {
  await k.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitFor(async () => {
    const out = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, 5000, 'the stream to be ACTIVE');
}

/** `worker` (test/fixtures/kinesis/worker.mjs) fed by one kinesis mapping; `failures` records what it gets. */
export function startKinesisHub(k: Kinesalite, c: KinesisCase, kinesis: Record<string, unknown> = {}, hub: Record<string, unknown> = {}): Promise<TestHub> {
  return startTestHub({
    ...hub,
    queuePrefix: c.prefix,
    functions: {
      worker: {
        handler: '../kinesis/worker.handler',
        environment: { CALLS_FILE: c.callsFile },
        events: [{ kinesis: { stream: c.stream, startingPosition: 'TRIM_HORIZON', endpoint: k.endpoint, region: 'us-east-1', ...kinesis } }],
      },
      failures: { handler: 'record.handler', environment: { CALLS_FILE: c.failuresFile } },
    },
  });
}

export interface Put {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
}

/** PutRecord each JSON value in turn (partition key `pk`, or the given function of the index). */
export async function putRecords(k: Kinesalite, c: KinesisCase, values: unknown[], key: (i: number) => string = () => 'pk'): Promise<Put[]> {
  const puts: Put[] = [];
  for (const [i, value] of values.entries()) {
    const partitionKey = key(i);
    const out = await k.client.send(new PutRecordCommand({
      StreamName: c.stream, PartitionKey: partitionKey, Data: Buffer.from(JSON.stringify(value)),
    }));
    puts.push({ shardId: out.ShardId!, sequenceNumber: out.SequenceNumber!, partitionKey });
  }
  return puts;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export const events = (file: string): Json[] => readLines(file).map((line) => JSON.parse(line));
/** Sequence numbers of every record the worker received, in order (one per delivery). */
export const delivered = (c: KinesisCase): string[] => events(c.callsFile).flatMap((event) => event.Records.map((r: Json) => r.kinesis.sequenceNumber));
/** Each invocation's sequence numbers. */
export const batches = (c: KinesisCase): string[][] => events(c.callsFile).map((event) => event.Records.map((r: Json) => r.kinesis.sequenceNumber));
export const decoded = (record: Json): Json => JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));

/** Waits until every sequence number was delivered at least once. */
export async function waitDelivered(c: KinesisCase, sequences: string[], timeoutMs = 10_000): Promise<void> {
  await waitFor(() => {
    const seen = new Set(delivered(c));
    return sequences.every((sequence) => seen.has(sequence));
  }, timeoutMs, 'every record delivered');
}

export function failureRecords(c: KinesisCase): Json[] | undefined {
  const records = events(c.failuresFile);
  return records.length ? records : undefined;
}

/** The mapping's checkpoints in Redis (shard id → last sequence number done, or SHARD_END). */
export const checkpoints = (redis: import('ioredis').Redis, c: KinesisCase): Promise<Record<string, string>> =>
  redis.hgetall(`${c.prefix}:kinesis:worker:${c.stream}:checkpoints`);

/** Shard id → the consumer holding its lease. */
export async function leaseOwners(redis: import('ioredis').Redis, c: KinesisCase): Promise<Record<string, string>> {
  const prefix = `${c.prefix}:kinesis:worker:${c.stream}:lease:`;
  const keys = await redis.keys(`${prefix}*`);
  const owners: Record<string, string> = {};
  for (const key of keys) {
    const owner = await redis.get(key);
    if (owner) owners[key.slice(prefix.length)] = owner;
  }
  return owners;
}
