import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, type Job } from 'bullmq';
import type { DlqReason } from '../dlq/store.js';
import { LogWindow } from '../log-window.js';
import type { Logger } from '../log.js';
import type { LambdaErrorPayload } from '../runtime/types.js';
import { backoffDelay } from '../sources/kit/backoff.js';
import type { AttemptRecord, QueuedEvent } from './envelope.js';

/** How long one run of an event keeps retrying a failing follow-up write before it defers it. */
export const FOLLOW_UP_RETRY_MS = 10_000;
/** Retries of a follow-up write wait 100 ms, 200 ms, … at most 2 s. */
const FOLLOW_UP_BACKOFF = { baseMs: 100, capMs: 2000 } as const;
/** A deferred follow-up is tried again this much later, by whichever hub takes the job. */
export const FOLLOW_UP_DEFER_MS = 5000;
/** While a function's follow-up writes keep failing, how often `follow_up_retry` warns (with a count). */
export const FOLLOW_UP_WARN_INTERVAL_MS = 60_000;

/**
 * What a run of the handler (or the age check) decided, kept with the queue job while the records it
 * owes (on-success destination; DLQ record and on-failure destination) cannot be written: a job that
 * carries one never runs the handler again, it only writes those records.
 */
export type Outcome =
  | { kind: 'success'; payload?: string; invokeCount: number }
  | { kind: 'given-up'; attempts: AttemptRecord[]; reason: DlqReason; error?: LambdaErrorPayload };

export interface SettlingEvent extends QueuedEvent {
  outcome?: Outcome;
}

/**
 * Logs failing follow-up writes per function, not per event: the first failure warns
 * (`follow_up_retry`), the next ones within FOLLOW_UP_WARN_INTERVAL_MS only at debug (then one
 * warning with their count), and the first write after failures logs `follow_up_recovered`.
 */
export class FollowUpLog {
  readonly #window = new LogWindow(FOLLOW_UP_WARN_INTERVAL_MS);
  #failing = false;

  constructor(private readonly log: Logger) {}

  /** `record` names what was not written; `then` what happens instead. */
  failed(fields: { requestId: string; record: string; err: unknown }, then = 'retrying with backoff; the handler does not run again'): void {
    this.#failing = true;
    const loud = this.#window.loud('follow-up');
    const message = `${fields.record} of event ${fields.requestId} not written (${(fields.err as Error)?.message}); ${then}`;
    if (!loud) this.log.debug({ event: 'follow_up_retry', ...fields }, message);
    else this.log.warn({ event: 'follow_up_retry', ...fields, failedWrites: loud.quiet + 1 }, loud.quiet ? `${message} (${loud.quiet + 1} failed writes since the last warning)` : message);
  }

  written(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#window.forget('follow-up');
    this.log.info({ event: 'follow_up_recovered' }, 'the records of finished invocations are written again');
  }
}

export interface SettleOptions {
  /** Writes the records the outcome owes; idempotent (stable ids), so a retry never duplicates one. */
  write: () => Promise<void>;
  log: FollowUpLog;
  /** Aborted once the hub has stopped waiting for this run: retrying ends (the job is run again once its lock lapses). */
  stopped: AbortSignal;
}

/**
 * Makes an outcome stick: its records are written, retried with backoff while Redis refuses them.
 * After FOLLOW_UP_RETRY_MS the outcome is stored in the job and the job is put back in the queue
 * (no attempt counted): when it comes back, only the records are written. Never rethrows a failed
 * write: that would count an attempt and run the handler again, and at the last attempt
 * dead-letter an event that succeeded.
 */
export async function settle(job: Job<QueuedEvent>, token: string | undefined, outcome: Outcome, options: SettleOptions): Promise<void> {
  const started = Date.now();
  for (let failures = 1; ; failures++) {
    try {
      await options.write();
      options.log.written();
      return;
    } catch (err) {
      options.log.failed({ requestId: job.data.envelope.id, record: outcome.kind === 'success' ? 'on-success record' : 'dead-letter records', err });
    }
    if (Date.now() - started >= FOLLOW_UP_RETRY_MS && await defer(job, token, outcome)) throw new DelayedError();
    await sleep(backoffDelay(failures, FOLLOW_UP_BACKOFF.baseMs, FOLLOW_UP_BACKOFF.capMs), undefined, { signal: options.stopped }).catch(() => undefined);
    // The hub stopped waiting: not a failed attempt. The job stays active, its lock lapses and a hub
    // runs it again as a stalled job (README, Invocation semantics).
    if (options.stopped.aborted) throw new DelayedError();
  }
}

/** Stores the outcome in the job and delays it; false when Redis refuses that too (retrying goes on). */
async function defer(job: Job<QueuedEvent>, token: string | undefined, outcome: Outcome): Promise<boolean> {
  try {
    if (!(job.data as SettlingEvent).outcome) await job.updateData({ ...job.data, outcome } as SettlingEvent);
    await job.moveToDelayed(Date.now() + FOLLOW_UP_DEFER_MS, token);
    return true;
  } catch {
    return false;
  }
}
