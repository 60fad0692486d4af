import { createServer } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import {
  createQueue, queueDepth, receiveAll, recordedBodies, recordedEvents, sendBodies, sqsWorker, startFauxqs, type Fauxqs,
} from './helpers/fauxqs.js';
import { startTestHub, tempDir, testConfig, waitFor } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';

let sqs: Fauxqs;
let hub: Hub | undefined;
beforeAll(async () => { sqs = await startFauxqs(); });
afterAll(async () => { await sqs.stop(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

const calls = () => path.join(tempDir('th-sqs-'), 'calls.jsonl');
const drained = (url: string, timeoutMs = 15_000) =>
  waitFor(async () => (await queueDepth(sqs.client, url)) === 0, timeoutMs, 'an empty queue');
const count = (items: string[], item: string) => items.filter((x) => x === item).length;

describe('sqs event source: failures', () => {
  it('a handler that crashes or times out fails only its batch; the poller goes on', async () => {
    const queue = await createQueue(sqs.client, 'crash', { VisibilityTimeout: '1' });
    await sendBodies(sqs.client, queue.url, ['exit-once', 'sleep-once:3000', 'throw-once', 'ok:1', 'ok:2']);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { batchSize: 1, maximumConcurrency: 2 }, fn: { timeout: 1 },
    }));
    await drained(queue.url);
    const receiveCounts = (body: string) => recordedEvents(callsFile).flatMap((event) => event.Records)
      .filter((record) => record.body === body).map((record) => record.attributes.ApproximateReceiveCount);
    expect(receiveCounts('ok:1')).toEqual(['1']);
    expect(receiveCounts('ok:2')).toEqual(['1']);
    // Each failed on its first receive (crash, timeout, error) and was deleted after its second.
    // (A cold start slower than the 1 s timeout may fail the first one before the handler records it.)
    for (const body of ['exit-once', 'sleep-once:3000', 'throw-once']) expect(receiveCounts(body).at(-1)).toBe('2');
  });

  it('a poison message reaches the queue\'s DLQ through its redrive policy while good messages are processed', async () => {
    const dlq = await createQueue(sqs.client, 'poison-dlq');
    const queue = await createQueue(sqs.client, 'poison', {
      VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await sendBodies(sqs.client, queue.url, ['ok:1', 'fail', 'ok:2']);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { functionResponseTypes: ['ReportBatchItemFailures'] },
    }));
    await drained(queue.url);
    expect(await receiveAll(sqs.client, dlq.url)).toEqual(['fail']);
    const bodies = recordedBodies(callsFile);
    expect(count(bodies, 'fail')).toBe(2);
    expect(count(bodies, 'ok:1')).toBe(1);
    expect(count(bodies, 'ok:2')).toBe(1);
  });

  it('keeps a message invisible while its handler runs longer than the visibility timeout, warning that Lambda refuses this', async () => {
    const queue = await createQueue(sqs.client, 'long', { VisibilityTimeout: '2' });
    await sendBodies(sqs.client, queue.url, ['sleep:5000']);
    const callsFile = calls();
    const { lines, destination } = jsonLogLines();
    hub = await startHub(testConfig(sqsWorker({ queue: queue.url, endpoint: sqs.endpoint, callsFile, fn: { timeout: 10 } })),
      { logger: createLogger({ destination, level: 'info' }) });
    await drained(queue.url, 10_000);
    expect(lines.filter((line) => line.event === 'sqs_visibility_timeout_short')).toMatchObject([
      { level: 40, source: 'sqs:worker:0', visibilityTimeout: 2, functionTimeout: 10 },
    ]);
    // The poller kept receiving meanwhile: had the message become visible, it would have run twice.
    const events = recordedEvents(callsFile);
    expect(events).toHaveLength(1);
    expect(events[0].Records[0].attributes.ApproximateReceiveCount).toBe('1');
  });

  it('backs off exponentially when the endpoint is down, without crashing the hub or spinning', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const lines: Array<{ event?: string; time: number; retryInMs?: number; source?: string }> = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    hub = await startHub(testConfig(sqsWorker({
      queue: 'http://sqs.us-east-1.localhost/000000000000/nowhere', endpoint: `http://127.0.0.1:${closedPort}`, callsFile: calls(),
    })), { logger: createLogger({ destination, level: 'info' }) });
    const errors = () => lines.filter((line) => line.event === 'sqs_poll_error');
    await waitFor(() => errors().length >= 3, 10_000, 'three poll errors');
    const seen = errors();
    expect(seen).toHaveLength(3);
    expect(seen.map((line) => line.retryInMs)).toEqual([1000, 2000, 4000]);
    expect(seen.every((line) => line.source === 'sqs:worker:0')).toBe(true);
    expect(seen[1].time - seen[0].time).toBeGreaterThanOrEqual(1000);
    expect(seen[2].time - seen[1].time).toBeGreaterThanOrEqual(2000);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const stopping = Date.now();
    await hub.stop();
    hub = undefined;
    // The poller was backing off 8 s before its next try: stop does not wait that out.
    expect(Date.now() - stopping).toBeLessThan(8000);
  });
});
