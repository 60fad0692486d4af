import type { BatchResultErrorEntry, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../../log.js';
import { loadSqs } from '../../aws/lazy-sdk.js';

/** SQS takes at most 10 entries per batch call. */
const ENTRIES_PER_CALL = 10;
/** Rounds for entries that failed through no fault of the request (SenderFault false). */
const DELETE_ROUNDS = 2;

/** What a batch call reports for entries it could not handle. */
export interface EntryFailure {
  record: SQSRecord;
  code?: string;
  senderFault: boolean;
}

/**
 * Deletes records (the acknowledgement of an SQS poller). Entries SQS failed on its side are tried
 * once more; what still fails is logged and stays in the queue, to be delivered again.
 */
export async function deleteRecords(client: SQSClient, queueUrl: string, records: SQSRecord[], log: Logger): Promise<void> {
  const { DeleteMessageBatchCommand } = await loadSqs();
  let pending = records;
  for (let round = 1; pending.length && round <= DELETE_ROUNDS; round += 1) {
    const failures = await inChunks(pending, (chunk) => client.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl, Entries: chunk.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
    })));
    const retry = round < DELETE_ROUNDS ? failures.filter((failure) => !failure.senderFault) : [];
    logEntryFailures(log, 'sqs_delete_failed', failures.filter((f) => !retry.includes(f)), 'processed message(s) could not be deleted; they will be delivered again');
    pending = retry.map((failure) => failure.record);
  }
}

/** Message ids a failure log line names; the count says how many there were. */
const LOGGED_IDS = 10;

/**
 * One warning per error code, however many entries failed with it (SQS unreachable under a batch of
 * thousands is one line, not thousands): `count`, the first message ids and `code`.
 */
export function logEntryFailures(log: Logger, event: string, failures: EntryFailure[], message: string): void {
  const byCode = new Map<string | undefined, EntryFailure[]>();
  for (const failure of failures) byCode.set(failure.code, [...(byCode.get(failure.code) ?? []), failure]);
  for (const [code, same] of byCode) {
    const messageIds = same.slice(0, LOGGED_IDS).map((failure) => failure.record.messageId);
    log.warn({ event, code, count: same.length, messageIds }, `${same.length} ${message}`);
  }
}

/** Sets the visibility timeout of records from now (0 returns them to the queue at once). */
export async function changeVisibility(client: SQSClient, queueUrl: string, records: SQSRecord[], seconds: number): Promise<EntryFailure[]> {
  const { ChangeMessageVisibilityBatchCommand } = await loadSqs();
  return inChunks(records, (chunk) => client.send(new ChangeMessageVisibilityBatchCommand({
    QueueUrl: queueUrl,
    Entries: chunk.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds })),
  })));
}

/** Runs a batch call per 10 records in parallel; a call that throws fails all of its entries. */
async function inChunks(
  records: SQSRecord[],
  call: (chunk: SQSRecord[]) => Promise<{ Failed?: BatchResultErrorEntry[] }>,
): Promise<EntryFailure[]> {
  const chunks: SQSRecord[][] = [];
  for (let i = 0; i < records.length; i += ENTRIES_PER_CALL) chunks.push(records.slice(i, i + ENTRIES_PER_CALL));
  const results = await Promise.all(chunks.map(async (chunk) => {
    try {
      const { Failed = [] } = await call(chunk);
      return Failed.map((entry) => ({ record: chunk[Number(entry.Id)], code: entry.Code, senderFault: entry.SenderFault ?? false }));
    } catch (err) {
      const code = (err as { name?: string }).name;
      return chunk.map((record) => ({ record, code, senderFault: false }));
    }
  }));
  return results.flat();
}
