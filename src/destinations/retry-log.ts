import type { Logger } from '../log.js';
import { LogWindow } from '../log-window.js';

/** While a target keeps failing, how often its `destination_retry` warning is repeated (with a count). */
export const RETRY_WARN_INTERVAL_MS = 5 * 60_000;

/**
 * Logs failed deliveries per target, not per record: the first failed try of a target warns
 * (`destination_retry`), later ones only at debug until RETRY_WARN_INTERVAL_MS has passed (then one
 * warning with the number of failed tries since the last), and the first delivery after failures
 * logs `destination_recovered`. Thousands of records queued for a target that is down would
 * otherwise each warn at every backoff step, for up to `maxAgeSeconds`.
 */
export class RetryLog {
  /** When each failing target's first failed try was. */
  readonly #failingSince = new Map<string, number>();
  readonly #window: LogWindow;

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {
    this.#window = new LogWindow(RETRY_WARN_INTERVAL_MS, now);
  }

  failed(target: string, fields: { id: string; function: string; attempt: number; err: Error }): void {
    const since = this.#failingSince.get(target) ?? this.now();
    this.#failingSince.set(target, since);
    const loud = this.#window.loud(target);
    if (!loud) {
      this.log.debug({ event: 'destination_retry', destination: target, ...fields }, `delivery to ${target} failed; retrying`);
      return;
    }
    const failedTries = loud.quiet + 1;
    this.log.warn({ event: 'destination_retry', destination: target, ...fields, failedTries, failingSince: new Date(since).toISOString() },
      `delivery to ${target} failed (${failedTries} failed tries since the last warning); retrying with backoff`);
  }

  delivered(target: string): void {
    const since = this.#failingSince.get(target);
    if (since === undefined) return;
    this.#failingSince.delete(target);
    this.#window.forget(target);
    this.log.info({ event: 'destination_recovered', destination: target, failingSince: new Date(since).toISOString() }, `${target} takes records again`);
  }
}
