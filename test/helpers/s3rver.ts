import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { tempDir } from './paths.js';

/**
 * s3rver (a local S3 that checks SigV4) on loopback. Its object events come out in-process as
 * `'event'` (AWS-shaped records, with s3rver's quirks); test/helpers/s3-bridge.ts forwards them.
 */
export interface S3rverPeer {
  server: S3rver;
  endpoint: string;
  client: S3Client;
  /** A bucket with a unique name. */
  createBucket(prefix?: string): Promise<string>;
  put(bucket: string, key: string, body?: string): Promise<void>;
  remove(bucket: string, key: string): Promise<void>;
  stop(): Promise<void>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3rver(): Promise<S3rverPeer> {
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: tempDir('th-s3rver-'), resetOnClose: true });
  const { port } = await server.run() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  return {
    server, endpoint, client,
    createBucket: async (prefix = 'bucket') => {
      const name = `${prefix}-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    put: async (bucket, key, body = 'hello') => { await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })); },
    remove: async (bucket, key) => { await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })); },
    stop: async () => {
      client.destroy();
      await server.close();
    },
  };
}
