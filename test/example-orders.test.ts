import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { createQueue, queueDepth, receiveAll, sendBodies, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { handlerJson, startExample, type LogLine } from './fixtures/examples/run.js';

/**
 * examples/orders against fauxqs: a batch with one poison message. The handler reports only the
 * poison record in batchItemFailures, so the good orders are deleted once; the poison message comes
 * back after the visibility timeout and, at maxReceiveCount 2, the queue's redrive policy moves it
 * to the DLQ.
 */
describe('examples/orders', () => {
  let sqs: Fauxqs;
  let hub: Hub;
  let logs: LogLine[];
  let queue: { url: string; arn: string };
  let dlq: { url: string; arn: string };

  beforeAll(async () => {
    sqs = await startFauxqs();
    dlq = await createQueue(sqs.client, 'orders-dlq');
    queue = await createQueue(sqs.client, 'orders', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    ({ hub, logs } = await startExample('orders', { ORDERS_QUEUE_URL: queue.url, SQS_ENDPOINT: sqs.endpoint, AWS_REGION: 'us-east-1' }));
  });
  afterAll(async () => {
    await hub?.stop();
    await sqs?.stop();
  });

  it('deletes the good orders, retries only the poison one, and the redrive policy moves it to the DLQ', async () => {
    const poison = '{"id":"o-bad","quantity":-1}';
    await sendBodies(sqs.client, queue.url, [
      '{"id":"o-1","quantity":1}', '{"id":"o-2","quantity":2}', poison, '{"id":"o-3","quantity":3}',
    ]);

    await waitFor(async () => (await receiveAll(sqs.client, dlq.url)).includes(poison), 20_000, 'the poison message in the DLQ');
    const lines = handlerJson(logs, 'orders');
    const processed = lines.filter((l) => 'processed' in l).map((l) => l.processed).sort();
    expect(processed).toEqual(['o-1', 'o-2', 'o-3']);               // each good order exactly once
    const failed = lines.filter((l) => 'failed' in l);
    expect(failed.map((l) => l.receiveCount)).toEqual([1, 2]);       // the poison one: received twice, then redriven
    expect(new Set(failed.map((l) => l.failed)).size).toBe(1);
    expect(await queueDepth(sqs.client, queue.url)).toBe(0);
  });
});
