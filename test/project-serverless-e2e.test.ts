import path from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { readLogRange } from '../src/logs/reader.js';
import { logStreamKey } from '../src/logs/redis-sink.js';
import { REPO_ROOT, waitFor } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';

/** examples/serverless-app: a REST API that queues orders and an SQS consumer, run unchanged. */
describe('serverless.yml REST API with an SQS consumer, on the local cloud', () => {
  let hub: Hub;
  let sqs: SQSClient;
  const queueUrl = (name: string) => `${hub.config.functions.createOrder.environment.AWS_ENDPOINT_URL_SQS}/000000000000/${name}`;
  const lines = async (fn: string) => {
    const out: string[] = [];
    for await (const entry of readLogRange(hub.redis, logStreamKey(hub.config.queuePrefix, fn), fn)) out.push(entry.line);
    return out;
  };

  beforeAll(async () => {
    hub = await startProjectHub({ serverless: path.join(REPO_ROOT, 'examples/serverless-app/serverless.yml'), stage: 'test' });
    sqs = new SQSClient({ endpoint: hub.config.functions.createOrder.environment.AWS_ENDPOINT_URL_SQS, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(async () => {
    sqs?.destroy();
    await hub?.stop();
  });

  it('POST /orders queues the order through the SDK; the consumer processes it', async () => {
    const response = await fetch(`${hub.url}/orders`, { method: 'POST', body: JSON.stringify({ items: ['tea', 'cake'] }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(202);
    const { id, message } = await response.json() as { id: string; message: string };
    expect(message).toBe('hello, order queued');
    await waitFor(async () => (await lines('processOrders')).some((line) => line.includes(JSON.stringify({ processed: id, items: 2 }))), 20_000, 'the processed order');
  });

  it('GET /orders/{id} gets a REST API event of the stage', async () => {
    const response = await fetch(`${hub.url}/orders/42`);
    expect(await response.json()).toEqual({ id: '42', stage: 'test', resource: '/orders/{id}' });
  });

  it('an order the consumer keeps failing reaches the dead-letter queue of the redrive policy', async () => {
    const response = await fetch(`${hub.url}/orders`, { method: 'POST', body: JSON.stringify({ items: [] }) });
    const { id } = await response.json() as { id: string };
    const dead = await waitFor(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl('orders-api-test-orders-dlq'), WaitTimeSeconds: 1 }));
      return Messages[0];
    }, 90_000, 'the order in the DLQ');
    expect(JSON.parse(dead.Body!)).toEqual({ id, items: [] });
  }, 120_000);
});
