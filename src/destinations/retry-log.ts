import type { Logger } from '../log.js';

/** While a target keeps failing, how often its `destination_retry` warning is repeated (with a count). */
export const RETRY_WARN_INTERVAL_MS = 5 * 60_000;

interface Outage { since: number; warnedAt: number; failedTries: number }

/**
 * Logs failed deliveries per target, not per record: the first failed try of a target warns
 * (`destination_retry`), later ones only at debug until RETRY_WARN_INTERVAL_MS has passed (then one
 * warning with the number of failed tries since the last), and the first delivery after failures
 * logs `destination_recovered`. Thousands of records queued for a target that is down would
 * otherwise each warn at every backoff step, for up to `maxAgeSeconds`.
 */
export class RetryLog {
  readonly #outages = new Map<string, Outage>();

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {}

  failed(target: string, fields: { id: string; function: string; attempt: number; err: Error }): void {
    const now = this.now();
    const outage = this.#outages.get(target) ?? { since: now, warnedAt: -Infinity, failedTries: 0 };
    this.#outages.set(target, outage);
    outage.failedTries += 1;
    if (now - outage.warnedAt < RETRY_WARN_INTERVAL_MS) {
      this.log.debug({ event: 'destination_retry', destination: target, ...fields }, `delivery to ${target} failed; retrying`);
      return;
    }
    this.log.warn({ event: 'destination_retry', destination: target, ...fields, failedTries: outage.failedTries, failingSince: new Date(outage.since).toISOString() },
      `delivery to ${target} failed (${outage.failedTries} failed tries since the last warning); retrying with backoff`);
    outage.warnedAt = now;
    outage.failedTries = 0;
  }

  delivered(target: string): void {
    const outage = this.#outages.get(target);
    if (!outage) return;
    this.#outages.delete(target);
    this.log.info({ event: 'destination_recovered', destination: target, failingSince: new Date(outage.since).toISOString() }, `${target} takes records again`);
  }
}
