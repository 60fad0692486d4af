import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createQueue, queueDepth, recordedBodies, recordedEvents, sendBodies, sqsWorker, startFauxqs, type Fauxqs,
} from './helpers/fauxqs.js';
import { LONG_POLL_SECONDS } from '../src/sources/sqs/collector.js';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

let sqs: Fauxqs;
let hub: TestHub | undefined;
beforeAll(async () => { sqs = await startFauxqs(); });
afterAll(async () => { await sqs.stop(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

const calls = () => path.join(tempDir('th-sqs-'), 'calls.jsonl');
const drained = (url: string) => waitFor(async () => (await queueDepth(sqs.client, url)) === 0, 15_000, 'an empty queue');

describe('sqs event source: batching, FIFO, restarts', () => {
  it('fills a batch above 10 from several receives', async () => {
    const queue = await createQueue(sqs.client, 'big');
    const bodies = Array.from({ length: 25 }, (_, i) => `ok:${i}`);
    await sendBodies(sqs.client, queue.url, bodies);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { batchSize: 25, maximumBatchingWindowInSeconds: 2 },
    }));
    await drained(queue.url);
    const events = recordedEvents(callsFile);
    expect(events.map((event) => event.Records.length)).toEqual([25]);
    expect(events[0].Records.map((record) => record.body).sort()).toEqual([...bodies].sort());
  });

  it('holds a batch open for the batching window, then invokes once', async () => {
    const queue = await createQueue(sqs.client, 'window');
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { batchSize: 100, maximumBatchingWindowInSeconds: 2 },
    }));
    const started = Date.now();
    await sendBodies(sqs.client, queue.url, ['ok:1', 'ok:2', 'ok:3']);
    await delay(500); // messages arriving apart, inside one window
    await sendBodies(sqs.client, queue.url, ['ok:4', 'ok:5']);
    await drained(queue.url);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(recordedEvents(callsFile).map((event) => event.Records.length)).toEqual([5]);
  });

  it('FIFO: keeps order per message group, and a failure blocks only its own group', async () => {
    const queue = await createQueue(sqs.client, 'orders', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '1' });
    const entries = ['A1', 'B1', 'A2', 'B2', 'A3', 'B3'].map((id) => ({
      MessageBody: id === 'A2' ? 'fail-once:A2' : `ok:${id}`, MessageGroupId: id[0],
    }));
    await sendBodies(sqs.client, queue.url, entries);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { functionResponseTypes: ['ReportBatchItemFailures'] },
    }));
    await drained(queue.url);
    const events = recordedEvents(callsFile);
    for (const event of events) expect(() => SqsSchema.parse(event)).not.toThrow();
    const record = events[0].Records[0];
    expect(record.attributes).toMatchObject({ MessageGroupId: expect.any(String), MessageDeduplicationId: expect.any(String), SequenceNumber: expect.any(String) });
    const deliveries = recordedBodies(callsFile).map((body) => body.split(':')[1]);
    expect(deliveries.filter((id) => id.startsWith('A'))).toEqual(['A1', 'A2', 'A2', 'A3']);
    expect(deliveries.filter((id) => id.startsWith('B'))).toEqual(['B1', 'B2', 'B3']);
    // Group B went on while A2 waited for its visibility timeout.
    expect(deliveries.indexOf('B3')).toBeLessThan(deliveries.lastIndexOf('A2'));
  });

  it('stopping and starting again loses nothing: in-flight batches finish and are deleted first', async () => {
    const queue = await createQueue(sqs.client, 'restart', { VisibilityTimeout: '2' });
    const first = Array.from({ length: 20 }, (_, i) => `sleep:50:${i}`);
    await sendBodies(sqs.client, queue.url, first);
    const callsFile = calls();
    const config = sqsWorker({ queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { batchSize: 5, maximumConcurrency: 2 } });
    hub = await startTestHub(config);
    await waitFor(() => recordedEvents(callsFile).length >= 1, 10_000, 'a first batch');
    const stopping = Date.now();
    await hub.stop();
    hub = undefined;
    // Stop aborts a receive instead of waiting it out: it returns before a long poll could have ended.
    expect(Date.now() - stopping).toBeLessThan(LONG_POLL_SECONDS * 1000);
    // Every batch that was invoked finished and was deleted; the rest is still in the queue.
    const processed = new Set(recordedBodies(callsFile));
    expect(processed.size).toBeLessThan(20);
    expect(await queueDepth(sqs.client, queue.url)).toBe(20 - processed.size);

    const second = Array.from({ length: 10 }, (_, i) => `sleep:50:${20 + i}`);
    await sendBodies(sqs.client, queue.url, second);
    hub = await startTestHub(config);
    await drained(queue.url);
    const bodies = recordedBodies(callsFile);
    expect([...bodies].sort()).toEqual([...first, ...second].sort()); // each exactly once
  });
});
