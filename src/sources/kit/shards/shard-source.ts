import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FunctionConfig } from '../../../config/load.js';
import { compileFilterCriteria, type RecordFilter } from '../../../filters/criteria.js';
import type { Logger } from '../../../log.js';
import { throttledPoller, type Source, type SourceContext } from '../../source.js';
import { MappingJournal } from '../journal.js';
import { pollLoop } from '../poll-loop.js';
import { lastSequence, readableShards, type ShardInfo, type ShardReader, type StreamDescription } from './reader.js';
import { runShardBatch, type ShardBatchContext } from './shard-batch.js';
import { ShardWindows } from './tumbling-window.js';
import { closeEndedWindow } from './window-invoke.js';
import { FROM_START, LATEST_MARK, SHARD_END, ShardState } from './shard-state.js';
import type { ShardKindSpec, ShardStream } from './shard-stream.js';
import { runShard, type ShardPosition } from './shard-worker.js';

interface Running<Raw, R> {
  context: SourceContext;
  reader: ShardReader<Raw>;
  state: ShardState;
  stream: ShardStream<Raw, R>;
  journal: MappingJournal;
  log: Logger;
}

/** Shard listings between two descriptions of a stream that reads fine (a minute at the default 5 s). */
const REDESCRIBE_ROUNDS = 12;
/** The key of shard-listing errors among the shard ids in ShardSource.errors. */
const LISTING = 'ListShards';
const live = new Set<ShardSource<unknown, unknown>>();
/** Running shard sources of this process, of one kind (tests simulate a crashed hub with `crash()`). */
export const liveShardSources = (kind: string): Array<ShardSource<unknown, unknown>> => [...live].filter((source) => source.kind === kind);

/**
 * A sharded stream mapping (Kinesis, DynamoDB Streams) with Lambda's semantics: every shard polled
 * in order by one consumer across all hubs (Redis shard leases, split evenly between live
 * consumers), each batch run to its end (lanes, retries, bisect, record age, on-failure record)
 * and checkpointed per shard in Redis; a child shard is read once its parents are finished.
 */
export class ShardSource<Raw, R> implements Source {
  readonly id: string;
  readonly kind: string;
  /** This poller's identity in leases: `<hostname>-<pid>-<random>`. */
  readonly consumer = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  /** How far behind the tip each shard's last read was (when the service says). */
  readonly lag = new Map<string, number>();
  private readonly abort = new AbortController();
  private readonly filter: RecordFilter;
  private readonly workers = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** What fails now, by shard id (LISTING: the shard listing), latest last: the source is failing while any fails. */
  private readonly errors = new Map<string, string>();
  private reader?: ShardReader<Raw>;
  private state?: ShardState;
  private running?: Promise<void>;
  private stopping?: Promise<void>;
  private crashed = false;
  private log?: Logger;

  constructor(private readonly fn: FunctionConfig, index: number, private readonly spec: ShardKindSpec<Raw, R>) {
    this.kind = spec.kind;
    this.id = `${spec.kind}:${fn.name}:${index}`;
    this.filter = compileFilterCriteria(spec.settings.filterCriteria, spec.filter.dataField, spec.filter.encoding);
  }

  async start(context: SourceContext): Promise<void> {
    const { spec, fn } = this;
    const log = context.logger.child({ source: this.id });
    this.log = log;
    if (throttledPoller(context, fn, this.id, log, `${spec.kind} stream ${spec.streamName}`)) return;
    const reader = (this.reader = spec.openReader(context));
    const base = `${context.config.queuePrefix}:${spec.kind}:${fn.name}:${spec.streamName}`;
    const state = (this.state = new ShardState(context.redis, base, this.consumer, spec.timings.leaseTtlMs, (shardId) => {
      log.warn({ event: `${spec.kind}_lease_lost`, shardId }, `lost the lease of ${shardId}`);
      this.workers.get(shardId)?.abort.abort();
    }));
    live.add(this as ShardSource<unknown, unknown>);
    log.info({ event: `${spec.kind}_source_started`, stream: spec.streamName, consumer: this.consumer }, `polling ${spec.kind} stream ${spec.streamName}`);
    this.running = this.coordinate(context, reader, state, log)
      .catch((err: unknown) => log.error({ event: `${spec.kind}_source_failed`, err }, 'shard poller failed'));
  }

