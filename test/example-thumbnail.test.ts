import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import type { Hub } from '../src/hub.js';
import { REPO_ROOT, waitFor } from './helpers/hub.js';
import { bridgeS3rver, minioRecord, type S3Bridge } from './helpers/s3-bridge.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverPeer } from './helpers/s3rver.js';
import { handlerJson, startExample, type LogLine } from './fixtures/examples/run.js';

const TOKEN = 'thumbnail-webhook-token';

/** An S3Event with one ObjectCreated:Put record, as AWS S3 sends it to Lambda. */
const s3Event = (bucket: string, key: string) => ({ Records: [{ ...minioRecord(bucket, key), eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] });

describe('examples/thumbnail/triggerhub.yaml with default settings', () => {
  it('takes webhook POSTs for bucket images (uploads/ only) and writes to thumbnails on MinIO at 127.0.0.1:9100', () => {
    const fn = loadConfigFile(path.join(REPO_ROOT, 'examples/thumbnail/triggerhub.yaml'), { PATH: process.env.PATH }).functions.thumbnail;
    expect(fn.events).toEqual([{ s3: expect.objectContaining({
      bucket: 'images', events: ['s3:ObjectCreated:*'], filter: { prefix: 'uploads/' }, via: { webhook: { authToken: 'change-me-webhook-token' } },
    }) }]);
    expect(fn).toMatchObject({ memorySize: 512, retryBackoffSeconds: 10, nonRetryableErrors: ['InvalidImageError'] });
    expect(fn.environment).toEqual({
      DEST_BUCKET: 'thumbnails', THUMBNAIL_WIDTH: '200', S3_ENDPOINT: 'http://127.0.0.1:9100', S3_ACCESS_KEY_ID: 'minioadmin', S3_SECRET_ACCESS_KEY: 'minioadmin',
    });
  });
});

/**
 * examples/thumbnail against s3rver: uploads to the images bucket reach the hub as MinIO's webhook
 * POSTs them (test/helpers/s3-bridge.ts), the handler reads each image with the S3 API, resizes it
 * with sharp and writes the copy under the same key to the thumbnails bucket.
 */
describe('examples/thumbnail', () => {
  let s3: S3rverPeer;
  let hub: Hub;
  let logs: LogLine[];
  let bridge: S3Bridge;
  let images: string;
  let thumbnails: string;
  let lambda: LambdaClient;

  beforeAll(async () => {
    s3 = await startS3rver();
    images = await s3.createBucket('images');
    thumbnails = await s3.createBucket('thumbnails');
    ({ hub, logs } = await startExample('thumbnail', {
      IMAGES_BUCKET: images, THUMBNAIL_BUCKET: thumbnails, THUMBNAIL_RETRY_BACKOFF_SECONDS: '0.05',
      S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      MINIO_WEBHOOK_TOKEN: TOKEN,
    }));
    bridge = bridgeS3rver(s3, images, [{ minio: { url: `${hub.url}/s3/thumbnail`, token: TOKEN } }]);
    lambda = new LambdaClient({ endpoint: hub.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    lambda?.destroy();
    bridge?.close();
    await hub?.stop();
    await s3?.stop();
  });

  const image = (width: number, height: number, format: 'png' | 'jpeg') =>
    sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } }).toFormat(format).toBuffer();
  const upload = (key: string, body: Uint8Array | string, contentType: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: images, Key: key, Body: body, ContentType: contentType }));
  const get = (bucket: string, key: string) => s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .then(async (out) => ({ contentType: out.ContentType, body: await out.Body!.transformToByteArray() }))
    .catch((err: { name?: string }) => { if (err.name === 'NoSuchKey') return undefined; throw err; });

  it('writes a 200 px wide copy, aspect kept, under the same key (spaces, +, unicode) to the thumbnails bucket', async () => {
    const landscape = 'uploads/red flower (1)+ü.png';
    const portrait = 'uploads/2026/tall & thin.jpeg';
    await upload(landscape, await image(640, 480, 'png'), 'image/png');
    await upload(portrait, await image(300, 600, 'jpeg'), 'image/jpeg');
    await bridge.flush();
    expect(bridge.statuses).toEqual([200, 200]);

    // The handler logs once its PutObject returned (s3rver writes an object's body before its metadata).
    const made = await waitFor(() => {
      const lines = handlerJson(logs, 'thumbnail').filter((line) => 'thumbnail' in line).map((line) => line.thumbnail as Record<string, unknown>);
      return lines.length >= 2 ? lines : undefined;
    }, 20_000, 'two thumbnails made');
    expect(made).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: `${images}/${landscape}`, thumbnail: `${thumbnails}/${landscape}`, width: 200, height: 150 }),
      expect.objectContaining({ source: `${images}/${portrait}`, thumbnail: `${thumbnails}/${portrait}`, width: 200, height: 400 }),
    ]));

    const png = (await get(thumbnails, landscape))!;
    expect(png.contentType).toBe('image/png');
    expect(await sharp(png.body).metadata()).toMatchObject({ format: 'png', width: 200, height: 150 });
    const jpeg = (await get(thumbnails, portrait))!;
    expect(jpeg.contentType).toBe('image/jpeg');
    expect(await sharp(jpeg.body).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 400 });
  });

  it('skips non-images under uploads/ and is never invoked for keys outside it', async () => {
    await upload('elsewhere/cat.png', await image(400, 400, 'png'), 'image/png');
    await upload('uploads/notes.txt', 'not a picture', 'text/plain');
    await bridge.flush();

    const skipped = await waitFor(
      () => handlerJson(logs, 'thumbnail').find((line) => line.skipped === `${images}/uploads/notes.txt`), 20_000, 'the skip of notes.txt',
    );
    expect(skipped.reason).toMatch(/not an image/);
    // Both uploads were queued, or dropped by the prefix filter, before the webhook answered: once the
    // queue is empty, everything queued has run.
    await waitFor(async () => (await hub.queues.depth('thumbnail')) === 0, 20_000, 'an empty thumbnail queue');
    expect(await get(thumbnails, 'uploads/notes.txt')).toBeUndefined();
    expect(await get(thumbnails, 'elsewhere/cat.png')).toBeUndefined();
    expect(JSON.stringify(handlerJson(logs, 'thumbnail'))).not.toContain('elsewhere/');
  });

  it('dead-letters a corrupt image at once with the InvalidImageError (no retries)', async () => {
    await upload('uploads/broken.jpg', 'these bytes are no jpeg', 'image/jpeg');
    await bridge.flush();

    const record = await waitFor(
      async () => (await hub.dlq.list({ function: 'thumbnail' })).find((r) => r.envelope.subject === 'uploads/broken.jpg'), 20_000, 'the DLQ record of broken.jpg',
    );
    expect(record).toMatchObject({ function: 'thumbnail', reason: 'NonRetryableError', source: `arn:aws:s3:::${images}` });
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ errorType: 'InvalidImageError', errorMessage: expect.stringContaining(`${images}/uploads/broken.jpg is not a readable image`) });
    expect(await get(thumbnails, 'uploads/broken.jpg')).toBeUndefined();
  });

  it('retries other failures (here: the object is gone) and dead-letters the event after 1 + 2 attempts', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'thumbnail', InvocationType: 'Event', Payload: JSON.stringify(s3Event(images, 'uploads/gone.png')) }));
    expect(out.StatusCode).toBe(202);
    const record = await waitFor(() => hub.dlq.get(out.$metadata.requestId!).catch(() => undefined), 20_000, 'the DLQ record of gone.png');
    expect(record.reason).toBe('RetriesExhausted');
    expect(record.attempts.map((a) => a.errorType)).toEqual(['NoSuchKey', 'NoSuchKey', 'NoSuchKey']);
  });

  it('never resizes what is already in the destination bucket (no loop when it notifies too)', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'thumbnail', Payload: JSON.stringify(s3Event(thumbnails, 'uploads/x.png')) }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString('utf8'))).toEqual({
      results: [{ skipped: 'uploads/x.png', reason: 'already in the destination bucket' }],
    });
  });
});
