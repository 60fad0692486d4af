import type { _Record, AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { recordFields, type FilterSubject } from '../../filters/criteria.js';

/** The CloudEvents type of DynamoDB Streams envelopes; `data` is a DynamoDBStreamEvent. Built here only. */
export const DYNAMODB_ENVELOPE_TYPE = 'aws.dynamodb';

export type { DynamoDBRecord, DynamoDBStreamEvent };

/** Filters see the whole record, images in DynamoDB JSON. */
export const DYNAMODB_FILTER_SUBJECT: FilterSubject = {
  of: 'a DynamoDB Streams record',
  fields: recordFields({
    eventID: null, eventName: null, eventVersion: null, eventSource: null, awsRegion: null, eventSourceARN: null, userIdentity: null,
    dynamodb: recordFields({
      ApproximateCreationDateTime: null, Keys: null, NewImage: null, OldImage: null, SequenceNumber: null, SizeBytes: null, StreamViewType: null,
    } satisfies Record<keyof StreamRecord, null>),
  } satisfies Record<keyof DynamoDBRecord, unknown>),
};

/**
 * A record as Lambda delivers it from GetRecords output: the stream record's fields with
 * `eventSourceARN`, `ApproximateCreationDateTime` in epoch seconds, binary attributes in base64
 * (DynamoDB JSON), and `userIdentity` (`{ type, principalId }`) on TTL deletes.
 */
export function toDynamodbRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(change.ApproximateCreationDateTime && { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) }),
      Keys: image(change.Keys ?? {}),
      ...(change.NewImage && { NewImage: image(change.NewImage) }),
      ...(change.OldImage && { OldImage: image(change.OldImage) }),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
  if (record.userIdentity) out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return out;
}

/** The region DynamoDB Local names its tables and streams in (no AWS region has that name). */
const DYNAMODB_LOCAL_REGION = 'ddblocal';

/**
 * The stream ARN records name (`eventSourceARN`, the on-failure record's `streamArn`): DynamoDB
 * Local's (`arn:aws:dynamodb:ddblocal:...`) in the region the mapping reads in, so that it agrees
 * with `awsRegion` as on AWS; any other as it is.
 */
export function recordStreamArn(arn: string, region: string): string {
  const parts = arn.split(':');
  return parts[3] === DYNAMODB_LOCAL_REGION ? [...parts.slice(0, 3), region, ...parts.slice(4)].join(':') : arn;
}

/** The record's item key as one string, attribute names sorted: records with equal keys share a lane. */
export function itemKey(record: DynamoDBRecord): string {
  const keys = record.dynamodb?.Keys ?? {};
  return JSON.stringify(Object.keys(keys).sort().map((name) => [name, keys[name]]));
}

export const arrivalMsOf = (record: DynamoDBRecord): number => (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;

function image(attributes: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, attributeValue(value)]));
}

/** The SDK's parsed attribute value back in DynamoDB JSON (binary as base64), as the Streams API sent it. */
function attributeValue(value: SdkAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.M !== undefined) return { M: image(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attributeValue) };
  const { $unknown: _unknown, ...known } = value as SdkAttributeValue & { $unknown?: unknown };
  return known as AttributeValue;
}
