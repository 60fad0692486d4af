import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3Emulator } from '../src/cloud/emulators.js';
import { tempDir, waitFor } from './helpers/hub.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Files under `dir`, recursively. */
const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file));

/** The local cloud's S3 (s3rver with its store's PUT made atomic), with the SDK. */
describe('local cloud S3: a PUT is atomic', () => {
  const dir = tempDir('th-s3-atomic-');
  let s3rver: S3Emulator;
  let s3: S3Client;
  const read = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: 'atomic', Key: key }));
    return object.Body!.transformToString();
  };
  /** Starts a PUT whose body stops half-way until `finish` is called. */
  const slowPut = (key: string, body: string) => {
    const stream = new PassThrough();
    stream.write(body.slice(0, body.length / 2));
    const put = s3.send(new PutObjectCommand({ Bucket: 'atomic', Key: key, Body: stream, ContentLength: body.length }));
    return { put, finish: () => stream.end(body.slice(body.length / 2)) };
  };
  const writing = () => waitFor(() => files(dir).some((file) => file.endsWith('.partial')), 10_000, 'the PUT to be writing');

  beforeAll(async () => {
    s3rver = await startS3rver(dir);
    s3 = new S3Client({ endpoint: s3rver.endpoint, region: 'us-east-1', credentials, forcePathStyle: true,
      // A streamed body without aws-chunked trailers (s3rver does not decode them).
      requestChecksumCalculation: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket: 'atomic' }));
  });
  afterAll(async () => {
    s3?.destroy();
    await s3rver?.stop();
  });

  it('a GET during the PUT of a new key is NoSuchKey, never a short object', async () => {
    const body = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => i) });
    const { put, finish } = slowPut('new.json', body);
    await writing();
    await expect(read('new.json')).rejects.toMatchObject({ name: 'NoSuchKey' });
    finish();
    await put;
    expect(await read('new.json')).toBe(body);
    expect(files(dir).filter((file) => file.endsWith('.partial'))).toEqual([]);
  });

  it('a GET during an overwrite reads the whole old object', async () => {
    const old = 'old '.repeat(5000);
    await s3.send(new PutObjectCommand({ Bucket: 'atomic', Key: 'doc.txt', Body: old }));
    const next = 'new '.repeat(8000);
    const { put, finish } = slowPut('doc.txt', next);
    await writing();
    expect(await read('doc.txt')).toBe(old);
    finish();
    await put;
    expect(await read('doc.txt')).toBe(next);
  });
});
