import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LocalstackContainer, type StartedLocalStackContainer } from '@testcontainers/localstack';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createQueue, queueDepth, recordedBodies, sendBodies, sqsClient, sqsWorker } from './helpers/fauxqs.js';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/** Pinned like every test peer. */
const LOCALSTACK_IMAGE = 'localstack/localstack:4.0.3';
const docker = await getContainerRuntimeClient().then(() => true, () => false);

/**
 * The same SQS mapping against real LocalStack (AWS's wire protocol, not fauxqs). Runs where a
 * Docker engine is reachable; skipped cleanly otherwise (these machines have none), so the default
 * test path never needs Docker.
 */
describe.skipIf(!docker)('LocalStack (SQS, S3 → SQS) through testcontainers', { timeout: 180_000 }, () => {
  let localstack: StartedLocalStackContainer;
  let hub: TestHub | undefined;

  beforeAll(async () => {
    localstack = await new LocalstackContainer(LOCALSTACK_IMAGE).start();
  }, 180_000);
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });
  afterAll(async () => {
    await localstack?.stop();
  });

  it('polls a LocalStack queue and deletes what the handler processed', async () => {
    const endpoint = localstack.getConnectionUri();
    const client = sqsClient(endpoint);
    const queue = await createQueue(client, 'ls');
    await sendBodies(client, queue.url, ['one', 'two', 'three']);
    const callsFile = path.join(tempDir('th-ls-'), 'calls.jsonl');
    hub = await startTestHub(sqsWorker({ queue: queue.url, endpoint, callsFile }));
    await waitFor(() => recordedBodies(callsFile).length === 3, 60_000, 'three records');
    expect(recordedBodies(callsFile).sort()).toEqual(['one', 'three', 'two']);
    await waitFor(async () => (await queueDepth(client, queue.url)) === 0, 30_000, 'an empty queue');
  });

  it('configures the bucket notification itself and invokes with the S3 event LocalStack sends', async () => {
    const endpoint = localstack.getConnectionUri();
    const sqs = sqsClient(endpoint);
    const queue = await createQueue(sqs, 'ls-s3');
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'ls-photos' }));
    const calls = path.join(tempDir('th-ls-s3-'), 'calls.log');
    hub = await startTestHub({
      functions: {
        thumbs: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [{ s3: { bucket: 'ls-photos', via: { sqs: queue.url, endpoint, region: 'us-east-1' }, configureBucket: true, endpoint, region: 'us-east-1' } }],
        },
      },
    });
    await s3.send(new PutObjectCommand({ Bucket: 'ls-photos', Key: 'a b.txt', Body: 'hello' }));
    await waitFor(() => readLines(calls).length > 0, 60_000, 'the S3 event');
    const event = JSON.parse(readLines(calls)[0]) as { Records: Array<{ eventSource: string; s3: { object: { key: string } } }> };
    expect(event.Records[0].eventSource).toBe('aws:s3');
    expect(event.Records[0].s3.object.key).toBe('a+b.txt');
    await waitFor(async () => (await queueDepth(sqs, queue.url)) === 0, 30_000, 'the notification deleted');
  });
});
