import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { memo } from '../memo.js';
import type { InvokeResult } from '../runtime/types.js';
import { bucketOf } from './histogram.js';
import { RECENT_MAX, SERIES_TTL_SECONDS, seriesBucket, type RecentInvocation } from './series.js';

/** How often counts gathered in memory are added to Redis. */
const FLUSH_EVERY_MS = 1000;

/** Redis keys of the counters behind `triggerhub status` and the console (shared by every hub on the prefix). */
export const statsKeys = {
  /** Hash per function: invocations, errors, throttles, billedMs, mbMs, h:<bucket>. */
  fn: (prefix: string, fn: string) => `${prefix}:stats:fn:${fn}`,
  /** When the counters began (ms since the epoch; set by the first write after a reset). */
  since: (prefix: string) => `${prefix}:stats:since`,
  /** Hash per function and 10 s bucket (the same fields but billing): the console's plots. Expires after an hour. */
  series: (prefix: string, fn: string, bucket: number) => `${prefix}:stats:series:${fn}:${bucket}`,
  /** Hash per 10 s bucket: `from\tto` → events that went along that edge of the mesh. Expires after an hour. */
  flow: (prefix: string, bucket: number) => `${prefix}:stats:flow:${bucket}`,
  /** List per function: its last RECENT_MAX invocations (JSON), newest first. */
  recent: (prefix: string, fn: string) => `${prefix}:stats:recent:${fn}`,
};

export type StatsField = 'invocations' | 'errors' | 'throttles' | 'billedMs' | 'mbMs' | `h:${number}`;

interface FunctionKeys { fn: string; bucket: number; series: string }

/** `h:<bucket>` field names, made once each. */
const HISTOGRAM_FIELDS: string[] = [];
function histogramField(bucket: number): string {
  return (HISTOGRAM_FIELDS[bucket] ??= `h:${bucket}`);
}

type PendingRecent = Omit<RecentInvocation, 'endedAt'> & { endedAt: number };

/** What an invocation was asked to do, besides its result (for the recent-invocations list). */
export interface InvocationInfo { requestId: string; traceId?: string }

/**
 * Per-function counters of every invocation of this hub, added to Redis hashes (HINCRBY) once a
 * second in one MULTI (all or nothing, so a failed write can be retried), so hubs sharing a Redis
 * add up. `mbMs` is billed duration × memory size (MB·ms): GB-seconds = mbMs / 1024 / 1000.
 * The same MULTI carries the console's 10 s series, its flow edges and each function's recent
 * invocations: no extra round trip per event.
 */
