import type { SQSRecord } from 'aws-lambda';
import type { InvokeResult } from '../../runtime/types.js';
import { invocationFailure, reportedItemFailures } from '../kit/batch-item-failures.js';

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

export function batchOutcome(result: InvokeResult, records: SQSRecord[], reportItemFailures: boolean): BatchOutcome {
  if (result.status !== 'success') return { failed: 'all', reason: invocationFailure(result) };
  if (!reportItemFailures) return { failed: new Set() };
  const ids = new Set(records.map((record) => record.messageId));
  const reported = reportedItemFailures(result, (id) => ids.has(id), 'an SQSBatchResponse');
  return 'invalid' in reported ? { failed: 'all', reason: reported.invalid } : { failed: new Set(reported.ids) };
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
