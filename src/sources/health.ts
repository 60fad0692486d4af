import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { SourceContext } from './source.js';
import { addCounts, ZERO_COUNTS, type MappingCounts } from './kit/journal.js';

/** `throttled`: the function's reservedConcurrency is 0, so the poller does not poll. */
export type SourceState = 'starting' | 'running' | 'throttled' | 'failing' | 'stopped';

/** What a source tells about itself (times in ms since the epoch). */
export interface SourceHealthPatch {
  state?: SourceState;
  lastEventAt?: number;
  /** Pollers: SQS age of the oldest message of the last batch; Kinesis / Redis Streams iterator age. */
  lagMs?: number;
  lastError?: string;
  /** Schedules: the next tick. */
  nextEventAt?: number;
  /** Stream mappings: records counted since the last report (added up). */
  counts?: Partial<MappingCounts>;
}

/** One source on one hub, as kept in the `<prefix>:sources` hash (field `<source id>@<hub>`). */
export interface SourceHealthRecord {
  source: string;
  kind: string;
  function: string;
  hub: string;
  state: SourceState;
  lastEventAt: string | null;
  lagMs: number | null;
  lastError: string | null;
  nextEventAt: string | null;
  /** Stream mappings (Kinesis, DynamoDB): Lambda's mapping metrics on this hub since it started the source. */
  counts?: MappingCounts;
  updatedAt: string;
}

export const sourcesKey = (prefix: string): string => `${prefix}:sources`;
/** Changes are written at most this often; every record is rewritten each heartbeat. */
const FLUSH_EVERY_MS = 1000;
export const HEARTBEAT_MS = 10_000;

/**
 * The hub's register of its sources' health in Redis, so that `triggerhub status` sees every hub:
 * state, last event, lag, last error. Reports are merged in memory and written once a second
 * (at once when the state changes); a heartbeat rewrites every record, so a hub that died shows
 * as stale.
 */
export class SourceHealth {
  readonly hub = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly records = new Map<string, SourceHealthRecord>();
  private readonly dirty = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private lastHeartbeat = Date.now();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly onChange: (record: SourceHealthRecord) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  report(sourceId: string, patch: SourceHealthPatch): void {
    const current = this.records.get(sourceId) ?? this.initial(sourceId);
    const next: SourceHealthRecord = {
      ...current,
      ...(patch.state && { state: patch.state }),
      ...(patch.lastEventAt !== undefined && { lastEventAt: new Date(patch.lastEventAt).toISOString() }),
      ...(patch.lagMs !== undefined && { lagMs: Math.max(0, Math.round(patch.lagMs)) }),
      ...(patch.lastError !== undefined && { lastError: patch.lastError }),
      ...(patch.nextEventAt !== undefined && { nextEventAt: new Date(patch.nextEventAt).toISOString() }),
      ...(patch.counts && { counts: addCounts(current.counts ?? ZERO_COUNTS, patch.counts) }),
    };
    if (this.records.has(sourceId) && JSON.stringify(next) === JSON.stringify(current)) return;
    this.records.set(sourceId, next);
    this.dirty.add(sourceId);
    this.onChange(next);
    if (next.state !== current.state) void this.flush();
  }

  /** start() returned: the source runs unless it reported otherwise meanwhile. */
  started(sourceId: string): void {
    if (this.records.get(sourceId)?.state === 'starting') this.report(sourceId, { state: 'running' });
  }

  /** A context whose events (queued or invoked) count as the source's last event. */
  contextFor(context: SourceContext, sourceId: string): SourceContext {
    // The record keeps milliseconds: further events of the same millisecond change nothing, and
    // under load most do (building and comparing the record for each cost about 1.8 us, and each
    // change also set the metrics gauges).
    let lastMs = -1;
    const seen = () => {
      const now = Date.now();
      if (now === lastMs) return;
      lastMs = now;
      this.report(sourceId, { lastEventAt: now });
    };
    return {
      ...context,
      enqueue: (...args) => { seen(); return context.enqueue(...args); },
      invokeSync: (...args) => { seen(); return context.invokeSync(...args); },
      report: (id, patch) => this.report(id, patch),
    };
  }

  /** Writes the changed records (every record once per heartbeat). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (Date.now() - this.lastHeartbeat >= HEARTBEAT_MS) {
        this.lastHeartbeat = Date.now();
        for (const id of this.records.keys()) this.dirty.add(id);
      }
      if (!this.dirty.size) return;
      const ids = [...this.dirty];
      this.dirty.clear();
      const updatedAt = new Date().toISOString();
      const fields = ids.flatMap((id) => [`${id}@${this.hub}`, JSON.stringify({ ...this.records.get(id), updatedAt })]);
      await this.redis.hset(sourcesKey(this.prefix), ...fields).catch((err: unknown) => {
        for (const id of ids) this.dirty.add(id);
        this.log.warn({ event: 'source_health_write_failed', message: (err as Error).message }, 'could not write source health; retrying');
      });
    });
    return this.flushing;
  }

  /** Marks every source stopped and writes it (the hub is stopping). Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const id of this.records.keys()) this.report(id, { state: 'stopped' });
    await this.flush();
  }

  private initial(sourceId: string): SourceHealthRecord {
    const [kind, fn] = sourceId.split(':');
    return {
      source: sourceId, kind, function: fn ?? '', hub: this.hub, state: 'starting',
      lastEventAt: null, lagMs: null, lastError: null, nextEventAt: null, updatedAt: new Date().toISOString(),
    };
  }
}
