import path from 'node:path';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas';
import type { S3Event } from 'aws-lambda';
import * as Minio from 'minio';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/** Pinned like every test peer. */
const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';
const ACCESS_KEY = 'triggerhub';
const SECRET_KEY = 'triggerhub-secret';
const docker = await getContainerRuntimeClient().then(() => true, () => false);

/**
 * S3 notifications from a real MinIO server through its listen API (the hub pulls, so the
 * container needs no route back to the host). Runs where a Docker engine is reachable; skipped
 * cleanly otherwise (these machines have none).
 */
describe.skipIf(!docker)('MinIO through testcontainers', { timeout: 180_000 }, () => {
  let minio: StartedTestContainer;
  let hub: TestHub | undefined;
  const calls = path.join(tempDir('th-minio-'), 'calls.log');

  beforeAll(async () => {
    minio = await new GenericContainer(MINIO_IMAGE)
      .withCommand(['server', '/data'])
      .withEnvironment({ MINIO_ROOT_USER: ACCESS_KEY, MINIO_ROOT_PASSWORD: SECRET_KEY })
      .withExposedPorts(9000)
      .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
      .start();
  }, 180_000);
  afterAll(async () => {
    await hub?.stop();
    await minio?.stop();
  });

  it('delivers a put with a spaced, unicode key as an AWS S3 event', async () => {
    const endPoint = minio.getHost();
    const port = minio.getMappedPort(9000);
    const client = new Minio.Client({ endPoint, port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    await client.makeBucket('photos');
    hub = await startTestHub({
      functions: {
        listener: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [{ s3: { bucket: 'photos', via: { minio: { endPoint, port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY } } } }],
        },
      },
    });
    // The listen stream is opened asynchronously; keep writing until the first event arrives.
    await waitFor(async () => {
      await client.putObject('photos', 'up/new photo é.jpg', Buffer.from('jpeg bytes'));
      return readLines(calls).length > 0;
    }, 60_000, 'an S3 event from MinIO');
    const event = JSON.parse(readLines(calls)[0]) as S3Event;
    expect(() => S3Schema.parse(event)).not.toThrow();
    expect(event.Records[0]).toMatchObject({
      eventSource: 'aws:s3', eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'photos', arn: 'arn:aws:s3:::photos' }, object: { key: 'up/new+photo+%C3%A9.jpg', size: 10 } },
    });
  });
});
