import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { compileMatcher } from '../src/sources/s3/match.js';
import { unwrap } from '../src/sources/s3/queue.js';
import { decodeS3Key, encodeS3Key, normaliseRecord, recordEventId } from '../src/sources/s3/record.js';
import { FIXTURES } from './helpers/hub.js';
import { goQueryEscape, minioRecord, toAwsRecord } from './helpers/s3-bridge.js';

describe('S3 record normalisation', () => {
  it('encodes keys as AWS does and decodes both AWS and MinIO encodings', () => {
    expect(encodeS3Key('red flower.jpg')).toBe('red+flower.jpg');
    expect(encodeS3Key('a/b c/ü(1)=~*.txt')).toBe('a/b+c/%C3%BC%281%29%3D%7E*.txt');
    for (const key of ['a/b c/ü(1)=~*.txt', 'plain', '100%+sure']) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
      expect(decodeS3Key(goQueryEscape(key))).toBe(key);
    }
    expect(decodeS3Key('50%off')).toBe('50%off');
  });

  it('turns a MinIO record into the AWS shape with a stable id in UUID form', () => {
    const raw = minioRecord('my-bucket', 'dir/x y.txt');
    const normalised = normaliseRecord(raw as never, 'eu-west-1');
    expect(normalised.key).toBe('dir/x y.txt');
    expect(normalised.record).toMatchObject({
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'eu-west-1', eventName: 'ObjectCreated:Put',
      s3: { bucket: { arn: 'arn:aws:s3:::my-bucket' }, object: { key: 'dir/x+y.txt' } },
    });
    const id = recordEventId(normalised, 'thumbs');
    // The handler's request id: a UUID, as Lambda's always is.
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(recordEventId(normaliseRecord(raw as never, 'eu-west-1'), 'thumbs')).toBe(id);
    expect(recordEventId(normalised, 'index')).not.toBe(id);
  });

  it("names the bucket in the partition of the record's region, else the hub's (arn:aws-cn:s3:::, arn:aws-us-gov:s3:::)", () => {
    const arnOf = (awsRegion: string, hubRegion: string) => normaliseRecord({ ...minioRecord('b-1', 'k'), awsRegion } as never, hubRegion).record.s3.bucket.arn;
    expect(arnOf('', 'cn-north-1')).toBe('arn:aws-cn:s3:::b-1');
    expect(arnOf('us-gov-east-1', 'us-east-1')).toBe('arn:aws-us-gov:s3:::b-1');
    expect(arnOf('eu-west-1', 'cn-north-1')).toBe('arn:aws:s3:::b-1');
    // The embedded S3 (s3rver) says us-east-1 whatever the hub's region: its records take the hub's.
    const fromS3rver = toAwsRecord({ ...minioRecord('b-1', 'k'), awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put' }, 'cn-northwest-1');
    expect(fromS3rver).toMatchObject({ awsRegion: 'cn-northwest-1', s3: { bucket: { arn: 'arn:aws-cn:s3:::b-1' } } });
  });

  it('matches event types with wildcards, the bucket, and prefix/suffix on the decoded key', () => {
    const matches = compileMatcher({ bucket: 'b-1', events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'], filter: { prefix: 'in put/', suffix: '.jpg' } });
    const record = (bucket: string, key: string, name?: string) => normaliseRecord(minioRecord(bucket, key, name) as never, 'us-east-1');
    expect(matches(record('b-1', 'in put/a.jpg'))).toBe(true);
    expect(matches(record('b-1', 'in put/a.jpg', 's3:ObjectRemoved:Delete'))).toBe(true);
    expect(matches(record('b-1', 'in put/a.jpg', 's3:ObjectRemoved:DeleteMarkerCreated'))).toBe(false);
    expect(matches(record('b-1', 'in put/a.png'))).toBe(false);
    expect(matches(record('b-1', 'other/a.jpg'))).toBe(false);
    expect(matches(record('b-2', 'in put/a.jpg'))).toBe(false);
  });

  it('names MinIO\'s tag events as S3 does (ObjectTagging:Put / :Delete), outside s3:ObjectCreated:*', () => {
    const record = (name: string) => normaliseRecord(minioRecord('b-1', 'a.jpg', name) as never, 'us-east-1');
    expect(record('s3:ObjectCreated:PutTagging').record.eventName).toBe('ObjectTagging:Put');
    expect(record('s3:ObjectCreated:DeleteTagging').record.eventName).toBe('ObjectTagging:Delete');
    expect(record('s3:ObjectCreated:Put').record.eventName).toBe('ObjectCreated:Put');
    const created = compileMatcher({ bucket: 'b-1', events: ['s3:ObjectCreated:*'], filter: {} });
    const tagging = compileMatcher({ bucket: 'b-1', events: ['s3:ObjectTagging:*'], filter: {} });
    expect(created(record('s3:ObjectCreated:PutTagging'))).toBe(false);
    expect(tagging(record('s3:ObjectCreated:PutTagging'))).toBe(true);
    expect(tagging(record('s3:ObjectCreated:DeleteTagging'))).toBe(true);
  });

  it('unwraps S3 events from SQS bodies and SNS envelopes; recognises test events', () => {
    const event = { Records: [{ eventName: 'ObjectCreated:Put' }] };
    expect(unwrap(JSON.stringify(event))).toEqual({ kind: 'records', records: event.Records });
    expect(unwrap(JSON.stringify({ Type: 'Notification', Message: JSON.stringify(event) }))).toEqual({ kind: 'records', records: event.Records });
    expect(unwrap(JSON.stringify({ Type: 'Notification', Message: '{"Event":"s3:TestEvent"}' }))).toEqual({ kind: 'test' });
    expect(unwrap('not json').kind).toBe('invalid');
  });
});

describe('S3 mapping settings', () => {
  const config = (s3: Record<string, unknown>) => buildConfig({ functions: { f: { handler: 'noop.handler', events: [{ s3 }] } } }, { baseDir: FIXTURES });

  it('defaults to a webhook for s3:ObjectCreated:* and names bad fields by path', () => {
    expect(config({ bucket: 'photos' }).functions.f.events[0]).toEqual({
      s3: { bucket: 'photos', events: ['s3:ObjectCreated:*'], filter: {}, via: { webhook: {} }, configureBucket: false },
    });
    expect(() => config({ bucket: 'Bad_Bucket' })).toThrow(/functions\.f\.events\[0\]\.s3\.bucket: must be an S3 bucket name/);
    expect(() => config({ bucket: 'photos', events: ['ObjectCreated:Put'] })).toThrow(/s3\.events\[0\]: must be an S3 event type/);
    expect(() => config({ bucket: 'photos', configureBucket: true })).toThrow(/s3\.configureBucket: is only supported with via: \{ sqs/);
    expect(() => config({ bucket: 'photos', via: { ftp: {} } })).toThrow(/s3\.via: unknown field "ftp"/);
  });
});
