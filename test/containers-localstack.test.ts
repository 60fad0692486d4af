import path from 'node:path';
import { LocalstackContainer, type StartedLocalStackContainer } from '@testcontainers/localstack';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueue, queueDepth, recordedBodies, sendBodies, sqsClient, sqsWorker } from './helpers/fauxqs.js';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/** Pinned like every test peer. */
const LOCALSTACK_IMAGE = 'localstack/localstack:4.0.3';
const docker = await getContainerRuntimeClient().then(() => true, () => false);

/**
 * The same SQS mapping against real LocalStack (AWS's wire protocol, not fauxqs). Runs where a
 * Docker engine is reachable; skipped cleanly otherwise (these machines have none), so the default
 * test path never needs Docker.
 */
describe.skipIf(!docker)('LocalStack through testcontainers', { timeout: 180_000 }, () => {
  let localstack: StartedLocalStackContainer;
  let hub: TestHub | undefined;

  beforeAll(async () => {
    localstack = await new LocalstackContainer(LOCALSTACK_IMAGE).start();
  }, 180_000);
  afterAll(async () => {
    await hub?.stop();
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
});
