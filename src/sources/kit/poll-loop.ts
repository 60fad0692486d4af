import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import { backoffDelay } from './backoff.js';

/** What one step of a poll loop asks for next. */
export type StepResult =
  /** Step again at once. */
  | void
  /** Step again after this many ms (an idle source's poll interval). */
  | { waitMs: number }
  /** The loop is done (a subscription made, a shard read to its end). */
  | 'done';

export interface PollLoopOptions {
  signal: AbortSignal;
  log: Logger;
  /** snake_case event of the warning logged on each failed step, e.g. `sqs_poll_error`. */
  errorEvent: string;
  /** What failed, for the warning: `cannot poll <queue>`; `; retrying in N ms` is appended. */
  failure: string;
  /** Backoff after consecutive failures (default 1 s … 30 s); read at each failure, so tests may tune it. */
  backoff?: () => { baseMs: number; capMs: number };
  /** Fields added to each warning (e.g. the shard id). */
  fields?: Record<string, unknown>;
  /** After each step: no argument when it succeeded, else its error (report health here). */
  onHealth?(error?: Error): void;
}

/**
 * The one loop of every poller and reconnecting listener: run `step` until the signal aborts or
 * it returns 'done'; a step that throws is logged (`errorEvent`, attempt, retryInMs, code,
 * message) and retried after 1 s, 2 s, 4 s … (reset by a step that succeeds). Never throws;
 * waits are cut short by the signal.
 */
export async function pollLoop(options: PollLoopOptions, step: () => Promise<StepResult>): Promise<'done' | 'stopped'> {
  const { signal, log } = options;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const result = await step();
      failures = 0;
      options.onHealth?.();
      if (result === 'done') return 'done';
      if (result?.waitMs) await pause(result.waitMs, signal);
    } catch (err) {
      if (signal.aborted) break;
      failures += 1;
      const { baseMs, capMs } = options.backoff?.() ?? {};
      const retryInMs = backoffDelay(failures, baseMs, capMs);
      const { name, message } = err as Error;
      log.warn({ event: options.errorEvent, ...options.fields, attempt: failures, retryInMs, code: name, message },
        `${options.failure}; retrying in ${retryInMs} ms`);
      options.onHealth?.(err as Error);
      await pause(retryInMs, signal);
    }
  }
  return 'stopped';
}

/** Waits `ms` or until the signal aborts; false when it aborted. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms > 0) await delay(ms, undefined, { signal }).catch(() => undefined);
  return !signal.aborted;
}
