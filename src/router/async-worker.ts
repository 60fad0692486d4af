import { DelayedError, type Job } from 'bullmq';
import type { FunctionConfig } from '../config/load.js';
import type { DlqReason, DlqStore } from '../dlq/store.js';
import { isHubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InvokeRequest, InvokeResult, LambdaErrorPayload } from '../runtime/types.js';
import type { ConcurrencyGate } from './concurrency.js';
import { DestinationSender } from './destinations.js';
import type { AttemptRecord, QueuedEvent } from './envelope.js';
import { settle, type FollowUpLog, type Outcome, type SettlingEvent } from './follow-up.js';
import { isTooOld, nextStep } from './retry.js';

export interface Invoker {
  invoke(fn: string, request: InvokeRequest): Promise<InvokeResult>;
  /** How many invocations of the function its environments run at once now, once it has run (see FunctionPool.capacity). */
  capacity?(fn: string): number | undefined;
  /** Whether the function's invocations are short (under 10 ms on average; see FunctionPool.short). */
  short?(fn: string): boolean;
}

export interface AsyncWorkerDeps {
  fn: FunctionConfig;
  invoker: Invoker;
  gate: ConcurrencyGate;
  dlq: DlqStore;
  destinations: DestinationSender;
  logger: Logger;
  onThrottle: () => void;
  /** Failing writes of on-success / dead-letter records, logged once per window. */
  followUps: FollowUpLog;
  /** Aborted when the hub stops waiting for running jobs. */
  stopped: AbortSignal;
}

/** How long a throttled async event waits before it asks for a slot again. */
const THROTTLE_DELAY_MS = 250;
/**
 * A function throttled to zero runs nothing: its events wait in the queue and are looked at again
 * this often (a hot reload may have raised the concurrency) or at their maximum age, whichever is
 * first; then they are dead-lettered as EventAgeExceeded, never run.
 */
const PAUSED_RECHECK_MS = 60_000;
/** How long an event put back by a stopping hub waits before a worker (of any hub) takes it again. */
const STOPPING_DELAY_MS = 1000;
/** invokeOnce's answer when the runtime refused the call because the hub is shutting down. */
const STOPPING = Symbol('hub stopping');

/** A runtime call that threw, as an attempt: no environment ran the handler. */
interface Thrown {
  status: 'error';
  durationMs: number;
  error: LambdaErrorPayload;
  environmentId?: undefined;
}

/**
 * Runs one async event: age check, reserved-concurrency slot, the handler, then success
 * destination, a retry (by throwing, so BullMQ applies the backoff) or the dead-letter record and
 * failure destination. Once the handler has run, its outcome sticks: the records it owes are
 * written (retried, or deferred in the job) before the job completes, and a failing write never
 * runs the handler again (settle). A crash before they are written reprocesses the event and
 * rewrites the same records (same ids), never loses them.
 */
export function createProcessor(deps: AsyncWorkerDeps) {
  const { fn, logger } = deps;
  const finish = async (job: Job<QueuedEvent>, token: string | undefined, outcome: Outcome): Promise<string> => {
    await settle(job, token, outcome, { write: () => writeOutcome(deps, job.data, outcome), log: deps.followUps, stopped: deps.stopped });
    if (outcome.kind === 'success') return 'success';
    return outcome.reason === 'EventAgeExceeded' && !outcome.error ? 'expired' : 'dead-lettered';
  };
  return async (job: Job<QueuedEvent>, token?: string): Promise<string> => {
    const { envelope, delivery } = job.data;
    const settling = (job.data as SettlingEvent).outcome;
    if (settling) return finish(job, token, settling); // the handler ran: only its records are owed
    const attempt = job.attemptsMade + 1;
    if (isTooOld(fn, delivery.firstSeenAt, Date.now())) {
      return finish(job, token, { kind: 'given-up', attempts: delivery.attempts, reason: 'EventAgeExceeded' });
    }
    let lease;
    if (fn.reservedConcurrency !== undefined) {
      lease = await deps.gate.tryAcquire(fn.name, fn.reservedConcurrency, envelope.id, fn.timeout);
      if (!lease) {
        deps.onThrottle();
        await job.moveToDelayed(throttledUntil(fn, delivery.firstSeenAt, Date.now()), token);
        throw new DelayedError();
      }
    }
    const startedAt = new Date();
    let outcome: InvokeResult | Thrown | typeof STOPPING;
    try {
      outcome = await invokeOnce(deps, job.data);
    } finally {
      // Not a reason to run the handler again: a lease Redis did not release expires (timeout + grace).
      await lease?.release().catch((err: unknown) => logger.debug({ event: 'lease_release_failed', requestId: envelope.id, err }, 'concurrency lease not released; it expires'));
    }
    if (outcome === STOPPING) {
      // The runtime refused the event because the hub is shutting down (its pool is closed): the
      // handler never ran, so this is no attempt. Rethrowing would let BullMQ count it (attemptsMade
      // + 1, backoff, and at the limit a failed job dead-lettered as RetriesExhausted with no
      // record of why). Like a throttled event, it goes back to the queue instead (moveToDelayed
      // skips the attempt count) and runs again on a live hub, its attempts untouched.
      logger.info({ event: 'invocation_deferred', requestId: envelope.id, attempt }, 'hub stopping; event put back in the queue');
      await job.moveToDelayed(Date.now() + STOPPING_DELAY_MS, token);
      throw new DelayedError();
    }
    if (outcome.status === 'success') return finish(job, token, { kind: 'success', payload: outcome.payload, invokeCount: attempt });
    const error = outcome.error!;
    const record: AttemptRecord = {
      attempt: delivery.attempts.length + 1,
      startedAt: startedAt.toISOString(),
      durationMs: outcome.durationMs,
      status: outcome.status,
      ...attemptError(error),
      environmentId: outcome.environmentId,
      redrive: delivery.redrives,
    };
    const attempts = [...delivery.attempts, record];
    const step = nextStep(fn, { attempt, firstSeenAt: delivery.firstSeenAt, now: Date.now(), error, eventId: envelope.id });
    if (step.retry) {
      // The retry is due either way: an attempt record Redis refuses is missing from the history.
      await job.updateData({ envelope, delivery: { ...delivery, attempts } })
        .catch((err: unknown) => deps.followUps.failed({ requestId: envelope.id, record: 'attempt record', err }, 'the retry goes ahead without it'));
      logger.info({ event: 'invocation_retry', requestId: envelope.id, attempt, delayMs: step.delayMs }, `retrying in ${step.delayMs} ms`);
      throw Object.assign(new Error(record.errorMessage), { name: record.errorType });
    }
    return finish(job, token, { kind: 'given-up', attempts, reason: step.reason, error });
  };
}

