import { z } from 'zod';
import type { InvokeResult } from '../../runtime/types.js';

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

const responseSchema = z.object({
  batchItemFailures: z.array(z.object({
    itemIdentifier: z.string({ error: 'itemIdentifier must be a string' }).min(1, { error: 'itemIdentifier must not be empty' }),
  }, { error: 'each entry must be an object with an itemIdentifier' })).nullish(),
}, { error: 'the response must be a StreamsEventResponse object' }).nullable();

/**
 * `sequences` are the batch's item identifiers in order. A null or empty response, `{}` and an
 * empty list mean success; a response that is not such an object, an empty identifier or one that
 * is not in the batch fail the whole batch.
 */
export function streamOutcome(result: InvokeResult, sequences: string[], reportItemFailures: boolean): StreamOutcome {
  if (result.status !== 'success') {
    return { kind: 'error', functionError: 'Unhandled', reason: `${result.error?.errorType ?? result.status}: ${result.error?.errorMessage ?? ''}` };
  }
  if (!reportItemFailures) return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(result.payload ?? 'null');
  } catch {
    return { kind: 'error', reason: 'the response is not valid JSON' };
  }
  const parsed = responseSchema.safeParse(response);
  if (!parsed.success) return { kind: 'error', reason: `invalid batch response: ${parsed.error.issues[0].message}` };
  const failures = parsed.data?.batchItemFailures ?? [];
  if (!failures.length) return { kind: 'success' };
  const index = new Map(sequences.map((sequence, i) => [sequence, i]));
  let firstFailed = sequences.length;
  for (const { itemIdentifier } of failures) {
    const i = index.get(itemIdentifier);
    if (i === undefined) return { kind: 'error', reason: `invalid batch response: itemIdentifier "${itemIdentifier}" is not in the batch` };
    firstFailed = Math.min(firstFailed, i);
  }
  return { kind: 'partial', firstFailed };
}