  /** Stops every shard poller (waiting for batches in flight), releases the leases. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      live.delete(this as ShardSource<unknown, unknown>);
      this.abort.abort();
      await this.running;
      await Promise.all([...this.workers.values()].map((worker) => worker.done));
      if (!this.crashed) await this.state?.close().catch(() => undefined);
      this.reader?.close();
      this.log?.info({ event: `${this.kind}_source_stopped` }, 'shard poller stopped');
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
  private async coordinate(context: SourceContext, reader: ShardReader<Raw>, state: ShardState, log: Logger): Promise<void> {
    const { signal } = this.abort;
    const { spec } = this;
    let stream: ShardStream<Raw, R> | undefined;
    let incarnation: string | undefined;
    let rounds = 0;
    const journal = new MappingJournal(context, this.id, log);
    await pollLoop({
      signal, log, errorEvent: `${spec.kind}_shards_error`, failure: `cannot list the shards of ${spec.streamName}`,
      backoff: () => ({ baseMs: spec.timings.backoffBaseMs, capMs: spec.timings.backoffCapMs }),
      onHealth: (err) => this.health(context, LISTING, err),
    }, async () => {
      // Described again while something fails, and every REDESCRIBE_ROUNDS listings (DescribeStreamSummary has a low account quota).
      if (!stream || this.errors.size > 0 || ++rounds % REDESCRIBE_ROUNDS === 0) {
        const described = await reader.describe(signal);
        if (!stream || described.incarnation !== incarnation) {
          stream = await this.bind(described, { context, reader, state, log }, stream !== undefined);
          incarnation = described.incarnation;
        }
      }
      const [shards, consumers, checkpoints] = await Promise.all([reader.listShards(signal), state.heartbeat(), state.checkpoints()]);
      const readable = readableShards(shards, checkpoints, SHARD_END);
      const share = Math.ceil(readable.length / Math.max(1, consumers));
      for (const shardId of [...this.workers.keys()].slice(share)) this.workers.get(shardId)?.abort.abort();
      for (const shard of readable) {
        if (this.workers.size >= share || signal.aborted) break;
        if (!this.workers.has(shard.id) && (await state.acquire(shard.id))) this.startShard(shard, { context, reader, state, stream, journal, log });
      }
      return { waitMs: spec.timings.shardSyncMs };
    });
  }

  /**
   * The stream as described, its state in Redis bound to it: checkpoints of a former stream of that
   * name are dropped and it is read from the starting position. A stream created again while this
   * mapping read the former one (its service restarted empty, or it was deleted and made again)
   * holds only records that came after: the shard pollers stop, and every shard is read from its start.
   */
  private async bind(
    described: StreamDescription, { context, reader, state, log }: Omit<Running<Raw, R>, 'stream' | 'journal'>, replacing: boolean,
  ): Promise<ShardStream<Raw, R>> {
    const workers = [...this.workers.values()];
    for (const worker of workers) worker.abort.abort();
    await Promise.all(workers.map((worker) => worker.done));
    const fromStart = replacing ? (await reader.listShards(this.abort.signal)).map((shard) => shard.id) : [];
    if ((await state.adopt(described.incarnation, fromStart)) || replacing) {
      log.warn({ event: `${this.kind}_stream_recreated`, stream: described.arn, incarnation: described.incarnation },
        replacing ? 'the stream was created again while it was read: every shard is read from its start'
          : 'the stream was created again since the checkpoints were saved: they are dropped and it is read from the starting position');
    }
    return { ...this.spec.stream(described, context), retentionSeconds: described.retentionSeconds };
  }

