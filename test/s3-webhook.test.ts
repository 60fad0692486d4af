import path from 'node:path';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { readLines, startTestHub, tempDir, testConfig, waitFor, type TestHub } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';
import { bridgeS3rver, minioRecord, postMinio, type S3Bridge } from './helpers/s3-bridge.js';
import { startS3rver, type S3rverPeer } from './helpers/s3rver.js';

const TOKEN = 'minio-webhook-token';

describe('S3 notifications through a MinIO webhook target', () => {
  let hub: TestHub;
  let s3: S3rverPeer;
  let bucket: string;
  let bridge: S3Bridge;
  const dir = tempDir();
  const calls = path.join(dir, 'calls.log');
  const filteredCalls = path.join(dir, 'filtered.log');
  const failCalls = path.join(dir, 'fail.log');

  beforeAll(async () => {
    s3 = await startS3rver();
    bucket = await s3.createBucket('hooks');
    hub = await startTestHub({
      functions: {
        recorder: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [{ s3: { bucket, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'], via: { webhook: { authToken: TOKEN } } } }],
        },
        filtered: {
          handler: 'record.handler', environment: { CALLS_FILE: filteredCalls },
          events: [{ s3: { bucket, events: ['s3:ObjectCreated:Put'], filter: { prefix: 'in/', suffix: '.jpg' }, via: { webhook: { path: '/hooks/images' } } } }],
        },
        flaky: {
          handler: 'fail.handler', maximumRetryAttempts: 2, retryBackoffSeconds: 0.05, environment: { CALLS_FILE: failCalls },
          events: [{ s3: { bucket } }],
        },
        // Reserved concurrency 0: queued events stay queued, so the tests can count what was enqueued.
        parked: { handler: 'record.handler', reservedConcurrency: 0, events: [{ s3: { bucket, via: { webhook: { authToken: TOKEN } } } }] },
      },
    });
    bridge = bridgeS3rver(s3, bucket, [
      { minio: { url: `${hub.url}/s3/recorder`, token: TOKEN } },
      { minio: { url: `${hub.url}/hooks/images` } },
    ]);
  });
  afterAll(async () => {
    bridge?.close();
    await hub?.stop();
    await s3?.stop();
  });

  const events = (file: string) => readLines(file).map((line) => JSON.parse(line) as S3Event);
  const received = (file: string, eventName: string, key: string) => waitFor(
    () => events(file).find((event) => event.Records[0].eventName === eventName && event.Records[0].s3.object.key === key),
    10_000, `${eventName} ${key}`,
  );

  it('delivers a put and a delete from the bucket as AWS S3 events, one record per invocation', async () => {
    await s3.put(bucket, 'docs/report.txt', 'hello');
    await s3.remove(bucket, 'docs/report.txt');
    await bridge.flush();
    expect(bridge.statuses.every((status) => status === 200)).toBe(true);
    const put = await received(calls, 'ObjectCreated:Put', 'docs/report.txt');
    const removed = await received(calls, 'ObjectRemoved:Delete', 'docs/report.txt');
    for (const event of [put, removed]) {
      expect(() => S3Schema.parse(event)).not.toThrow();
      expect(event.Records).toHaveLength(1);
      expect(event.Records[0]).toMatchObject({
        eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1',
        s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` } },
      });
    }
    expect(put.Records[0].s3.object).toMatchObject({ size: 5, eTag: expect.any(String), sequencer: expect.any(String) });
    expect(removed.Records[0].s3.object).not.toHaveProperty('size');
  });

  it("in a China region a record naming no region gets the hub's and a bucket ARN in the aws-cn partition", async () => {
    const cnCalls = path.join(tempDir(), 'cn.log');
    const cn = await startTestHub({ region: 'cn-north-1', functions: { recorder: { handler: 'record.handler', environment: { CALLS_FILE: cnCalls }, events: [{ s3: { bucket: 'china-bucket' } }] } } });
    try {
      expect((await postMinio(`${cn.url}/s3/recorder`, [minioRecord('china-bucket', 'a.txt')])).status).toBe(200);
      const line = await waitFor(() => readLines(cnCalls)[0], 10_000, 'the record delivered');
      const event = JSON.parse(line) as S3Event;
      expect(() => S3Schema.parse(event)).not.toThrow();
      expect(event.Records[0]).toMatchObject({ awsRegion: 'cn-north-1', s3: { bucket: { name: 'china-bucket', arn: 'arn:aws-cn:s3:::china-bucket' } } });
    } finally {
      await cn.stop();
    }
  });

  it('gives an empty object size 0, as AWS does, though MinIO leaves the size of a 0-byte object out', async () => {
    await s3.put(bucket, 'empty/marker', '');
    await bridge.flush();
    const put = await received(calls, 'ObjectCreated:Put', 'empty/marker');
    expect(put.Records[0].s3.object).toMatchObject({ key: 'empty/marker', size: 0, eTag: expect.any(String) });
    expect(() => S3Schema.parse(put)).not.toThrow();
  });

  it('encodes keys with spaces and unicode as AWS does (space → +, other reserved bytes %XX, / kept)', async () => {
    await s3.put(bucket, 'photos/red flower (1).jpg');
    await s3.put(bucket, 'ünï cødé/日本 é=1.txt');
    await bridge.flush();
    await received(calls, 'ObjectCreated:Put', 'photos/red+flower+%281%29.jpg');
    await received(calls, 'ObjectCreated:Put', `${encodeURIComponent('ünï').replace(/%20/g, '+')}+c%C3%B8d%C3%A9/%E6%97%A5%E6%9C%AC+%C3%A9%3D1.txt`);
  });

  it('applies event-type, prefix and suffix filters to the decoded key', async () => {
    await s3.put(bucket, 'in/cat one.jpg');
    await s3.put(bucket, 'in/cat.png');
    await s3.put(bucket, 'out/cat.jpg');
    await s3.remove(bucket, 'in/cat one.jpg');
    await bridge.flush();
    await received(filteredCalls, 'ObjectCreated:Put', 'in/cat+one.jpg');
    await received(calls, 'ObjectRemoved:Delete', 'in/cat+one.jpg');
    const keys = events(filteredCalls).map((event) => `${event.Records[0].eventName} ${event.Records[0].s3.object.key}`);
    expect(keys).toEqual(['ObjectCreated:Put in/cat+one.jpg']);
  });

  it('answers 401 for a missing or wrong token and 400 for a malformed body, queueing nothing', async () => {
    const url = `${hub.url}/s3/parked`;
    const depth = await hub.queues.depth('parked');
    const records = [minioRecord(bucket, 'a.txt')];
    expect((await postMinio(url, records)).status).toBe(401);
    expect((await postMinio(url, records, 'wrong')).status).toBe(401);
    const malformed = await postMinio(url, records, TOKEN, '{"Records": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ reason: 'invalid_json' });
    const notRecords = await postMinio(url, records, TOKEN, '{"Records": [{"eventName": "s3:ObjectCreated:Put"}]}');
    expect(notRecords.status).toBe(400);
    expect(await notRecords.json()).toMatchObject({ reason: 'invalid_records', message: expect.stringContaining('Records[0].s3') });
    expect(await hub.queues.depth('parked')).toBe(depth);
    expect((await postMinio(url, records, TOKEN)).status).toBe(200);
    expect(await hub.queues.depth('parked')).toBe(depth + 1);
  });

  it('does not run an s3:ObjectCreated:* mapping for a MinIO tag change (S3 sends it as ObjectTagging:Put)', async () => {
    const url = `${hub.url}/s3/parked`;
    const depth = await hub.queues.depth('parked');
    const tagged = [minioRecord(bucket, 'tagged.jpg', 's3:ObjectCreated:PutTagging'), minioRecord(bucket, 'untagged.jpg', 's3:ObjectCreated:DeleteTagging')];
    expect((await postMinio(url, tagged, TOKEN)).status).toBe(200);
    expect(await hub.queues.depth('parked')).toBe(depth);
  });

  it('queues a redelivered MinIO record once (the envelope id is stable per record)', async () => {
    const url = `${hub.url}/s3/parked`;
    const depth = await hub.queues.depth('parked');
    const records = [minioRecord(bucket, 'twice.txt'), minioRecord(bucket, 'other-bucket.txt')];
    records[1].s3.bucket.name = 'some-other-bucket';
    expect((await postMinio(url, records, TOKEN)).status).toBe(200);
    expect((await postMinio(url, records.slice(0, 1), TOKEN)).status).toBe(200);
    expect(await hub.queues.depth('parked')).toBe(depth + 1);
  });

  it('retries a failing handler asynchronously, then dead-letters the record', async () => {
    const record = minioRecord(bucket, 'poison.txt');
    expect((await postMinio(`${hub.url}/s3/flaky`, [record])).status).toBe(200);
    const dead = await waitFor(async () => (await hub.dlq.list({ function: 'flaky' })).find(Boolean), 15_000, 'DLQ record');
    expect(dead.reason).toBe('RetriesExhausted');
    expect(dead.attempts).toHaveLength(3);
    expect(dead.envelope).toMatchObject({ source: `arn:aws:s3:::${bucket}`, type: 'aws.s3', subject: 'poison.txt' });
    expect(dead.envelope.id).toMatch(/^[\w-]+$/);
    expect(() => S3Schema.parse(dead.envelope.data)).not.toThrow();
    expect(readLines(failCalls).filter((id) => id === dead.envelope.id)).toHaveLength(3);
  });
});

describe('a flood of bad webhook requests', () => {
  const { lines, destination } = jsonLogLines();
  let hub: Hub;

  beforeAll(async () => {
    hub = await startHub(testConfig({ functions: { sink: { handler: 'record.handler', events: [{ s3: { bucket: 'flood', via: { webhook: { authToken: TOKEN } } } }] } } }),
      { logger: createLogger({ destination, level: 'info' }) });
  });
  afterAll(async () => hub?.stop());

  it('answers every one, but logs one warning per reason a minute (the next says how many it left out)', async () => {
    const post = (body: string, token = TOKEN) => fetch(`${hub.url}/s3/sink`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
    for (let i = 0; i < 40; i++) expect((await post('not json')).status).toBe(400);
    for (let i = 0; i < 40; i++) expect((await post('{}', 'wrong')).status).toBe(401);
    const warned = lines.filter((line) => line.event === 's3_webhook_rejected');
    expect(warned.map((line) => [line.reason, line.level])).toEqual([['invalid_json', 40], ['unauthorized', 40]]);
  });
});
