import { stableUuid } from '../../router/envelope.js';
import type { S3EventRecord } from 'aws-lambda';
import { z } from 'zod';
import { globalArnOf } from '../../arn.js';

/**
 * One S3 notification record as it arrives (AWS, LocalStack, MinIO, s3rver), validated loosely at
 * the edge, then normalised to the record AWS delivers to Lambda (`eventVersion: "2.1"`,
 * `eventSource: "aws:s3"`, `eventName` without `s3:`, bucket ARN `arn:aws:s3:::<bucket>` in the partition of
 * the record's region (`arn:aws-cn:s3:::<bucket>` in cn-*), object key form-URL-encoded as AWS writes it).
 */
const text = z.string({ error: 'must be a string' });
const principal = z.looseObject({ principalId: text.optional() }).optional();

export const incomingRecordSchema = z.looseObject({
  eventVersion: text.optional(),
  eventSource: text.optional(),
  awsRegion: text.optional(),
  eventTime: text.optional(),
  eventName: text.min(1, { error: 'must not be empty' }),
  userIdentity: principal,
  requestParameters: z.looseObject({ sourceIPAddress: text.optional() }).optional(),
  responseElements: z.record(z.string(), z.unknown()).optional(),
  s3: z.looseObject({
    configurationId: text.optional(),
    bucket: z.looseObject({ name: text.min(1), ownerIdentity: principal }),
    object: z.looseObject({
      key: text,
      size: z.number().optional(),
      eTag: text.optional(),
      versionId: text.optional(),
      sequencer: text.optional(),
    }),
  }),
});

export type IncomingRecord = z.infer<typeof incomingRecordSchema>;

/** An AWS-shaped record with its decoded key (for filters and the envelope subject). */
export interface NormalisedRecord {
  record: S3EventRecord;
  key: string;
  bucket: string;
}

/**
 * MinIO files object tag changes under ObjectCreated (its `s3:ObjectCreated:*` fires on them); S3
 * sends them as ObjectTagging events, which `s3:ObjectCreated:*` does not match. A handler that tags
 * the objects it processes would otherwise invoke itself again on every tag it sets.
 */
const MINIO_EVENT_NAMES = new Map([
  ['ObjectCreated:PutTagging', 'ObjectTagging:Put'],
  ['ObjectCreated:DeleteTagging', 'ObjectTagging:Delete'],
]);

/** The event name as S3 writes it: without `s3:`, MinIO's tagging names mapped to S3's. */
function awsEventName(name: string): S3EventRecord['eventName'] {
  const bare = name.replace(/^s3:/, '');
  return (MINIO_EVENT_NAMES.get(bare) ?? bare) as S3EventRecord['eventName'];
}

export function normaliseRecord(raw: IncomingRecord, fallbackRegion: string): NormalisedRecord {
  const key = decodeS3Key(raw.s3.object.key);
  const bucket = raw.s3.bucket.name;
  const { object } = raw.s3;
  const region = raw.awsRegion || fallbackRegion;
  const record: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: isoTime(raw.eventTime),
    eventName: awsEventName(raw.eventName),
    userIdentity: { principalId: raw.userIdentity?.principalId ?? '' },
    requestParameters: { sourceIPAddress: (raw.requestParameters?.sourceIPAddress ?? '').replace(/^::ffff:/, '') },
    responseElements: {
      'x-amz-request-id': String(raw.responseElements?.['x-amz-request-id'] ?? ''),
      'x-amz-id-2': String(raw.responseElements?.['x-amz-id-2'] ?? ''),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: raw.s3.configurationId ?? '',
      bucket: { name: bucket, ownerIdentity: { principalId: raw.s3.bucket.ownerIdentity?.principalId ?? '' }, arn: globalArnOf(region, 's3', '', bucket) },
      object: {
        key: encodeS3Key(key),
        size: object.size ?? 0,
        eTag: object.eTag ?? '',
        ...(object.versionId ? { versionId: object.versionId } : {}),
        sequencer: object.sequencer ?? '',
      },
    },
  };
  // Deletes carry neither size nor eTag on AWS. MinIO also leaves out the size of a 0-byte object
  // (Go's omitempty), which AWS sends as 0: a created object always has its size.
  if (object.size === undefined && !record.eventName.startsWith('ObjectCreated:')) delete (record.s3.object as Partial<typeof record.s3.object>).size;
  if (object.eTag === undefined) delete (record.s3.object as Partial<typeof record.s3.object>).eTag;
  return { record, key, bucket };
}

/**
 * AWS's form encoding of keys in events: UTF-8 bytes, space → `+`, `A-Z a-z 0-9 . - _ * /` kept,
 * everything else `%XX`.
 */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Decodes a form-encoded key (AWS's, or MinIO's Go `url.QueryEscape` form, which also escapes `/`).
 * A key that is not valid percent-encoding (s3rver sends keys as they are) is taken literally.
 */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/**
 * The envelope (and BullMQ job) id of a record for function `fn`: stable for the same notification
 * delivered again (bucket, key, event name, sequencer or version id), its own for each function the
 * record goes to (see invocationId); a UUID, as the request id Lambda gives a handler always is.
 */
export function recordEventId({ record, key, bucket }: NormalisedRecord, fn: string): string {
  const { sequencer, versionId } = record.s3.object;
  const version = sequencer || versionId || record.eventTime;
  return stableUuid(['s3', fn, bucket, key, record.eventName, version].join('\0'));
}

function isoTime(value: string | undefined): string {
  const time = value ? new Date(value) : new Date();
  return Number.isNaN(time.getTime()) ? new Date().toISOString() : time.toISOString();
}
