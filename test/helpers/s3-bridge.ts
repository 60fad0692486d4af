import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3rverPeer } from './s3rver.js';
import { awsFormEncode, goQueryEscape, toAwsRecord } from '../../src/cloud/s3-records.js';

export { awsFormEncode, goQueryEscape, toAwsRecord };

/**
 * Test-side stand-in for a bucket's notification targets. s3rver implements no bucket
 * notifications, but emits every object event in-process with AWS-shaped records (eventVersion
 * 2.0, bucket ARN `arn:aws:s3: : :<bucket>`, raw keys). The bridge forwards each event the way
 * the real senders deliver it:
 * - `minio`: POSTs MinIO's webhook body (`{ EventName, Key, Records }`, `eventSource: minio:s3`,
 *   `eventName: s3:ObjectCreated:Put`, keys escaped with Go's url.QueryEscape, Bearer token);
 * - `sqs`: sends AWS's S3 event (eventVersion 2.1, `arn:aws:s3:::<bucket>`, form-encoded key) as an
 *   SQS message body, as S3 → SQS (AWS, LocalStack) does;
 * - `sns`: publishes that event to an SNS topic (which fauxqs delivers to subscribed queues).
 */
export type BridgeTarget =
  | { minio: { url: string; token?: string } }
  | { sqs: { client: SQSClient; queueUrl: string } }
  | { sns: { client: SNSClient; topicArn: string } };

export interface S3Bridge {
  /** Resolves once everything emitted so far was forwarded (rejects with the first failure). */
  flush(): Promise<void>;
  /** Statuses of the webhook POSTs, in order. */
  statuses: number[];
  close(): void;
}

type S3rverRecord = Record<string, any>;

/** The region of the bucket the bridge stands in for (the test hubs' default region). */
export const BRIDGE_REGION = 'us-east-1';

export function bridgeS3rver(s3rver: S3rverPeer, bucket: string, targets: BridgeTarget[]): S3Bridge {
  const pending: Promise<void>[] = [];
  const statuses: number[] = [];
  const onEvent = (event: { Records: S3rverRecord[] }) => {
    const records = event.Records.filter((record) => record.s3.bucket.name === bucket);
    if (!records.length) return;
    for (const target of targets) pending.push(forward(target, records, statuses));
  };
  s3rver.server.on('event', onEvent);
  return {
    statuses,
    flush: async () => { await Promise.all(pending); },
    close: () => { s3rver.server.off('event', onEvent); },
  };
}

async function forward(target: BridgeTarget, records: S3rverRecord[], statuses: number[]): Promise<void> {
  if ('minio' in target) {
    const response = await postMinio(target.minio.url, records.map(toMinioRecord), target.minio.token);
    statuses.push(response.status);
  } else if ('sqs' in target) {
    await target.sqs.client.send(new SendMessageCommand({ QueueUrl: target.sqs.queueUrl, MessageBody: JSON.stringify({ Records: records.map((record) => toAwsRecord(record, BRIDGE_REGION)) }) }));
  } else {
    await target.sns.client.send(new PublishCommand({
      TopicArn: target.sns.topicArn, Subject: 'Amazon S3 Notification', Message: JSON.stringify({ Records: records.map((record) => toAwsRecord(record, BRIDGE_REGION)) }),
    }));
  }
}

/** POSTs a MinIO webhook body for `records` (already in MinIO's shape). */
export function postMinio(url: string, records: S3rverRecord[], token?: string, raw?: string): Promise<Response> {
  const first = records[0];
  const body = raw ?? JSON.stringify({
    EventName: first?.eventName,
    Key: first ? `${first.s3.bucket.name}/${decodeURIComponent(first.s3.object.key.replace(/\+/g, ' '))}` : '',
    Records: records,
  });
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

/** An s3rver record as MinIO would send it. */
export function toMinioRecord(record: S3rverRecord): S3rverRecord {
  return {
    ...record,
    eventVersion: '2.0',
    eventSource: 'minio:s3',
    eventName: `s3:${record.eventName}`,
    requestParameters: { principalId: 'minioadmin', region: '', sourceIPAddress: '127.0.0.1' },
    s3: {
      ...record.s3,
      bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${record.s3.bucket.name}` },
      object: minioObject({ ...record.s3.object, key: goQueryEscape(record.s3.object.key), contentType: 'text/plain', userMetadata: {} }),
    },
    source: { host: '127.0.0.1', port: '', userAgent: 'test' },
  };
}

/** MinIO's event object is a Go struct with `size` and `eTag` tagged omitempty: a 0-byte object's record has no size. */
function minioObject<T extends { size?: number; eTag?: string }>(object: T): T {
  const { size, eTag, ...rest } = object;
  return { ...rest, ...(size ? { size } : {}), ...(eTag ? { eTag } : {}) } as T;
}

/** A MinIO-shaped record for a key, without s3rver (for direct webhook posts). */
export function minioRecord(bucket: string, key: string, eventName = 's3:ObjectCreated:Put', sequencer = `${Date.now().toString(16).toUpperCase()}${Math.random().toString(16).slice(2, 8)}`): S3rverRecord {
  return toMinioRecord({
    eventVersion: '2.0', eventSource: 'aws:s3', awsRegion: '', eventTime: new Date().toISOString(), eventName: eventName.replace(/^s3:/, ''),
    userIdentity: { principalId: 'minioadmin' }, requestParameters: {}, responseElements: { 'x-amz-request-id': 'R1', 'x-amz-id-2': 'H1' },
    s3: { s3SchemaVersion: '1.0', configurationId: 'Config', bucket: { name: bucket, ownerIdentity: { principalId: 'minioadmin' }, arn: '' },
      object: { key, size: 5, eTag: 'e1', sequencer } },
  });
}
