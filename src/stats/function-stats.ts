import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { InvokeResult } from '../runtime/types.js';
import { bucketOf } from './histogram.js';

/** How often counts gathered in memory are added to Redis. */
const FLUSH_EVERY_MS = 1000;

/** Redis keys of the counters behind `triggerhub status` (shared by every hub on the prefix). */
export const statsKeys = {
  /** Hash per function: invocations, errors, throttles, billedMs, mbMs, h:<bucket>. */
  fn: (prefix: string, fn: string) => `${prefix}:stats:fn:${fn}`,
  /** When the counters began (ms since the epoch; set by the first write after a reset). */
  since: (prefix: string) => `${prefix}:stats:since`,
};

export type StatsField = 'invocations' | 'errors' | 'throttles' | 'billedMs' | 'mbMs' | `h:${number}`;

/**
 * Per-function counters of every invocation of this hub, added to Redis hashes (HINCRBY) once a
 * second in one MULTI (all or nothing, so a failed write can be retried), so hubs sharing a Redis
 * add up. `mbMs` is billed duration × memory
 * size (MB·ms): GB-seconds = mbMs / 1024 / 1000.
 */
export class FunctionStats {
  private pending = new Map<string, Map<StatsField, number>>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly log: Logger) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  record(fn: string, result: Pick<InvokeResult, 'status' | 'durationMs' | 'billedDurationMs' | 'memorySizeMB'>): void {
    this.add(fn, 'invocations', 1);
    if (result.status !== 'success') this.add(fn, 'errors', 1);
    this.add(fn, 'billedMs', result.billedDurationMs);
    this.add(fn, 'mbMs', result.billedDurationMs * result.memorySizeMB);
    this.add(fn, `h:${bucketOf(result.durationMs)}`, 1);
  }

  throttled(fn: string): void {
    this.add(fn, 'throttles', 1);
  }

  /** Writes what was gathered; counts that fail to reach Redis are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.size) return;
      const batch = this.pending;
      this.pending = new Map();
      const multi = this.redis.multi().set(statsKeys.since(this.prefix), Date.now(), 'NX');
      for (const [fn, fields] of batch) {
        for (const [field, n] of fields) multi.hincrby(statsKeys.fn(this.prefix, fn), field, n);
      }
      try {
        const results = await multi.exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      } catch (err) {
        for (const [fn, fields] of batch) for (const [field, n] of fields) this.add(fn, field, n);
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

  private add(fn: string, field: StatsField, n: number): void {
    let fields = this.pending.get(fn);
    if (!fields) this.pending.set(fn, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + n);
  }
}
