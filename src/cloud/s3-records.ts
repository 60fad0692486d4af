import { globalArnOf } from '../arn.js';

/**
 * s3rver's object events as AWS S3 sends them to Lambda from a bucket in `region`: s3rver emits
 * eventVersion 2.0, awsRegion `us-east-1`, a bucket ARN with spaces (`arn:aws:s3: : :<bucket>`)
 * and raw keys; S3 sends 2.1, the bucket's region, `arn:aws:s3:::<bucket>` (in the region's
 * partition: `arn:aws-cn:s3:::<bucket>` in cn-*) and keys form-encoded (space → `+`, `/` kept).
 */
export type S3rverRecord = Record<string, any>;

export function toAwsRecord(record: S3rverRecord, region: string): S3rverRecord {
  return {
    ...record,
    eventVersion: '2.1',
    awsRegion: region,
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    s3: {
      ...record.s3,
      bucket: { ...record.s3.bucket, arn: globalArnOf(region, 's3', '', record.s3.bucket.name) },
      object: { ...record.s3.object, key: awsFormEncode(record.s3.object.key) },
    },
  };
}

/** Go's url.QueryEscape (MinIO): only A-Z a-z 0-9 - _ . ~ kept, space → '+', '/' escaped too. */
export function goQueryEscape(key: string): string {
  return encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** AWS's key encoding in S3 events: like a form, but '/' kept. */
export function awsFormEncode(key: string): string {
  return goQueryEscape(key).replace(/%2F/g, '/').replace(/~/g, '%7E').replace(/%2A/g, '*');
}