  /** Records that `key` (a shard, or LISTING) now reads fine or fails; reports failing with the latest error while anything fails. */
  private health(context: SourceContext, key: string, error?: Error): void {
    this.errors.delete(key);
    if (error) this.errors.set(key, `${error.name}: ${error.message}`);
    const lastError = [...this.errors.values()].at(-1);
    context.report?.(this.id, lastError === undefined ? { state: 'running' } : { state: 'failing', lastError });
  }

  private startShard(shard: ShardInfo, running: Running<Raw, R>): void {
    const { context, reader, state, stream, log } = running;
    const { spec } = this;
    const shardId = shard.id;
    const abort = new AbortController();
    if (this.abort.signal.aborted) abort.abort();
    else this.abort.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const shardLog = log.child({ shardId });
    const save = async (sequence: string): Promise<void> => {
      if (await state.save(shardId, sequence)) return;
      abort.abort();
      throw new Error(`lost the lease of ${shardId}`);
    };
    const windowMs = spec.settings.tumblingWindowInSeconds * 1000;
    const batch: ShardBatchContext<R> = {
      fn: this.fn, settings: spec.settings, stream, filter: this.filter, context, shardId, save, signal: abort.signal, log: shardLog,
      journal: running.journal,
      windows: windowMs ? new ShardWindows(context.redis, running.state.windowsKey, shardId, windowMs) : undefined,
    };
    shardLog.info({ event: `${spec.kind}_shard_taken`, consumer: this.consumer }, `reading shard ${shardId}`);
    const done = runShard({
      reader, shardId, settings: spec.settings, timings: spec.timings, kind: spec.kind, signal: abort.signal, log: shardLog,
      position: () => this.position(shard, reader, state, save),
      build: (raw) => stream.toRecord(raw, shardId),
      process: (records) => {
        // Iterator age as Lambda's IteratorAge: how old the batch's last record is when read.
        context.report?.(this.id, { lagMs: Date.now() - stream.arrivalMsOf(records[records.length - 1]) });
        return runShardBatch(records, batch);
      },
      idle: async () => { if (batch.windows) await closeEndedWindow(batch, batch.windows); },
      finish: () => save(SHARD_END),
      onLag: (ms) => this.lag.set(shardId, ms),
      onHealth: (error) => this.health(context, shardId, error),
    }).catch((err: unknown) => shardLog.error({ event: `${spec.kind}_shard_failed`, err }, 'shard poller failed'))
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
   * of resharding: TRIM_HORIZON). A first read at LATEST is pinned, so that a restart before any
   * record was done resumes there instead of at a later LATEST: a `LATEST@<ms>` mark where
   * iterators can start AT_TIMESTAMP, else a checkpoint at the shard's last record (or FROM_START
   * for an empty shard), found by reading the shard to its tip once.
   */
  private async position(shard: ShardInfo, reader: ShardReader<Raw>, state: ShardState, save: (value: string) => Promise<void>): Promise<ShardPosition> {
    const fromStart = shard.parents.length > 0;
    let checkpoint = await state.checkpoint(shard.id);
    if (checkpoint?.startsWith(LATEST_MARK)) return { sinceMs: Number(checkpoint.slice(LATEST_MARK.length)), fromStart };
    if (checkpoint === undefined && !fromStart && this.spec.settings.startingPosition === 'LATEST') {
      checkpoint = reader.timestamps ? `${LATEST_MARK}${Date.now()}` : (await lastSequence(reader, shard.id, this.abort.signal)) ?? FROM_START;
      await save(checkpoint);
      if (checkpoint.startsWith(LATEST_MARK)) return { fromStart };
    }
    return checkpoint === FROM_START ? { fromStart: true } : { sequence: checkpoint, fromStart };
  }
}
