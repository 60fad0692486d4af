import { DelayedError, type Job } from 'bullmq';
import type { FunctionConfig } from '../config/load.js';
import type { DlqReason, DlqStore } from '../dlq/store.js';
import type { Logger } from '../log.js';
import type { InvokeResult } from '../runtime/types.js';
import type { ConcurrencyGate } from './concurrency.js';
import { DestinationSender } from './destinations.js';
import type { AttemptRecord, QueuedEvent } from './envelope.js';
import { isTooOld, nextStep } from './retry.js';

export interface Invoker {
  invoke(fn: string, request: { requestId: string; payload: string; traceId?: string }): Promise<InvokeResult>;
}

export interface AsyncWorkerDeps {
  fn: FunctionConfig;
  invoker: Invoker;
  gate: ConcurrencyGate;
  dlq: DlqStore;
  destinations: DestinationSender;
  logger: Logger;
  onThrottle?: () => void;
}

/** How long a throttled async event waits before it asks for a slot again. */
const THROTTLE_DELAY_MS = 250;

/**
 * Runs one async event: age check, reserved-concurrency slot, the handler, then success
 * destination, a retry (by throwing, so BullMQ applies the backoff) or the dead-letter record and
 * failure destination. The DLQ record is written before the job completes: a crash in between
 * reprocesses the event and rewrites the same record (same id), never loses it.
 */
export function createProcessor(deps: AsyncWorkerDeps) {
  const { fn, logger } = deps;
  return async (job: Job<QueuedEvent>, token?: string): Promise<string> => {
    const { envelope, delivery } = job.data;
    const attempt = job.attemptsMade + 1;
    if (isTooOld(fn, delivery.firstSeenAt, Date.now())) {
      await giveUp(deps, job.data, delivery.attempts, 'EventAgeExceeded', undefined);
      return 'expired';
    }
    let lease;
    if (fn.reservedConcurrency !== undefined) {
      lease = await deps.gate.tryAcquire(fn.name, fn.reservedConcurrency, envelope.id, fn.timeout);
      if (!lease) {
        deps.onThrottle?.();
        await job.moveToDelayed(Date.now() + THROTTLE_DELAY_MS + Math.random() * THROTTLE_DELAY_MS, token);
        throw new DelayedError();
      }
    }
    const startedAt = new Date();
    let result: InvokeResult;
    try {
      result = await deps.invoker.invoke(fn.name, {
        requestId: envelope.id,
        payload: JSON.stringify(envelope.data),
        traceId: delivery.traceparent,
      });
    } finally {
      await lease?.release();
    }
    if (result.status === 'success') {
      await deps.destinations.onSuccess(fn, job.data, result, attempt);
      return 'success';
    }
    const record: AttemptRecord = {
      attempt: delivery.attempts.length + 1,
      startedAt: startedAt.toISOString(),
      durationMs: result.durationMs,
      status: result.status,
      errorType: result.error?.errorType,
      errorMessage: result.error?.errorMessage,
      stackTrace: result.error?.stackTrace,
      environmentId: result.environmentId,
      redrive: delivery.redrives,
    };
    const attempts = [...delivery.attempts, record];
    const step = nextStep(fn, { attempt, firstSeenAt: delivery.firstSeenAt, now: Date.now(), error: result.error!, eventId: envelope.id });
    if (step.retry) {
      await job.updateData({ envelope, delivery: { ...delivery, attempts } });
      logger.info({ event: 'invocation_retry', requestId: envelope.id, attempt, delayMs: step.delayMs }, `retrying in ${step.delayMs} ms`);
      throw Object.assign(new Error(result.error?.errorMessage ?? 'invocation failed'), { name: result.error?.errorType ?? 'Error' });
    }
    await giveUp(deps, job.data, attempts, step.reason, result);
    return 'dead-lettered';
  };
}

async function giveUp(
  deps: AsyncWorkerDeps,
  event: QueuedEvent,
  attempts: AttemptRecord[],
  reason: DlqReason,
  result: InvokeResult | undefined,
): Promise<void> {
  const { envelope, delivery } = event;
  await deps.dlq.add({
    id: envelope.id,
    function: deps.fn.name,
    source: envelope.source,
    reason,
    failedAt: new Date().toISOString(),
    envelope,
    delivery: { invocationType: delivery.invocationType, firstSeenAt: delivery.firstSeenAt, redrives: delivery.redrives, traceparent: delivery.traceparent },
    attempts,
  });
  deps.logger.warn({ event: 'event_dead_lettered', requestId: envelope.id, reason, attempts: attempts.length }, `event ${envelope.id} dead-lettered: ${reason}`);
  await deps.destinations.onFailure(deps.fn, event, result, attempts.filter((a) => a.redrive === delivery.redrives).length, reason);
}
