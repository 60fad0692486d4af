import { isHubError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { InvokeResult } from '../../runtime/types.js';
import { backoffDelay } from './backoff.js';
import { pause } from './poll-loop.js';
import { streamOutcome } from './stream-outcome.js';

/**
 * Lambda's error handling for ordered stream batches (Kinesis, DynamoDB streams), shared by the
 * hub's stream pollers. Retry policy is data; the source supplies records, the invocation, the
 * checkpoint and the on-failure destination.
 */
export interface StreamBatchPolicy {
  /** Retries of a failed batch; -1 retries until the records expire (Lambda's default). */
  maximumRetryAttempts: number;
  /** Records older than this are given up without (another) invocation; -1 never. */
  maximumRecordAgeInSeconds: number;
  /** Split a batch whose invocation failed into halves and retry each (does not use up retries). */
  bisectBatchOnFunctionError: boolean;
  /** The function reports failed records (`batchItemFailures` by sequence number). */
  reportBatchItemFailures: boolean;
  /** Wait before the n-th retry (n ≥ 1), and between attempts to invoke a throttled function. */
  retryDelayMs: (retry: number) => number;
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** Records given up, for the on-failure destination (then they are checkpointed). */
export interface StreamBatchFailure<R> {
  records: R[];
  condition: FailureCondition;
  /** Invocations that included these records. */
  approximateInvokeCount: number;
  /** The last such invocation's request id (absent when they were never invoked). */
  requestId?: string;
  /** `Unhandled` when the last invocation failed with a function error. */
  functionError?: string;
}

export interface StreamBatchDeps<R> {
  policy: StreamBatchPolicy;
  /** The record's item identifier (what `batchItemFailures` names): its sequence number or id. */
  sequenceOf(record: R): string;
  /** Epoch ms the record arrived in the stream: the base of maximumRecordAgeInSeconds. */
  arrivalMsOf(record: R): number;
  /** Invokes the function with these records; throws when it could not run (throttled, stopping). */
  invoke(records: R[]): Promise<InvokeResult>;
  /** Marks records done (a contiguous run, in order, following what was checkpointed before). */
  checkpoint(records: R[]): Promise<void>;
  /** Receives records given up; they are checkpointed once it resolves. */
  onFailure(failure: StreamBatchFailure<R>): Promise<void>;
  /** Aborted when the mapping stops: no further invocation starts. */
  signal: AbortSignal;
  log: Logger;
  now?: () => number;
}

/** Exponential retry delays: 100 ms, 200 ms, ... up to 10 s. */
export const defaultRetryDelayMs = (retry: number): number => backoffDelay(retry, 100, 10_000);

interface Piece<R> {
  records: R[];
  retries: number;
  invokes: number;
  requestId?: string;
  functionError?: string;
}

/**
 * Runs one batch to its end, in order: invoke; on error retry (or, with bisect, split the failing
 * part in halves and run the first half before the second); with ReportBatchItemFailures
 * checkpoint up to the lowest failed record and retry from it; records past the maximum age or the
 * retry limit go to `onFailure` and the batch moves on. Returns whether every record was
 * checkpointed (false when the signal aborted first: the rest stays unacknowledged upstream).
 * Errors of `checkpoint` and `onFailure` propagate: the records stay unacknowledged then.
 */
export async function processStreamBatch<R>(records: R[], deps: StreamBatchDeps<R>): Promise<boolean> {
  const { policy, log, signal } = deps;
  const now = deps.now ?? (() => Date.now());
  const pending: Piece<R>[] = records.length ? [{ records, retries: 0, invokes: 0 }] : [];
  let waits = 0;
  while (pending.length) {
    if (signal.aborted) return false;
    const piece = pending[0];
    const expired = countExpired(piece.records, deps, now());
    if (expired) {
      await giveUp(piece, piece.records.slice(0, expired), 'RecordAgeExceeded', deps);
      piece.records = piece.records.slice(expired);
      if (!piece.records.length) pending.shift();
      continue;
    }
    let result: InvokeResult;
    try {
      result = await deps.invoke(piece.records);
      waits = 0;
    } catch (err) {
      if (isHubError(err, 'TH_ERR_HUB_STOPPING') || signal.aborted) return false;
      waits += 1;
      const waitMs = policy.retryDelayMs(waits);
      log.info({ event: 'stream_invoke_deferred', err, count: piece.records.length, retryInMs: waitMs }, 'could not invoke the function; trying the batch again');
      if (!(await pause(waitMs, signal))) return false;
      continue;
    }
    piece.invokes += 1;
    piece.requestId = result.requestId;
    const outcome = streamOutcome(result, piece.records.map(deps.sequenceOf), policy.reportBatchItemFailures);
    if (outcome.kind === 'success') {
      await deps.checkpoint(piece.records);
      pending.shift();
      continue;
    }
    piece.functionError = outcome.kind === 'error' ? outcome.functionError : undefined;
    if (outcome.kind === 'partial') {
      if (outcome.firstFailed > 0) await deps.checkpoint(piece.records.slice(0, outcome.firstFailed));
      piece.records = piece.records.slice(outcome.firstFailed);
      log.info({ event: 'stream_batch_item_failures', requestId: result.requestId, retryFrom: deps.sequenceOf(piece.records[0]), remaining: piece.records.length },
        'the function reported failed records; retrying from the lowest');
    } else if (policy.bisectBatchOnFunctionError && piece.records.length > 1) {
      const half = Math.ceil(piece.records.length / 2);
      pending.splice(0, 1, { ...piece, records: piece.records.slice(0, half) }, { ...piece, records: piece.records.slice(half) });
      log.info({ event: 'stream_batch_bisected', requestId: result.requestId, reason: outcome.reason, sizes: [half, piece.records.length - half] },
        'batch failed; retrying it in halves');
      continue;
    } else {
      log.warn({ event: 'stream_batch_failed', requestId: result.requestId, reason: outcome.reason, count: piece.records.length, retries: piece.retries },
        'batch failed');
    }
    piece.retries += 1;
    if (policy.maximumRetryAttempts >= 0 && piece.retries > policy.maximumRetryAttempts) {
      await giveUp(piece, piece.records, 'RetryAttemptsExhausted', deps);
      pending.shift();
      continue;
    }
    if (!(await pause(policy.retryDelayMs(piece.retries), signal))) return false;
  }
  return true;
}

/** How many records at the head of `records` are older than the maximum age. */
function countExpired<R>(records: R[], deps: StreamBatchDeps<R>, now: number): number {
  const maxAge = deps.policy.maximumRecordAgeInSeconds;
  if (maxAge < 0) return 0;
  let count = 0;
  while (count < records.length && now - deps.arrivalMsOf(records[count]) > maxAge * 1000) count += 1;
  return count;
}

async function giveUp<R>(piece: Piece<R>, records: R[], condition: FailureCondition, deps: StreamBatchDeps<R>): Promise<void> {
  deps.log.warn({
    event: 'stream_records_discarded', condition, count: records.length, invokes: piece.invokes,
    first: deps.sequenceOf(records[0]), last: deps.sequenceOf(records[records.length - 1]),
  }, `giving up ${records.length} record(s): ${condition}`);
  await deps.onFailure({
    records, condition, approximateInvokeCount: piece.invokes, requestId: piece.requestId, functionError: piece.functionError,
  });
  await deps.checkpoint(records);
}
