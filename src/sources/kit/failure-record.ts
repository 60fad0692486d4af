import { createHash, randomUUID } from 'node:crypto';
import { functionArn, parseFunctionRef } from '../../arn.js';
import type { FunctionConfig, HubConfig } from '../../config/load.js';
import { destinationText, DLQ_TARGET, missingFunction, type DestinationSpec, type FunctionHome } from '../../destinations/targets.js';
import { HubError } from '../../errors.js';
import type { SettingsProblem, SourceContext } from '../source.js';
import { onFailureTarget } from './stream-settings.js';
import type { FailureCondition, StreamBatchFailure } from './stream-batch.js';

/**
 * Lambda's on-failure record for stream event source mappings (Kinesis, DynamoDB): invocation
 * metadata plus a batch-info object naming the discarded records (`KinesisBatchInfo`,
 * `StreamBatchInfo`, ...). The records themselves are not included, as on Lambda.
 */
export interface FailureRecordBase {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
}

/** The part of a batch-info object every stream shares: the range of discarded records. */
export interface BatchRange {
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export function batchRange<R>(records: R[], sequenceOf: (record: R) => string, arrivalMsOf: (record: R) => number, streamArn: string): BatchRange {
  const first = records[0];
  const last = records[records.length - 1];
  return {
    startSequenceNumber: sequenceOf(first),
    endSequenceNumber: sequenceOf(last),
    approximateArrivalOfFirstRecord: new Date(arrivalMsOf(first)).toISOString(),
    approximateArrivalOfLastRecord: new Date(arrivalMsOf(last)).toISOString(),
    batchSize: records.length,
    streamArn,
  };
}

export type StreamFailureRecord<InfoKey extends string, Info> = FailureRecordBase & Record<InfoKey, Info>;

export function streamFailureRecord<InfoKey extends string, Info>(
  failure: StreamBatchFailure<unknown>,
  fn: FunctionConfig,
  config: HubConfig,
  infoKey: InfoKey,
  info: Info,
): StreamFailureRecord<InfoKey, Info> {
  const responseContext: FailureRecordBase['responseContext'] = { statusCode: 200, executedVersion: '$LATEST' };
  if (failure.functionError) responseContext.functionError = failure.functionError;
  return {
    requestContext: {
      requestId: failure.requestId ?? randomUUID(),
      functionArn: `${functionArn(config.region, config.accountId, fn.name)}:$LATEST`,
      condition: failure.condition,
      approximateInvokeCount: failure.approximateInvokeCount,
    },
    responseContext,
    version: '1.0',
    timestamp: new Date().toISOString(),
    ...({ [infoKey]: info } as Record<InfoKey, Info>),
  };
}

/**
 * Sends the record to the mapping's on-failure destination: a function (queued async: it gets
 * retries and a DLQ of its own) or, through the durable outbox, an SQS queue, SNS topic, HTTP URL
 * or Redis stream. Resolves once Redis holds it, so the batch may be checkpointed then.
 */
export async function sendFailureRecord(
  context: SourceContext,
  target: DestinationSpec,
  record: FailureRecordBase,
): Promise<void> {
  // Unique per record, stable for the same record: the outbox drops only true duplicates.
  const digest = createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16);
  if (!context.sendToDestination) throw new HubError('TH_ERR_INTERNAL', 'this source context cannot send destination records');
  await context.sendToDestination(target, record, {
    id: `${record.requestContext.requestId}-fail-${digest}`,
    function: parseFunctionRef(record.requestContext.functionArn).name,
  });
}

/**
 * A stream mapping's `destinations.onFailure` must name a configured function or an outside
 * target (`dlq` is not a destination for stream records: there is no event to dead-letter, only
 * batch metadata). Checked when the config is loaded.
 */
export function onFailureProblems(settings: Parameters<typeof onFailureTarget>[0], functions: ReadonlySet<string>, home?: FunctionHome): SettingsProblem[] {
  const { target, path } = onFailureTarget(settings);
  if (target === undefined) return [];
  const message = destinationText(target) === DLQ_TARGET
    ? `"${DLQ_TARGET}" is not a configured function: stream failure records carry no event to dead-letter; use a function, an SQS/SNS ARN, an http(s) URL or redis-stream:<key>`
    : missingFunction(target, functions, undefined, home);
  return message ? [{ path, message }] : [];
}
