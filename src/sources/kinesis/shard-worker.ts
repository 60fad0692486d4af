import { setTimeout as delay } from 'node:timers/promises';
import {
  GetRecordsCommand, GetShardIteratorCommand, type _Record, type GetShardIteratorCommandInput, type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { Logger } from '../../log.js';
import type { KinesisSettings } from './settings.js';
import { backoffDelay } from '../backoff.js';

/** Timings of every Kinesis mapping (mutable for tests only). */
export const KINESIS_TIMINGS = {
  /** An idle shard (caught up) is polled this often. */
  idlePollMs: 1000,
  /** Read errors (throttling, connection) back off from this, doubling, up to the cap. */
  backoffBaseMs: 1000,
  backoffCapMs: 30_000,
  /** Shard leases live this long unless renewed (every third of it). */
  leaseTtlMs: 10_000,
  /** How often the shard list and the split between consumers are looked at again. */
  shardSyncMs: 5000,
};

export interface ShardPosition {
  /** The last sequence number done; reading resumes after it. */
  sequence?: string;
  /** Nothing done yet, but the shard was first read at LATEST at this time (seconds): resume there. */
  since?: number;
  /** The shard has parents: without a checkpoint it is read from its start (TRIM_HORIZON). */
  child: boolean;
}

export interface ShardWorkerOptions {
  client: KinesisClient;
  streamName: string;
  shardId: string;
  settings: KinesisSettings;
  signal: AbortSignal;
  log: Logger;
  /** The shard's checkpoint (read again after an error). */
  position(): Promise<ShardPosition>;
  /** Runs one batch to its end (checkpointing as it goes); false when the mapping stopped first. */
  process(records: _Record[]): Promise<boolean>;
  /** The shard was read to its end and everything in it is done. */
  finish(): Promise<void>;
  /** MillisBehindLatest of the last GetRecords. */
  onLag?(millisBehindLatest: number): void;
  /** After each read: no argument when it succeeded, else what failed (the worker backs off and retries). */
  onHealth?(error?: Error): void;
}

/**
 * One shard's poller: GetShardIterator from the checkpoint, then GetRecords in order (following
 * NextShardIterator, with the batching window), each batch run to its end before the next read.
 * A closed shard ends when GetRecords returns no NextShardIterator. Errors back off and resume
 * from the checkpoint.
 */
export async function runShard(options: ShardWorkerOptions): Promise<'ended' | 'stopped'> {
  const { signal, log, shardId } = options;
  let iterator: string | undefined;
  let failures = 0;
  while (!signal.aborted) {
    try {
      iterator ??= await shardIterator(options, await options.position());
      const read = await readBatch(options, iterator);
      iterator = read.next;
      failures = 0;
      options.onHealth?.();
      if (read.records.length && !(await options.process(read.records))) return 'stopped';
      if (!iterator) {
        await options.finish();
        log.info({ event: 'kinesis_shard_ended', shardId }, 'shard read to its end');
        return 'ended';
      }
      if (!read.records.length && !read.behindMs) await pause(KINESIS_TIMINGS.idlePollMs, signal);
    } catch (err) {
      if (signal.aborted) break;
      failures += 1;
      iterator = undefined;
      const retryInMs = backoffDelay(failures, KINESIS_TIMINGS.backoffBaseMs, KINESIS_TIMINGS.backoffCapMs);
      log.warn({ event: 'kinesis_poll_error', shardId, attempt: failures, retryInMs, code: (err as Error).name, message: (err as Error).message },
        `cannot read shard ${shardId}; retrying in ${retryInMs} ms`);
      options.onHealth?.(err as Error);
      await pause(retryInMs, signal);
    }
  }
  return 'stopped';
}

async function shardIterator(options: ShardWorkerOptions, position: ShardPosition): Promise<string | undefined> {
  const out = await options.client.send(new GetShardIteratorCommand({
    StreamName: options.streamName, ShardId: options.shardId, ...iteratorStart(options.settings, position),
  }), { abortSignal: options.signal });
  return out.ShardIterator;
}

/** After the checkpoint; else at the LATEST mark; else a child shard from its start; else the startingPosition. */
function iteratorStart(settings: KinesisSettings, position: ShardPosition): Omit<GetShardIteratorCommandInput, 'ShardId'> {
  if (position.sequence) return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: position.sequence };
  if (position.since !== undefined) return { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(position.since * 1000) };
  if (position.child) return { ShardIteratorType: 'TRIM_HORIZON' };
  const at = settings.startingPositionTimestamp;
  return { ShardIteratorType: settings.startingPosition, ...(at === undefined ? {} : { Timestamp: new Date(at * 1000) }) };
}

/**
 * Up to batchSize records; with a batching window, reads on (at the idle poll rate while caught
 * up) until the batch is full, the window that started with its first record has passed, or the
 * shard ends. Returns at once when the first read finds nothing.
 */
async function readBatch(options: ShardWorkerOptions, start: string | undefined): Promise<{ records: _Record[]; next?: string; behindMs: number }> {
  const { settings, signal } = options;
  const records: _Record[] = [];
  let next = start;
  let behindMs = 0;
  let windowEndsAt = 0;
  while (next && !signal.aborted) {
    const out = await options.client.send(new GetRecordsCommand({ ShardIterator: next, Limit: settings.batchSize - records.length }), { abortSignal: signal });
    if (!records.length && out.Records?.length) windowEndsAt = Date.now() + settings.maximumBatchingWindowInSeconds * 1000;
    records.push(...(out.Records ?? []));
    next = out.NextShardIterator;
    behindMs = out.MillisBehindLatest ?? 0;
    options.onLag?.(behindMs);
    const remainingMs = windowEndsAt - Date.now();
    if (!records.length || records.length >= settings.batchSize || remainingMs < 1) break;
    if (!out.Records?.length || !behindMs) await pause(Math.min(KINESIS_TIMINGS.idlePollMs, remainingMs), signal);
  }
  return { records, next, behindMs };
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
