import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeStreamSummaryCommand, type _Record, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import type { FunctionConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import { buildEnvelope } from '../router/envelope.js';
import { compileFilterCriteria, type RecordFilter } from '../filters/criteria.js';
import { kinesisClient, listShards, readableShards } from './kinesis/client.js';
import { CheckpointTracker, splitLanes } from './kinesis/lanes.js';
import {
  arrivalMsOf, KINESIS_ENVELOPE_TYPE, kinesisBatchInfo, toKinesisRecord,
  type KinesisIdentity, type KinesisStreamEvent, type KinesisStreamRecord,
} from './kinesis/records.js';
import { kinesisSettingsSchema, type KinesisSettings } from './kinesis/settings.js';
import { LATEST_MARK, SHARD_END, ShardState } from './kinesis/shard-state.js';
import { KINESIS_TIMINGS, runShard, type ShardPosition } from './kinesis/shard-worker.js';
import { backoffDelay } from './backoff.js';
import { defineSourceKind, throttledPoller, type Source, type SourceContext } from './source.js';
import { reportsItemFailures } from './kit/settings.js';
import { defaultRetryDelayMs, processStreamBatch, type StreamBatchDeps } from './streams-common/batch.js';
import { onFailureProblems, sendFailureRecord, streamFailureRecord } from './streams-common/failure-record.js';

export { KINESIS_TIMINGS };

/** The key of shard-listing errors among the shard ids in KinesisSource.errors. */
const LISTING = 'ListShards';
const live = new Set<KinesisSource>();
/** Running Kinesis sources of this process (tests simulate a crashed hub with `crash()`). */
export const liveKinesisSources = (): KinesisSource[] => [...live];

/**
 * A Kinesis event source mapping with Lambda's semantics: every shard polled in order by one
 * consumer across all hubs (Redis shard leases, split evenly between live consumers), each batch
 * run to its end (retries, bisect, record age, on-failure record) and checkpointed per shard in
 * Redis; a child shard is read once its parents are finished.
 */
export class KinesisSource implements Source {
  readonly id: string;
  /** This poller's identity in leases: `<hostname>-<pid>-<random>`. */
  readonly consumer = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly abort = new AbortController();
  private readonly filter: RecordFilter;
  private readonly workers = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private client?: KinesisClient;
  private state?: ShardState;
  private running?: Promise<void>;
  private stopping?: Promise<void>;
  private crashed = false;
  private log?: Logger;
  /** MillisBehindLatest per shard, from the last read. */
  readonly lag = new Map<string, number>();
  /** What fails now, by shard id (LISTING: the shard listing), latest last: the source is failing while any fails. */
  private readonly errors = new Map<string, string>();

  constructor(private readonly fn: FunctionConfig, private readonly settings: KinesisSettings, index: number) {
    this.id = `kinesis:${fn.name}:${index}`;
    this.filter = compileFilterCriteria(settings.filterCriteria, 'data');
  }

  async start(context: SourceContext): Promise<void> {
    const { settings, fn } = this;
    const log = context.logger.child({ source: this.id });
    this.log = log;
    if (throttledPoller(context, fn, this.id, log, `Kinesis stream ${settings.stream}`)) return;
    this.client = kinesisClient(settings);
    const base = `${context.config.queuePrefix}:kinesis:${fn.name}:${settings.stream}`;
    this.state = new ShardState(context.redis, base, this.consumer, KINESIS_TIMINGS.leaseTtlMs, (shardId) => {
      log.warn({ event: 'kinesis_lease_lost', shardId }, `lost the lease of ${shardId}`);
      this.workers.get(shardId)?.abort.abort();
    });
    live.add(this);
    log.info({ event: 'kinesis_source_started', stream: settings.stream, consumer: this.consumer }, `polling Kinesis stream ${settings.stream}`);
    this.running = this.coordinate(context, this.client, this.state, log)
      .catch((err: unknown) => log.error({ event: 'kinesis_source_failed', err }, 'kinesis poller failed'));
  }

  /** Stops every shard poller (waiting for batches in flight), releases the leases. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      live.delete(this);
      this.abort.abort();
      await this.running;
      await Promise.all([...this.workers.values()].map((worker) => worker.done));
      if (!this.crashed) await this.state?.close().catch(() => undefined);
      this.client?.destroy();
      this.log?.info({ event: 'kinesis_source_stopped' }, 'kinesis poller stopped');
    })();
    return this.stopping;
  }

  /** Test hook: stops polling and renewing without releasing leases, as a killed process would. */
  crash(): Promise<void> {
    this.crashed = true;
    this.state?.abandon();
    return this.stop();
  }

  /** Looks at the shards every shardSyncMs: takes free readable shards up to an even share, gives up surplus. */
  private async coordinate(context: SourceContext, client: KinesisClient, state: ShardState, log: Logger): Promise<void> {
    const { signal } = this.abort;
    let stream: KinesisIdentity | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        stream ??= await this.identify(context, client);
        const [shards, consumers, checkpoints] = await Promise.all([listShards(client, this.settings.stream), state.heartbeat(), state.checkpoints()]);
        const readable = readableShards(shards, checkpoints, SHARD_END);
        const share = Math.ceil(readable.length / Math.max(1, consumers));
        for (const shardId of [...this.workers.keys()].slice(share)) this.workers.get(shardId)?.abort.abort();
        for (const shard of readable) {
          if (this.workers.size >= share || signal.aborted) break;
          if (!this.workers.has(shard.ShardId!) && (await state.acquire(shard.ShardId!))) this.startShard(shard, context, client, state, stream, log);
        }
        failures = 0;
        this.health(context, LISTING);
        await delay(KINESIS_TIMINGS.shardSyncMs, undefined, { signal }).catch(() => undefined);
      } catch (err) {
        if (signal.aborted) break;
        failures += 1;
        const retryInMs = backoffDelay(failures, KINESIS_TIMINGS.backoffBaseMs, KINESIS_TIMINGS.backoffCapMs);
        log.warn({ event: 'kinesis_shards_error', attempt: failures, retryInMs, code: (err as Error).name, message: (err as Error).message },
          `cannot list the shards of ${this.settings.stream}; retrying in ${retryInMs} ms`);
        this.health(context, LISTING, err as Error);
        await delay(retryInMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Records that `key` (a shard, or LISTING) now reads fine or fails; reports failing with the latest error while anything fails. */
  private health(context: SourceContext, key: string, error?: Error): void {
    this.errors.delete(key);
    if (error) this.errors.set(key, `${error.name}: ${error.message}`);
    const lastError = [...this.errors.values()].at(-1);
    context.report?.(this.id, lastError === undefined ? { state: 'running' } : { state: 'failing', lastError });
  }

  private async identify(context: SourceContext, client: KinesisClient): Promise<KinesisIdentity> {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: this.settings.stream }));
    return {
      streamArn: out.StreamDescriptionSummary!.StreamARN!,
      region: await client.config.region(),
      identityArn: `arn:aws:iam::${context.config.accountId}:role/triggerhub-${this.fn.name}`,
    };
  }

  private startShard(shard: Shard, context: SourceContext, client: KinesisClient, state: ShardState, stream: KinesisIdentity, log: Logger): void {
    const shardId = shard.ShardId!;
    const abort = new AbortController();
    if (this.abort.signal.aborted) abort.abort();
    else this.abort.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const shardLog = log.child({ shardId });
    const saveOrStop = async (sequence: string): Promise<void> => {
      if (await state.save(shardId, sequence)) return;
      abort.abort();
      throw new Error(`lost the lease of ${shardId}`);
    };
    shardLog.info({ event: 'kinesis_shard_taken', consumer: this.consumer }, `reading shard ${shardId}`);
    const done = runShard({
      client, streamName: this.settings.stream, shardId, settings: this.settings, signal: abort.signal, log: shardLog,
      position: () => this.position(shard, state, saveOrStop),
      process: (records) => {
        // Iterator age as Lambda's IteratorAge: how old the batch's last record is when read.
        context.report?.(this.id, { lagMs: Date.now() - (records.at(-1)?.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) });
        return this.runBatch(records, shardId, stream, context, saveOrStop, abort.signal, shardLog);
      },
      finish: () => saveOrStop(SHARD_END),
      onLag: (ms) => this.lag.set(shardId, ms),
      onHealth: (error) => this.health(context, shardId, error),
    }).catch((err: unknown) => shardLog.error({ event: 'kinesis_shard_failed', err }, 'shard poller failed'))
      .finally(async () => {
        if (!this.crashed) await state.release(shardId).catch(() => undefined);
        this.workers.delete(shardId);
        this.lag.delete(shardId);
        this.errors.delete(shardId);
      });
    this.workers.set(shardId, { abort, done: done.then(() => undefined) });
  }

  /**
   * Where a shard's reading starts: after its checkpoint; else at the startingPosition (children
   * of resharding: TRIM_HORIZON). A first read at LATEST leaves a `LATEST@<ms>` mark, so that a
   * restart before any record was done resumes there (AT_TIMESTAMP) instead of at a later LATEST.
   */
  private async position(shard: Shard, state: ShardState, save: (value: string) => Promise<void>): Promise<ShardPosition> {
    const child = Boolean(shard.ParentShardId);
    const checkpoint = await state.checkpoint(shard.ShardId!);
    if (checkpoint?.startsWith(LATEST_MARK)) return { since: Number(checkpoint.slice(LATEST_MARK.length)) / 1000, child };
    if (checkpoint === undefined && !child && this.settings.startingPosition === 'LATEST') await save(`${LATEST_MARK}${Date.now()}`);
    return { sequence: checkpoint, child };
  }

  /** Drops what no filter matches, runs the rest in partition-key lanes; the checkpoint follows the lowest unfinished record. */
  private async runBatch(
    raw: _Record[], shardId: string, stream: KinesisIdentity, context: SourceContext,
    save: (sequence: string) => Promise<void>, signal: AbortSignal, log: Logger,
  ): Promise<boolean> {
    const records = raw.map((record) => toKinesisRecord(record, shardId, stream));
    const tracker = new CheckpointTracker(records.map(sequenceOf), save);
    const matched = records.filter((record) => this.filter(record.kinesis as unknown as Record<string, unknown>));
    if (matched.length < records.length) {
      const kept = new Set(matched);
      await tracker.markDone(records.filter((record) => !kept.has(record)).map(sequenceOf));
      log.debug({ event: 'kinesis_records_filtered', count: records.length - matched.length }, 'records matched no filter; checkpointed');
    }
    const deps = this.batchDeps(shardId, stream, context, tracker, signal, log);
    const lanes = splitLanes(matched, this.settings.parallelizationFactor, (record) => record.kinesis.partitionKey);
    const results = await Promise.allSettled(lanes.map((lane) => processStreamBatch(lane, deps)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return results.every((result) => result.status === 'fulfilled' && result.value);
  }

  private batchDeps(
    shardId: string, stream: KinesisIdentity, context: SourceContext, tracker: CheckpointTracker, signal: AbortSignal, log: Logger,
  ): StreamBatchDeps<KinesisStreamRecord> {
    const { settings, fn } = this;
    return {
      policy: {
        maximumRetryAttempts: settings.maximumRetryAttempts,
        maximumRecordAgeInSeconds: settings.maximumRecordAgeInSeconds,
        bisectBatchOnFunctionError: settings.bisectBatchOnFunctionError,
        reportBatchItemFailures: reportsItemFailures(settings),
        retryDelayMs: defaultRetryDelayMs,
      },
      sequenceOf,
      arrivalMsOf,
      invoke: (records) => context.invokeSync(fn, buildEnvelope<KinesisStreamEvent>({
        source: stream.streamArn, type: KINESIS_ENVELOPE_TYPE, subject: shardId, data: { Records: records },
      })),
      checkpoint: (records) => tracker.markDone(records.map(sequenceOf)),
      onFailure: async (failure) => {
        const target = settings.destinations.onFailure;
        if (!target) return;
        const info = kinesisBatchInfo(failure.records, shardId, stream.streamArn);
        await sendFailureRecord(context, target, streamFailureRecord(failure, fn, context.config, 'KinesisBatchInfo', info));
      },
      signal,
      log,
    };
  }
}

const sequenceOf = (record: KinesisStreamRecord): string => record.kinesis.sequenceNumber;

export const kinesisKind = defineSourceKind({
  name: 'kinesis',
  settings: kinesisSettingsSchema,
  check: onFailureProblems,
  create: (fn, settings, index) => new KinesisSource(fn, settings, index),
});