export class FunctionStats {
  /** Redis key → field → increment. */
  private pending = new Map<string, Map<string, number>>();
  /** Each function's last invocations since the flush; `endedAt` as epoch ms, formatted when written (most are dropped before). */
  private recent = new Map<string, PendingRecent[]>();
  private readonly running = new Map<string, number>();
  /** Per function, its Redis keys (see keysOf). */
  private readonly keys = new Map<string, FunctionKeys>();
  /** The current 10 s bucket's flow key, and each edge's field name (`from\tto`), made once each. */
  private flowBucket = -1;
  private flowKey = '';
  private readonly edgeFields = new Map<string, Map<string, string>>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly log: Logger) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  /** An invocation began in this hub (ended by `record`). */
  started(fn: string): void {
    this.running.set(fn, (this.running.get(fn) ?? 0) + 1);
  }

  ended(fn: string): void {
    this.running.set(fn, Math.max(0, (this.running.get(fn) ?? 1) - 1));
  }

  /** Invocations running in this hub now, per function. */
  inFlight(): Record<string, number> {
    return Object.fromEntries(this.running);
  }

  /** The same count, as the map it is kept in (the metrics' concurrent-executions gauge). */
  runningByFunction(): ReadonlyMap<string, number> {
    return this.running;
  }

  record(fn: string, result: Pick<InvokeResult, 'status' | 'durationMs' | 'billedDurationMs' | 'memorySizeMB'> & Partial<Pick<InvokeResult, 'error' | 'initDurationMs'>>, info?: InvocationInfo): void {
    const now = Date.now();
    const keys = this.keysOf(fn, now);
    const histogram = histogramField(bucketOf(result.durationMs));
    this.count(keys.fn, result.status, histogram);
    this.count(keys.series, result.status, histogram);
    this.add(keys.fn, 'billedMs', result.billedDurationMs);
    this.add(keys.fn, 'mbMs', result.billedDurationMs * result.memorySizeMB);
    if (!info) return;
    let list = this.recent.get(fn);
    if (!list) this.recent.set(fn, (list = []));
    list.push({
      requestId: info.requestId, traceId: info.traceId ?? null, status: result.status, durationMs: result.durationMs,
      billedDurationMs: result.billedDurationMs, coldStart: result.initDurationMs !== undefined,
      errorType: result.error?.errorType ?? null, endedAt: now,
    });
    if (list.length > RECENT_MAX) list.shift();
  }

  /**
   * The function's counters key and the series key of the current 10 s bucket, built once per
   * function and bucket: the same string objects every time, so their Map lookups do not build and
   * hash a new string per invocation.
   */
  private keysOf(fn: string, now: number): FunctionKeys {
    const bucket = seriesBucket(now);
    let keys = this.keys.get(fn);
    if (!keys) this.keys.set(fn, (keys = { fn: statsKeys.fn(this.prefix, fn), bucket: -1, series: '' }));
    if (keys.bucket !== bucket) {
      keys.bucket = bucket;
      keys.series = statsKeys.series(this.prefix, fn, bucket);
    }
    return keys;
  }

  throttled(fn: string): void {
    const keys = this.keysOf(fn, Date.now());
    this.add(keys.fn, 'throttles', 1);
    this.add(keys.series, 'throttles', 1);
  }

  /** An event went from one node of the mesh to another (see flowNode in series.ts for the node names). */
  edge(from: string, to: string): void {
    const bucket = seriesBucket(Date.now());
    if (bucket !== this.flowBucket) {
      this.flowBucket = bucket;
      this.flowKey = statsKeys.flow(this.prefix, bucket);
    }
    const byTo = memo(this.edgeFields, from, () => new Map<string, string>());
    this.add(this.flowKey, memo(byTo, to, () => `${from}\t${to}`), 1);
  }

  /** Writes what was gathered; counts that fail to reach Redis are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.size && !this.recent.size) return;
      const batch = this.pending;
      const recent = this.recent;
      this.pending = new Map();
      this.recent = new Map();
      const totals = statsKeys.fn(this.prefix, '');
      const multi = this.redis.multi().set(statsKeys.since(this.prefix), Date.now(), 'NX');
      for (const [key, fields] of batch) {
        for (const [field, n] of fields) multi.hincrby(key, field, n);
        if (!key.startsWith(totals)) multi.expire(key, SERIES_TTL_SECONDS);
      }
      for (const [fn, list] of recent) {
        const key = statsKeys.recent(this.prefix, fn);
        multi.lpush(key, ...list.map((item) => JSON.stringify({ ...item, endedAt: new Date(item.endedAt).toISOString() } satisfies RecentInvocation))).ltrim(key, 0, RECENT_MAX - 1);
      }
      try {
        const results = await multi.exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      } catch (err) {
        for (const [key, fields] of batch) for (const [field, n] of fields) this.add(key, field, n);
        for (const [fn, list] of recent) this.recent.set(fn, [...list, ...(this.recent.get(fn) ?? [])].slice(-RECENT_MAX));
        this.log.warn({ event: 'stats_flush_failed', message: (err as Error).message }, 'could not write invocation stats; retrying');
      }
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left. Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** One invocation in a counters hash: invocations, errors, its duration bucket. */
  private count(key: string, status: string, histogram: string): void {
    this.add(key, 'invocations', 1);
    if (status !== 'success') this.add(key, 'errors', 1);
    this.add(key, histogram, 1);
  }

  private add(key: string, field: string, n: number): void {
    let fields = this.pending.get(key);
    if (!fields) this.pending.set(key, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + n);
  }
}
