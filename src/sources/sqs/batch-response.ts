import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import type { InvokeResult } from '../../runtime/types.js';

/**
 * Which records of an invoked batch failed, as Lambda decides it: every record when the invocation
 * failed; with ReportBatchItemFailures, the reported `batchItemFailures`. A null or empty response,
 * `{}` and a null or empty list mean complete success; a response that is not such an object, an
 * entry without a non-empty `itemIdentifier`, or an identifier that is not in the batch fail the
 * whole batch.
 */
export type BatchOutcome =
  | { failed: 'all'; reason: string }
  | { failed: Set<string> };

const batchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({
    itemIdentifier: z.string({ error: 'itemIdentifier must be a string' }).min(1, { error: 'itemIdentifier must not be empty' }),
  }, { error: 'each entry must be an object with an itemIdentifier' })).nullish(),
}, { error: 'the response must be an SQSBatchResponse object' }).nullable();

export function batchOutcome(result: InvokeResult, records: SQSRecord[], reportItemFailures: boolean): BatchOutcome {
  if (result.status !== 'success') {
    return { failed: 'all', reason: `${result.error?.errorType ?? result.status}: ${result.error?.errorMessage ?? ''}` };
  }
  if (!reportItemFailures) return { failed: new Set() };
  let response: unknown;
  try {
    response = JSON.parse(result.payload ?? 'null');
  } catch {
    return { failed: 'all', reason: 'the response is not valid JSON' };
  }
  const parsed = batchResponseSchema.safeParse(response);
  if (!parsed.success) return { failed: 'all', reason: `invalid batch response: ${parsed.error.issues[0].message}` };
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const { itemIdentifier } of parsed.data?.batchItemFailures ?? []) {
    if (!ids.has(itemIdentifier)) return { failed: 'all', reason: `invalid batch response: itemIdentifier "${itemIdentifier}" is not in the batch` };
    failed.add(itemIdentifier);
  }
  return { failed };
}

/**
 * FIFO: a group stops at its first failed record; the records after it in that group count as
 * failed too (they are returned to the queue, not deleted), while other groups go on.
 */
export function blockFailedGroups(records: SQSRecord[], failed: Set<string>): Set<string> {
  const blocked = new Set<string>();
  const result = new Set(failed);
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? '';
    if (blocked.has(group)) result.add(record.messageId);
    else if (failed.has(record.messageId)) blocked.add(group);
  }
  return result;
}
