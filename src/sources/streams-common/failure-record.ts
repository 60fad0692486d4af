import { randomUUID } from 'node:crypto';
import { functionArn } from '../../arn.js';
import type { FunctionConfig, HubConfig } from '../../config/load.js';
import { HubError } from '../../errors.js';
import { buildEnvelope, ENVELOPE_TYPES, newDelivery } from '../../router/envelope.js';
import type { SourceContext } from '../source.js';
import type { FailureCondition, StreamBatchFailure } from './batch.js';

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

/** Queues the record for the destination function (async: it gets retries and a DLQ of its own). */
export async function sendFailureRecord(
  context: SourceContext,
  target: string,
  record: FailureRecordBase,
): Promise<void> {
  const envelope = buildEnvelope({
    source: record.requestContext.functionArn,
    type: ENVELOPE_TYPES.destination,
    subject: record.requestContext.condition,
    data: record,
  });
  await context.enqueue(envelope, newDelivery(target, 'Event'));
}

/**
 * A stream mapping's `destinations.onFailure` must name a configured function (`dlq` is not a
 * destination for stream records: there is no event to dead-letter, only batch metadata).
 */
export function checkOnFailureTarget(config: HubConfig, path: string, target: string | undefined): void {
  if (target === undefined || config.functions[target]) return;
  throw new HubError('TH_ERR_CONFIG_INVALID', `invalid config: ${path}: "${target}" is not a configured function`);
}
