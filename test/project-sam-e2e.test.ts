import path from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('SAM CLI hello-world starters, unchanged', () => {
  let hubs: Hub[] = [];
  afterAll(async () => { await Promise.all(hubs.map((hub) => hub.stop())); });

  it('Node: GET /hello answers as API Gateway would', async () => {
    const hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-hello-node/template.yaml') });
    hubs.push(hub);
    const response = await fetch(`${hub.url}/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'hello world' });
  });

  it('Python: GET /hello gets a REST API (payload 1.0) event with the Prod stage', async () => {
    const hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-hello-python/template.yaml') });
    hubs.push(hub);
    const response = await fetch(`${hub.url}/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'hello world', path: '/hello', stage: 'Prod' });
  });

  it('Python: a handler in a folder of CodeUri (hello_world/app.lambda_handler) imports packages from the task root, as on Lambda', async () => {
    const hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-python-package/template.yaml') });
    hubs.push(hub);
    const response = await fetch(`${hub.url}/2015-03-31/functions/HelloWorldFunction/invocations`, {
      method: 'POST',
      body: JSON.stringify({ 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { 'instance-id': 'i-abc', state: 'running' } }),
    });
    expect(response.headers.get('x-amz-function-error')).toBeNull();
    expect(await response.json()).toEqual({ instance: 'i-abc', state: 'running' });
  });
});

describe('queue-processing template: SQS + DLQ + ReportBatchItemFailures (Powertools), on the local cloud', () => {
  let hub: Hub;
  let sqs: SQSClient;
  const endpoint = () => hub.config.functions.OrderProcessorFunction.environment.AWS_ENDPOINT_URL_SQS;
  const urlOf = (logicalId: string) => `${endpoint()}/000000000000/${hub.config.project!.resources.find((r) => r.logicalId === logicalId)!.name}`;

  beforeAll(async () => {
    hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-queue/template.yaml') });
    sqs = new SQSClient({ endpoint: endpoint(), region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    sqs?.destroy();
    await hub?.stop();
  });

  it('creates the declared queues with their redrive policy on an embedded loopback SQS', async () => {
    expect(endpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urlOf('OrdersQueue'), AttributeNames: ['All'] }));
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: expect.stringMatching(/:sam-queue-OrdersDeadLetterQueue$/), maxReceiveCount: 2 });
    expect(Attributes!.VisibilityTimeout).toBe('2');
  });

  it('processes good orders (the handler reaches !Ref ProcessedQueue through the SDK), and the poison one ends in the DLQ', async () => {
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: urlOf('OrdersQueue'),
      Entries: [
        { Id: 'a', MessageBody: JSON.stringify({ id: 'a' }) },
        { Id: 'b', MessageBody: JSON.stringify({ id: 'b', poison: true }) },
        { Id: 'c', MessageBody: JSON.stringify({ id: 'c' }) },
      ],
    }));
    const processed = new Set<string>();
    await waitFor(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('ProcessedQueue'), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const message of Messages) processed.add(JSON.parse(message.Body!).id);
      return processed.size >= 2;
    }, 20_000, 'processed orders');
    expect([...processed].sort()).toEqual(['a', 'c']);
    const dead = await waitFor(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('OrdersDeadLetterQueue'), WaitTimeSeconds: 1 }));
      return Messages[0];
    }, 30_000, 'the poison order in the DLQ');
    expect(JSON.parse(dead.Body!)).toEqual({ id: 'b', poison: true });
  });
});
