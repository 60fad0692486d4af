import type { Logger } from '../../../log.js';
import { PayloadBatch } from '../limits.js';
import { pause, pollLoop } from '../poll-loop.js';
import type { ShardPage, ShardReader, ShardStart } from './reader.js';

/** Timings of a shard mapping kind (each kind's object is mutable for tests only). */
export interface ShardTimings {
  /** An idle shard (caught up) is polled this often. */
  idlePollMs: number;
  /** Read errors (throttling, connection) back off from this, doubling, up to the cap. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Shard leases live this long unless renewed (every third of it). */
  leaseTtlMs: number;
  /** How often the shard list and the split between consumers are looked at again. */
  shardSyncMs: number;
}

export interface ShardPosition {
  /** The last sequence number done; reading resumes after it. */
  sequence?: string;
  /** Nothing done yet, but the shard was first read at LATEST at this time (epoch ms): resume there. */
  sinceMs?: number;
  /** Read from the shard's start (TRIM_HORIZON): a child shard, or a shard that was empty when first read at LATEST. */
  fromStart: boolean;
}

/** Where a mapping starts reading a shard with no checkpoint (Lambda's StartingPosition). */
export interface StartingPosition {
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** Unix seconds, with AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
}

export interface ShardWorkerOptions<Raw, R> {
  reader: ShardReader<Raw>;
  shardId: string;
  settings: StartingPosition;
  timings: ShardTimings;
  /** Prefix of log event names: `<kind>_poll_error`, `<kind>_shard_ended`. */
  kind: string;
  signal: AbortSignal;
  log: Logger;
  /** The shard's checkpoint (read again after an error). */
  position(): Promise<ShardPosition>;
  /** A record read, as the function gets it (built once; its JSON counts towards the payload limit). */
  build(raw: Raw): R;
  /** Runs one batch to its end (checkpointing as it goes); false when the mapping stopped first. */
  process(records: R[]): Promise<boolean>;
  /** After a read that found nothing (tumbling windows close here once their time is over). */
  idle?(): Promise<void>;
  /** The shard was read to its end and everything in it is done. */
  finish(): Promise<void>;
  /** How far behind the tip the last read was (when the service says). */
  onLag?(behindMs: number): void;
  /** After each read: no argument when it succeeded, else what failed (the worker backs off and retries). */
  onHealth?(error?: Error): void;
}

/**
 * One shard's poller: an iterator from the checkpoint, then reads in order (following the next
 * iterator, with the batching window), each batch run to its end before the next read. Records
 * read that did not fit in a batch's payload start the next one. A closed shard ends when a read
 * returns no next iterator and every record read is done. Errors back off and resume from the
 * checkpoint.
 */
export async function runShard<Raw, R>(options: ShardWorkerOptions<Raw, R>): Promise<'ended' | 'stopped'> {
  const { signal, log, shardId, timings, reader } = options;
  /** null: the shard was read to its end (what was carried is still to run). */
  let iterator: string | null | undefined;
  let carried: R[] = [];
  let ended = false;
  await pollLoop({
    signal, log, errorEvent: `${options.kind}_poll_error`, failure: `cannot read shard ${shardId}`, fields: { shardId },
    backoff: () => ({ baseMs: timings.backoffBaseMs, capMs: timings.backoffCapMs }),
    onHealth: (err) => options.onHealth?.(err),
  }, async () => {
    if (iterator === undefined) {
      iterator = await startIterator(options, iteratorStart(options.settings, await options.position()));
      if (iterator === undefined) throw new Error(`no iterator for shard ${shardId}`);
    }
    try {
      const read = await readBatch(options, iterator ?? undefined, carried);
      iterator = read.next ?? null;
      carried = read.rest;
      const { records } = read;
      if (records.length && !(await options.process(records))) return 'done';
      if (!records.length) await options.idle?.();
      if (carried.length) return undefined;
      if (iterator === null) {
        await options.finish();
        ended = true;
        log.info({ event: `${options.kind}_shard_ended`, shardId }, 'shard read to its end');
        return 'done';
      }
      return !read.records.length && !read.behindMs ? { waitMs: timings.idlePollMs } : undefined;
    } catch (err) {
      iterator = undefined; // read again from the checkpoint, carried records too
      carried = [];
      throw err;
    }
  });
  return ended ? 'ended' : 'stopped';
}

