import { setTimeout as delay } from 'node:timers/promises';
import { HubError, isHubError } from '../errors.js';
import { own } from '../own.js';
import type { EventQueues } from '../router/queues.js';
import type { DlqFilter } from './filter.js';
import type { DlqRecord, DlqStore } from './store.js';

/** Records per second a redrive of many records queues unless told otherwise. */
export const DEFAULT_REDRIVE_RATE = 10;
export const MAX_REDRIVE_RATE = 1000;

export interface RedriveOptions {
  /** Send to this function instead of each record's own. */
  to?: string;
  /** Records per second (default DEFAULT_REDRIVE_RATE). */
  rate?: number;
  /** Stops a long redrive between records (the rest stay in the DLQ). */
  signal?: AbortSignal;
  onRedriven?: (record: DlqRecord, fn: string) => void;
  /** Where records parked by the destination outbox (reason DestinationFailed) go back to. */
  destinations?: ParkedRecordRedriver;
}

/** The destination outbox, as far as redrive needs it (DestinationOutbox.redrive). */
export interface ParkedRecordRedriver {
  redrive(parked: DlqRecord): Promise<void>;
}

export interface RedriveFailure { id: string; error: string; message: string }
export interface RedriveOutcome { redriven: DlqRecord[]; failed: RedriveFailure[] }

/** `--to` / `to`: must name a configured function. */
export function checkRedriveTarget(functions: Readonly<Record<string, unknown>>, to: unknown): string | undefined {
  if (to === undefined) return undefined;
  if (typeof to !== 'string' || !own(functions, to)) {
    const known = Object.keys(functions).join(', ') || 'none';
    throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `to: no function named ${JSON.stringify(to)} (configured: ${known})`);
  }
  return to;
}

/**
 * The slowest pace: one record every 1,000 s. Slower ones would overflow Node's timer (2^31 ms, where
 * it fires after 1 ms instead: records went out as fast as they could).
 */
export const MIN_REDRIVE_RATE = 0.001;

/** `--rate` / `rate`: records per second, from MIN_REDRIVE_RATE to MAX_REDRIVE_RATE. */
export function parseRedriveRate(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const rate = typeof value === 'string' ? Number(value) : value;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < MIN_REDRIVE_RATE || rate > MAX_REDRIVE_RATE) {
    throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `rate: must be a number of records per second, at least ${MIN_REDRIVE_RATE} and at most ${MAX_REDRIVE_RATE}`);
  }
  return rate;
}

/**
 * Queues a dead-lettered event again (to its function or `to`), keeping the envelope id and its
 * attempt history. A destination record parked by the outbox (reason DestinationFailed) goes back
 * to its destination through `destinations`, or, with `to`, to that function as an async event
 * whose payload is the record. The record is claimed first, so a concurrent redrive of the same id fails with
 * TH_ERR_DLQ_REDRIVE_IN_PROGRESS instead of queueing it twice; it leaves the DLQ only after the
 * event is durably queued, and stays (claim released) when queueing fails. With `edit`, the event
 * goes with that payload instead, and the one it replaces is kept in `delivery.edits`.
 */
export async function redriveOne(
  dlq: DlqStore, queues: EventQueues, id: string, to?: string, destinations?: ParkedRecordRedriver, edit?: { payload: unknown },
): Promise<DlqRecord> {
  const claim = await dlq.claim(id);
  const { record } = claim;
  try {
    const redrives = record.delivery.redrives + 1;
    if (record.reason === 'DestinationFailed' && to === undefined) {
      if (!destinations) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `${id} is a destination record: redrive it through a hub or CLI that has its destination outbox`);
      if (edit) throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `payload: ${id} is a destination record; it goes back to its destination unchanged (redrive it with "to" to edit it)`);
      await destinations.redrive(record);
    } else {
      const edits = edit ? [...(record.delivery.edits ?? []), { at: new Date().toISOString(), redrive: redrives, previous: record.envelope.data }] : record.delivery.edits;
      await queues.enqueue(edit ? { ...record.envelope, data: edit.payload } : record.envelope, {
        function: to ?? record.function,
        invocationType: 'Event',
        firstSeenAt: Date.now(),
        attempts: record.attempts,
        redrives,
        traceparent: record.delivery.traceparent,
        // The alias or version it was invoked as; another function (--to) runs unqualified.
        ...(to === undefined && record.delivery.qualifier !== undefined ? { qualifier: record.delivery.qualifier } : {}),
        ...(edits && { edits }),
      });
    }
  } catch (err) {
    await dlq.release(id, claim.token).catch(() => undefined);
    throw err;
  }
  await dlq.removeClaimed(claim);
  return record;
}

/** Resolves at most `rate` times per second; the first call at once. */
function pacer(rate: number, signal?: AbortSignal): () => Promise<void> {
  const intervalMs = 1000 / rate;
  let next = Date.now();
  return async () => {
    const wait = next - Date.now();
    if (wait > 0) await delay(wait, undefined, { signal }).catch(() => undefined);
    next = Math.max(next, Date.now()) + intervalMs;
  };
}

/**
 * Redrives the given ids, or every record the filter matches (newest first), paced to `rate` per
 * second. One record failing does not stop the rest; it is reported with its error code.
 */
export async function redriveMany(
  dlq: DlqStore,
  queues: EventQueues,
  target: { ids: string[] } | { filter: DlqFilter },
  options: RedriveOptions = {},
): Promise<RedriveOutcome> {
  // Found by their rows: each record (and its payload) is read when its turn comes, not all at once.
  const ids = 'ids' in target ? target.ids : await dlq.ids(target.filter);
  const pace = pacer(options.rate ?? DEFAULT_REDRIVE_RATE, options.signal);
  const outcome: RedriveOutcome = { redriven: [], failed: [] };
  for (const id of ids) {
    await pace();
    if (options.signal?.aborted) break;
    try {
      const record = await redriveOne(dlq, queues, id, options.to, options.destinations);
      outcome.redriven.push(record);
      options.onRedriven?.(record, options.to ?? record.function);
    } catch (err) {
      outcome.failed.push({ id, error: isHubError(err) ? err.code : 'TH_ERR_INTERNAL', message: (err as Error).message });
    }
  }
  return outcome;
}
