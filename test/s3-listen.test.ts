import path from 'node:path';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinioListenFixture } from './fixtures/s3/minio-listen.js';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { minioRecord } from './helpers/s3-bridge.js';

const BUCKET = 'media-bucket';

describe('S3 notifications through MinIO listenBucketNotification', () => {
  let hub: TestHub;
  let minio: MinioListenFixture;
  const calls = path.join(tempDir(), 'calls.log');

  beforeAll(async () => {
    minio = await MinioListenFixture.start();
    const via = (secretKey: string) => ({ minio: { endPoint: '127.0.0.1', port: minio.port, useSSL: false, accessKey: minio.accessKey, secretKey } });
    hub = await startTestHub({
      functions: {
        listener: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [{ s3: { bucket: BUCKET, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'], filter: { prefix: 'up/' }, via: via('minio-secret-key') } }],
        },
        denied: { handler: 'noop.handler', events: [{ s3: { bucket: BUCKET, via: via('wrong-secret') } }] },
      },
    });
    await minio.connected(1);
  });
  afterAll(async () => {
    await hub?.stop();
    await minio?.stop();
  });

  const events = () => readLines(calls).map((line) => JSON.parse(line) as S3Event);
  const received = (key: string) => waitFor(() => events().find((event) => event.Records[0].s3.object.key === key), 10_000, key);

  it('listens with a SigV4-signed GET naming the bucket, events and key filter', async () => {
    const [request] = minio.requests;
    expect(request.pathname).toBe(`/${BUCKET}`);
    expect(request.searchParams.getAll('events')).toEqual(['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete']);
    expect(request.searchParams.get('prefix')).toBe('up/');
    await waitFor(() => minio.rejected.length > 0, 5_000, 'the wrongly signed listen request');
    expect(minio.rejected).toContain('signature does not match');
  });

  it('invokes once per streamed record with the AWS S3 event shape', async () => {
    minio.send([minioRecord(BUCKET, 'up/a b ü.txt'), minioRecord(BUCKET, 'elsewhere.txt')]);
    minio.send([minioRecord(BUCKET, 'up/gone.txt', 's3:ObjectRemoved:Delete')]);
    const event = await received('up/a+b+%C3%BC.txt');
    expect(() => S3Schema.parse(event)).not.toThrow();
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` } } });
    expect((await received('up/gone.txt')).Records[0].eventName).toBe('ObjectRemoved:Delete');
    expect(events().map((e) => e.Records[0].s3.object.key)).not.toContain('elsewhere.txt');
  });

  it('skips malformed and whitespace-only lines without dropping the stream', async () => {
    const before = minio.requests.length;
    minio.sendRaw('{"Records": [\n   \n');
    minio.send([minioRecord(BUCKET, 'up/after-garbage.txt')]);
    await received('up/after-garbage.txt');
    expect(minio.requests.length).toBe(before);
  });

  it('reconnects with backoff after the stream is cut or ends, and goes on delivering', async () => {
    const before = minio.requests.length;
    minio.drop('destroy');
    await minio.connected(before + 1);
    minio.send([minioRecord(BUCKET, 'up/after-cut.txt')]);
    await received('up/after-cut.txt');
    const cutAt = Date.now();
    minio.drop('end');
    await minio.connected(before + 2);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(900);
    minio.send([minioRecord(BUCKET, 'up/after-end.txt')]);
    await received('up/after-end.txt');
  });
});

describe('S3 tagging events through MinIO listenBucketNotification', () => {
  let hub: TestHub;
  let minio: MinioListenFixture;
  const calls = path.join(tempDir(), 'calls.log');

  beforeAll(async () => {
    minio = await MinioListenFixture.start();
    hub = await startTestHub({
      functions: {
        tagger: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [{ s3: { bucket: BUCKET, events: ['s3:ObjectTagging:*'], via: { minio: { endPoint: '127.0.0.1', port: minio.port, useSSL: false, accessKey: minio.accessKey, secretKey: 'minio-secret-key' } } } }],
        },
      },
    });
    await minio.connected(1);
  });
  afterAll(async () => {
    await hub?.stop();
    await minio?.stop();
  });

  it('asks MinIO for its names of S3\'s tagging events and delivers them as ObjectTagging:Put / :Delete', async () => {
    expect(minio.requests[0].searchParams.getAll('events')).toEqual(['s3:ObjectCreated:DeleteTagging', 's3:ObjectCreated:PutTagging']);
    minio.send([minioRecord(BUCKET, 'tagged.jpg', 's3:ObjectCreated:PutTagging'), minioRecord(BUCKET, 'put.jpg')]);
    minio.send([minioRecord(BUCKET, 'untagged.jpg', 's3:ObjectCreated:DeleteTagging')]);
    const names = await waitFor(() => {
      const got = readLines(calls).map((line) => (JSON.parse(line) as S3Event).Records[0]).map((r) => `${r.eventName} ${r.s3.object.key}`);
      return got.length >= 2 ? got.sort() : undefined;
    }, 10_000, 'two tagging events');
    expect(names).toEqual(['ObjectTagging:Delete untagged.jpg', 'ObjectTagging:Put tagged.jpg']);
  });
});
