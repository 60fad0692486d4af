import type { EventQueues } from '../router/queues.js';
import type { DlqFilter, DlqRecord, DlqStore } from './store.js';

/**
 * Queues a dead-lettered event again (to its function or `to`), keeping the envelope id and its
 * attempt history; the record leaves the DLQ only after the event is durably queued.
 */
export async function redriveOne(dlq: DlqStore, queues: EventQueues, id: string, to?: string): Promise<DlqRecord> {
  const record = await dlq.get(id);
  await queues.enqueue(record.envelope, {
    function: to ?? record.function,
    invocationType: 'Event',
    firstSeenAt: Date.now(),
    attempts: record.attempts,
    redrives: record.delivery.redrives + 1,
    traceparent: record.delivery.traceparent,
  });
  await dlq.remove(id);
  return record;
}

export async function redriveMany(dlq: DlqStore, queues: EventQueues, filter: DlqFilter, to?: string): Promise<DlqRecord[]> {
  const records = await dlq.list(filter);
  const done: DlqRecord[] = [];
  for (const record of records) done.push(await redriveOne(dlq, queues, record.id, to));
  return done;
}
