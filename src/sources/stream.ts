import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis, type RedisOptions } from 'ioredis';
import type { FunctionConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import { buildEnvelope } from '../router/envelope.js';
import { compileFilterCriteria, type RecordFilter } from '../filters/criteria.js';
import { defineSourceKind, throttledPoller, type Source, type SourceContext } from './source.js';
import { GroupConsumer, isGroupMissing } from './stream/group.js';
import { StreamLease } from './stream/lease.js';
import { BatchReader } from './stream/reader.js';
import {
  arrivalMsOf, filterSubject, STREAM_ENVELOPE_TYPE, streamArn, streamBatchInfo, toStreamRecord,
  type RedisStreamEvent, type RedisStreamRecord, type StreamEntry, type StreamIdentity,
} from './stream/records.js';
import { groupStartId, streamSettingsSchema, type StreamSettings } from './stream/settings.js';
import { processStreamBatch, type StreamBatchDeps } from './kit/stream-batch.js';
import { onFailureTarget, streamBatchPolicy } from './kit/stream-settings.js';
import { onFailureProblems, sendFailureRecord, streamFailureRecord } from './kit/failure-record.js';
import { pollLoop } from './kit/poll-loop.js';

/** Consumer names are per hub process: `<hostname>-<pid>-<random>`. */
const PROCESS_CONSUMER = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
/** The per-group lease: its time to live, and how often a poller without it asks again. */
const LEASE_TTL_MS = 15_000;
const LEASE_POLL_MS = 1000;
/**
 * Where a consumer group found missing while the mapping runs is created again: the stream's
 * start. Its position went with it, and what the stream holds now (a stream written anew after its
 * Redis restarted empty, or its key was deleted) was never delivered to the group.
 */
const LOST_GROUP_START = '0';

interface Running {
  stream: StreamIdentity;
  group: GroupConsumer;
  reader: BatchReader;
  lease: StreamLease;
  deps: StreamBatchDeps<RedisStreamRecord>;
  /** Ids of the current batch not yet acknowledged. */
  unacked: Set<string>;
}

/**
 * A Redis Streams event source mapping with Lambda's Kinesis semantics: one poller per stream key
 * and consumer group across all hubs (a Redis lease), one batch in flight, entries acknowledged
 * (XACK) only once done or given up, entries of dead consumers taken over (XAUTOCLAIM). Redis
 * errors back off; a failing handler never stops the poller.
 */
export class StreamSource implements Source {
  readonly id: string;
  private readonly abort = new AbortController();
  private readonly filter: RecordFilter;
  private readonly groupName: string;
  private state?: Running;
  private running?: Promise<void>;
  private stopping?: Promise<void>;
  private log?: Logger;

  constructor(private readonly fn: FunctionConfig, private readonly settings: StreamSettings, private readonly index: number) {
    this.id = `stream:${fn.name}:${index}`;
    this.groupName = settings.group ?? `triggerhub-${fn.name}`;
    this.filter = compileFilterCriteria(settings.filterCriteria, 'data', 'utf8');
  }

  async start(context: SourceContext): Promise<void> {
    const { settings, fn } = this;
    const log = context.logger.child({ source: this.id });
    this.log = log;
    if (throttledPoller(context, fn, this.id, log, `Redis stream ${settings.key}`)) return;
    const open = (options: RedisOptions): Redis => (settings.redis ? new Redis(settings.redis, options) : context.redis.duplicate(options));
    const host = settings.redis ? new URL(settings.redis).host : `${context.redis.options.host}:${context.redis.options.port}`;
    const stream: StreamIdentity = { key: settings.key, group: this.groupName, arn: streamArn(`redis://${host}`, settings.key), region: context.config.region };
    const consumer = `${PROCESS_CONSUMER}${this.index ? `-${this.index}` : ''}`;
    const group = new GroupConsumer(open, settings.key, this.groupName, consumer, log);
    const unacked = new Set<string>();
    this.state = {
      stream, group, unacked,
      reader: new BatchReader(group, {
        batchSize: settings.batchSize, windowSeconds: settings.maximumBatchingWindowInSeconds, claimIdleMs: settings.claimIdleSeconds * 1000,
      }),
      lease: new StreamLease(group.commands, `triggerhub:stream-lease:${this.groupName}:${settings.key}`, `${consumer}/${this.id}`, LEASE_TTL_MS),
      deps: {
        policy: streamBatchPolicy(settings),
        sequenceOf: (record) => record.stream.sequenceNumber,
        arrivalMsOf: (record) => arrivalMsOf(record.stream.id),
        invoke: (records) => context.invokeSync(fn, buildEnvelope<RedisStreamEvent>({ source: stream.arn, type: STREAM_ENVELOPE_TYPE, data: { Records: records } })),
        checkpoint: async (records) => {
          const ids = records.map((record) => record.stream.id);
          await group.ack(ids);
          for (const id of ids) unacked.delete(id);
        },
        onFailure: async (failure) => {
          const { target } = onFailureTarget(settings);
          if (target === undefined) return;
          const info = streamBatchInfo(failure.records, stream);
          await sendFailureRecord(context, target, streamFailureRecord(failure, fn, context.config, 'StreamBatchInfo', info));
        },
        signal: this.abort.signal,
        log,
      },
    };
    log.info({ event: 'stream_source_started', stream: stream.arn, group: this.groupName, consumer }, `polling stream ${settings.key}`);
    this.running = this.run(this.state, log, context).catch((err: unknown) => log.error({ event: 'stream_source_failed', err }, 'stream poller failed'));
  }

  /** Stops reading (cutting a blocking read short), waits for the batch in flight and acknowledges it. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      const state = this.state;
      if (!state) return;
      state.group.interrupt();
      await this.running;
      await state.group.leaveGroup().catch(() => undefined);
      await state.lease.release().catch(() => undefined);
      await state.group.close();
      this.log?.info({ event: 'stream_source_stopped' }, 'stream poller stopped');
    })();
    return this.stopping;
  }

  private async run(state: Running, log: Logger, context: SourceContext): Promise<void> {
    const { signal } = this.abort;
    /** Where the group is to be created (the mapping's starting position at first); undefined once it exists. */
    let groupStart: string | undefined = groupStartId(this.settings);
    let groupLost = false;
    await pollLoop({
      signal, log, errorEvent: 'stream_poll_error', failure: `cannot read stream ${this.settings.key}`,
      onHealth: (err) => { if (err) context.report?.(this.id, { state: 'failing', lastError: err.message }); },
    }, async () => {
      if (groupStart !== undefined) {
        const created = await state.group.ensureGroup(groupStart);
        if (created && groupLost) {
          log.warn({ event: 'stream_group_recreated', group: this.groupName }, 'consumer group created again; reading the stream from its start');
        } else if (created) {
          log.info({ event: 'stream_group_created', group: this.groupName, startingPosition: this.settings.startingPosition }, 'consumer group created');
        }
        groupStart = undefined;
        groupLost = false;
      }
      try {
        if (!(await state.lease.acquire())) return { waitMs: LEASE_POLL_MS };
        const entries = await state.reader.next(signal);
        // Iterator age as Lambda's IteratorAge: how old the batch's last entry is when read.
        const last = entries.at(-1);
        context.report?.(this.id, { state: 'running', ...(last && { lagMs: Date.now() - arrivalMsOf(last.id) }) });
        if (entries.length) await this.handle(entries, state);
        return undefined;
      } catch (err) {
        // The group is gone (its Redis restarted empty, the key was deleted): create it again at the next step.
        if (isGroupMissing(err)) {
          groupStart = LOST_GROUP_START;
          groupLost = true;
        }
        throw err;
      }
    });
  }

  /** Acks what no filter matches, runs the rest to its end; what is left unfinished is released to the group. */
  private async handle(entries: StreamEntry[], state: Running): Promise<void> {
    const { group, unacked, deps } = state;
    for (const entry of entries) unacked.add(entry.id);
    try {
      const records = entries.map((entry) => toStreamRecord(entry, state.stream));
      const matched: RedisStreamRecord[] = [];
      const dropped: RedisStreamRecord[] = [];
      for (const record of records) (this.filter(filterSubject(record)) ? matched : dropped).push(record);
      if (this.abort.signal.aborted) return;
      if (dropped.length) {
        await deps.checkpoint(dropped);
        this.log?.debug({ event: 'stream_records_filtered', count: dropped.length }, 'records matched no filter; acknowledged');
      }
      await processStreamBatch(matched, deps);
    } finally {
      if (unacked.size) {
        await group.release([...unacked], this.settings.claimIdleSeconds * 1000).catch(() => undefined);
        unacked.clear();
        state.reader.rescan();
      }
    }
  }
}

export const streamKind = defineSourceKind({
  name: 'stream',
  settings: streamSettingsSchema,
  check: onFailureProblems,
  create: (fn, settings, index) => new StreamSource(fn, settings, index),
});