/**
 * An iterator at `start`. A checkpoint whose next records have left the stream (a DynamoDB stream
 * keeps them 24 hours: a hub stopped longer) is refused with TrimmedDataAccessException; as Lambda
 * resumes a mapping, reading goes on from the oldest record the stream still has.
 */
async function startIterator<Raw, R>(options: ShardWorkerOptions<Raw, R>, start: ShardStart): Promise<string | undefined> {
  const { reader, shardId, signal } = options;
  try {
    return await reader.iterator(shardId, start, signal);
  } catch (err) {
    if (start.type !== 'AFTER_SEQUENCE_NUMBER' || (err as Error | null)?.name !== 'TrimmedDataAccessException') throw err;
    options.log.warn({ event: `${options.kind}_checkpoint_trimmed`, shardId, sequence: start.sequence },
      `the records after shard ${shardId}'s checkpoint have left the stream: reading on from the oldest record it keeps`);
    return reader.iterator(shardId, { type: 'TRIM_HORIZON' }, signal);
  }
}

/** After the checkpoint; else at the LATEST mark; else from the start; else the startingPosition. */
function iteratorStart(settings: StartingPosition, position: ShardPosition): ShardStart {
  if (position.sequence) return { type: 'AFTER_SEQUENCE_NUMBER', sequence: position.sequence };
  if (position.sinceMs !== undefined) return { type: 'AT_TIMESTAMP', at: new Date(position.sinceMs) };
  if (position.fromStart) return { type: 'TRIM_HORIZON' };
  const at = settings.startingPositionTimestamp;
  if (settings.startingPosition === 'AT_TIMESTAMP') return { type: 'AT_TIMESTAMP', at: new Date((at ?? 0) * 1000) };
  return { type: settings.startingPosition };
}

/** A page read at the tip of the shard: not behind it (or, when the service does not say, shorter than asked). */
function atTip(page: ShardPage<unknown>, requested: number): boolean {
  return page.behindMs === undefined ? page.records.length < requested : !page.behindMs;
}

/**
 * Up to batchSize records, and no more than Lambda's 6 MB synchronous payload (a single larger
 * record goes alone); with a batching window, reads on (at the idle poll rate while caught up)
 * until the batch is full, the window that started with its first record has passed, or the shard
 * ends. `carried` records (read before, not fitting then) come first. Returns at once when the
 * first read finds nothing; `rest` holds what was read but did not fit.
 */
async function readBatch<Raw, R>(options: ShardWorkerOptions<Raw, R>, start: string | undefined, carried: R[]): Promise<ShardPage<R> & { rest: R[] }> {
  const { settings, signal, reader } = options;
  const batch = new PayloadBatch<R>(settings.batchSize);
  const { records, rest } = batch;
  batch.take(carried);
  let page: ShardPage<Raw> = { records: [], next: start };
  let windowEndsAt = records.length ? Date.now() + settings.maximumBatchingWindowInSeconds * 1000 : 0;
  // Carried records without a batching window go at once; otherwise the window is read to its end.
  if (records.length && !settings.maximumBatchingWindowInSeconds) return { records, rest, next: start };
  while (!batch.full && page.next !== undefined && !signal.aborted) {
    const requested = settings.batchSize - records.length;
    page = await reader.read(page.next, requested, signal);
    if (!records.length && page.records.length) windowEndsAt = Date.now() + settings.maximumBatchingWindowInSeconds * 1000;
    batch.take(page.records.map((raw) => options.build(raw)));
    if (page.behindMs !== undefined) options.onLag?.(page.behindMs);
    if (!records.length || batch.full || windowEndsAt - Date.now() < 1) break;
    if (!page.records.length || atTip(page, requested)) await pause(Math.min(options.timings.idlePollMs, windowEndsAt - Date.now()), signal);
  }
  return { records, rest, next: page.next, behindMs: page.behindMs };
}