/** The records an outcome owes: the on-success destination; or the DLQ record and on-failure destination. */
function writeOutcome(deps: AsyncWorkerDeps, event: QueuedEvent, outcome: Outcome): Promise<void> {
  if (outcome.kind === 'success') return deps.destinations.onSuccess(deps.fn, event, outcome, outcome.invokeCount);
  return giveUp(deps, event, outcome.attempts, outcome.reason, outcome.error);
}

/** When a throttled event asks again: shortly, or (throttled to zero) once it is too old to run. */
function throttledUntil(fn: FunctionConfig, firstSeenAt: number, now: number): number {
  if (fn.reservedConcurrency !== 0) return now + THROTTLE_DELAY_MS + Math.random() * THROTTLE_DELAY_MS;
  return Math.min(firstSeenAt + fn.maximumEventAgeInSeconds * 1000 + 1, now + PAUSED_RECHECK_MS);
}

/**
 * One call of the handler. The runtime reports handler and environment failures as results; a
 * call that throws anyway (a bug, a runtime breaking that contract) becomes a failed attempt with
 * the error's name, message and stack, and takes the same retry / dead-letter path. A stopping hub
 * is not a failure.
 */
async function invokeOnce(deps: AsyncWorkerDeps, event: QueuedEvent): Promise<InvokeResult | Thrown | typeof STOPPING> {
  const started = performance.now();
  try {
    return await deps.invoker.invoke(deps.fn.name, {
      requestId: event.envelope.id,
      event: event.envelope.data,
      traceId: event.delivery.traceparent,
      qualifier: event.delivery.qualifier,
    });
  } catch (err) {
    if (isHubError(err, 'TH_ERR_HUB_STOPPING')) return STOPPING;
    deps.logger.error({ event: 'invocation_threw', requestId: event.envelope.id, err }, 'the runtime call threw');
    return { status: 'error', durationMs: Math.round((performance.now() - started) * 100) / 100, error: thrownError(err) };
  }
}

/**
 * The error of an attempt as its record keeps it: text and lines of text. A custom runtime's error
 * document is passed to callers unchanged, but it may hold anything (`"stackTrace": "one string"`,
 * an object as `errorMessage`), and the records are read by tools that expect what the type says.
 */
function attemptError(error: LambdaErrorPayload): Pick<AttemptRecord, 'errorType' | 'errorMessage' | 'trace' | 'stackTrace'> {
  const lines = (value: unknown) => {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.split('\n');
    return Array.isArray(value) ? value.map(text) : [text(value)];
  };
  return {
    errorType: text(error.errorType),
    ...(error.errorMessage === undefined ? {} : { errorMessage: text(error.errorMessage) }),
    trace: lines(error.trace),
    stackTrace: lines(error.stackTrace),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

/** A HubError that says it is not retryable (TH_ERR_FUNCTION_NOT_FOUND) dead-letters at once. */
function thrownError(err: unknown): LambdaErrorPayload {
  if (!(err instanceof Error)) return { errorType: 'Runtime.Unknown', errorMessage: String(err) };
  return {
    errorType: err.name || 'Runtime.Unknown',
    errorMessage: err.message,
    stackTrace: err.stack?.split('\n').slice(1).map((line) => line.trim()),
    ...(isHubError(err) && !err.retryable ? { retryable: false } : {}),
  };
}

async function giveUp(
  deps: AsyncWorkerDeps,
  event: QueuedEvent,
  attempts: AttemptRecord[],
  reason: DlqReason,
  error: LambdaErrorPayload | undefined,
): Promise<void> {
  const { envelope, delivery } = event;
  await deps.dlq.add({
    id: envelope.id,
    function: deps.fn.name,
    source: envelope.source,
    reason,
    failedAt: new Date().toISOString(),
    envelope,
    delivery: { invocationType: delivery.invocationType, firstSeenAt: delivery.firstSeenAt, redrives: delivery.redrives, traceparent: delivery.traceparent, qualifier: delivery.qualifier, edits: delivery.edits },
    attempts,
  });
  await deps.destinations.onFailure(deps.fn, event, { error }, attempts.filter((a) => a.redrive === delivery.redrives).length, reason);
  deps.logger.warn({ event: 'event_dead_lettered', requestId: envelope.id, reason, attempts: attempts.length }, `event ${envelope.id} dead-lettered: ${reason}`);
}
