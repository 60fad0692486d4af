import { setTimeout as delay } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionConfig } from '../../config/load.js';
import { isHubError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { buildEnvelope, type Envelope } from '../../router/envelope.js';
import type { RecordFilter } from '../../filters/criteria.js';
import type { InvokeResult } from '../../runtime/types.js';
import type { SourceContext } from '../source.js';
import { deleteRecords } from './acks.js';
import { batchOutcome, blockFailedGroups } from './batch-response.js';
import type { QueueInfo } from './queue.js';
import { recordTraceparent, SQS_ENVELOPE_TYPE } from './records.js';
import type { VisibilityKeeper } from './visibility.js';

export interface BatchDeps {
  fn: FunctionConfig;
  context: SourceContext;
  client: SQSClient;
  queue: QueueInfo;
  keeper: VisibilityKeeper;
  reportItemFailures: boolean;
  /** From `filterCriteria` (matches everything without filters). */
  filter: RecordFilter;
  log: Logger;
  /** Aborted when the mapping stops: a throttled batch stops waiting for a free slot. */
  signal: AbortSignal;
}

const THROTTLE_BACKOFF_MS = [100, 200, 500, 1000, 2000];

/**
 * One batch, as Lambda's SQS poller handles it: records no filter matches are deleted without an
 * invocation; the rest go to the function synchronously; what succeeded is deleted. Failed records
 * stay in flight until their visibility timeout, so the queue's redrive policy counts them.
 * Never throws; resolves with the records left in the queue (those that did not succeed).
 */
export async function runBatch(records: SQSRecord[], deps: BatchDeps): Promise<SQSRecord[]> {
  const { client, queue, keeper, log } = deps;
  const done: SQSRecord[] = [];
  try {
    const matched: SQSRecord[] = [];
    for (const record of records) (deps.filter(record as unknown as Record<string, unknown>) ? matched : done).push(record);
    if (done.length) log.debug({ event: 'sqs_records_filtered', count: done.length }, 'records matched no filter; deleted');
    if (matched.length) done.push(...await invokeBatch(matched, deps));
    await deleteRecords(client, queue.url, done, log);
  } catch (err) {
    log.error({ event: 'sqs_batch_error', err }, 'unexpected error while handling a batch; its messages return to the queue');
    done.length = 0;
  } finally {
    keeper.drop(records);
  }
  const deleted = new Set(done);
  return records.filter((record) => !deleted.has(record));
}

/** Invokes the function with the records; returns those to delete. */
async function invokeBatch(records: SQSRecord[], deps: BatchDeps): Promise<SQSRecord[]> {
  const { queue, log } = deps;
  // One invocation, one trace: the first record's (each record keeps its own in its attributes).
  const envelope = buildEnvelope<SQSEvent>({ source: queue.arn, type: SQS_ENVELOPE_TYPE, data: { Records: records }, traceparent: recordTraceparent(records[0]) });
  const result = await invokeUnthrottled(envelope, deps);
  if (!result) return [];
  const outcome = batchOutcome(result, records, deps.reportItemFailures);
  if (outcome.failed === 'all') {
    log.warn({ event: 'sqs_batch_failed', requestId: envelope.id, count: records.length, reason: outcome.reason },
      'batch failed; its messages return to the queue after the visibility timeout');
    return [];
  }
  const failed = queue.fifo ? blockFailedGroups(records, outcome.failed) : outcome.failed;
  if (failed.size) {
    log.info({ event: 'sqs_batch_item_failures', requestId: envelope.id, count: records.length, failed: failed.size, reported: outcome.failed.size },
      'some messages failed; they return to the queue after the visibility timeout');
  }
  return records.filter((record) => !failed.has(record.messageId));
}

/**
 * A synchronous invocation; while the function's reserved concurrency is used up (by other
 * callers) it is tried again after a short backoff, as Lambda's poller does, until the mapping
 * stops. Undefined when it could not run: nothing is deleted then.
 */
async function invokeUnthrottled(envelope: Envelope<SQSEvent>, deps: BatchDeps): Promise<InvokeResult | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await deps.context.invokeSync(deps.fn, envelope);
    } catch (err) {
      if (!isHubError(err, 'TH_ERR_THROTTLED') || deps.signal.aborted) {
        deps.log.warn({ event: 'sqs_invoke_failed', requestId: envelope.id, err }, 'could not invoke the function; the batch returns to the queue');
        return undefined;
      }
      const waitMs = THROTTLE_BACKOFF_MS[Math.min(attempt, THROTTLE_BACKOFF_MS.length - 1)];
      deps.log.info({ event: 'sqs_invoke_throttled', requestId: envelope.id, attempt: attempt + 1, retryInMs: waitMs }, 'function throttled; retrying the batch');
      try {
        await delay(waitMs, undefined, { signal: deps.signal });
      } catch {
        return undefined;
      }
    }
  }
}
