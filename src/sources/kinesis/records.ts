import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { _Record as KinesisApiRecord } from '@aws-sdk/client-kinesis';
import { recordFields, type FilterSubject } from '../../filters/criteria.js';

/** The CloudEvents type of Kinesis envelopes; `data` is a KinesisStreamEvent. Built here only. */
export const KINESIS_ENVELOPE_TYPE = 'aws.kinesis';

export type { KinesisStreamEvent, KinesisStreamRecord };

/** Filters see a record's `kinesis` object, its base64 `data` parsed when it is JSON. */
export const KINESIS_FILTER_SUBJECT: FilterSubject = {
  of: "a Kinesis record's kinesis object (what filters see)",
  fields: recordFields({
    kinesisSchemaVersion: null, partitionKey: null, sequenceNumber: null, data: null, approximateArrivalTimestamp: null,
  } satisfies Record<keyof KinesisStreamRecord['kinesis'], null>),
  dataField: 'data',
};

export interface KinesisIdentity {
  streamArn: string;
  region: string;
  /** Lambda's execution role in the record (`invokeIdentityArn`). */
  identityArn: string;
}

/** A record as Lambda builds it from GetRecords output. */
export function toKinesisRecord(record: KinesisApiRecord, shardId: string, stream: KinesisIdentity): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: stream.identityArn,
    awsRegion: stream.region,
    eventSourceARN: stream.streamArn,
  };
}
