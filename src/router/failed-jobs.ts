import type { Job } from 'bullmq';
import type { FunctionConfig } from '../config/load.js';
import type { DlqStore } from '../dlq/store.js';
import type { Logger } from '../log.js';
import type { DestinationSender } from './destinations.js';
import type { QueuedEvent } from './envelope.js';

/**
 * A job BullMQ itself failed for good (stalled too often: hubs died running it): dead-letter it so
 * it is not lost, and send the on-failure destination and dead-letter queue as for any event given
 * up. Its invoke count is the attempts recorded in this round plus the runs the crashes cut short.
 */
export async function deadLetterFailedJob(fn: FunctionConfig, job: Job<QueuedEvent>, err: Error, log: Logger, dlq: DlqStore, destinations: DestinationSender): Promise<void> {
  try {
    if (!(await job.isFailed())) return; // BullMQ retries it
    const { envelope, delivery } = job.data;
    const reason = job.attemptsMade >= (job.opts.attempts ?? 1) ? 'RetriesExhausted' : 'Stalled';
    await dlq.add({
      id: envelope.id, function: fn.name, source: envelope.source, reason, failedAt: new Date().toISOString(),
      envelope, delivery: { invocationType: delivery.invocationType, firstSeenAt: delivery.firstSeenAt, redrives: delivery.redrives, traceparent: delivery.traceparent, qualifier: delivery.qualifier, edits: delivery.edits },
      attempts: delivery.attempts,
    });
    const invokeCount = delivery.attempts.filter((a) => a.redrive === delivery.redrives).length + job.stalledCounter;
    await destinations.onFailure(fn, job.data, undefined, invokeCount, reason);
    await job.remove();
    log.warn({ event: 'event_dead_lettered', requestId: envelope.id, reason, cause: err.message }, 'event dead-lettered by the queue');
  } catch (cause) {
    log.error({ event: 'dead_letter_failed', err: cause }, 'could not dead-letter a failed job; it stays in the failed set');
  }
}
