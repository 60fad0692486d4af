import type { InvokeResult } from '../../runtime/types.js';
import { invocationFailure, reportedItemFailures } from './batch-item-failures.js';

/**
 * How one invocation of an ordered stream batch ended, as Lambda decides it for Kinesis:
 * - `success`: every record is done;
 * - `error`: the whole batch failed (the function errored, timed out or crashed, or its
 *   ReportBatchItemFailures response was invalid);
 * - `partial`: with ReportBatchItemFailures, records before `firstFailed` (the lowest reported
 *   item) are done; it and everything after it are retried.
 */
export type StreamOutcome =
  | { kind: 'success' }
  | { kind: 'error'; reason: string; functionError?: string }
  | { kind: 'partial'; firstFailed: number };

/**
 * `sequences` are the batch's item identifiers in order. A null or empty response, `{}` and an
 * empty list mean success; a response that is not such an object, an empty identifier or one that
 * is not in the batch fail the whole batch.
 */
export function streamOutcome(result: InvokeResult, sequences: string[], reportItemFailures: boolean): StreamOutcome {
  if (result.status !== 'success') return { kind: 'error', functionError: 'Unhandled', reason: invocationFailure(result) };
  if (!reportItemFailures) return { kind: 'success' };
  const index = new Map(sequences.map((sequence, i) => [sequence, i]));
  const reported = reportedItemFailures(result, (id) => index.has(id), 'a StreamsEventResponse');
  if ('invalid' in reported) return { kind: 'error', reason: reported.invalid };
  if (!reported.ids.length) return { kind: 'success' };
  return { kind: 'partial', firstFailed: Math.min(...reported.ids.map((id) => index.get(id)!)) };
}
