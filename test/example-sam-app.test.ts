import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { REPO_ROOT, waitFor } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';

/** examples/sam-app, as the README runs it: the hello-world starter and the order pipeline. */
describe('examples/sam-app on the local cloud', () => {
  let hub: Hub;
  let s3: S3Client;
  let sqs: SQSClient;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  beforeAll(async () => {
    hub = await startProjectHub({ template: path.join(REPO_ROOT, 'examples/sam-app/template.yaml'), parameters: { Stage: 'prod' } });
    const env = hub.config.functions.ProcessOrdersFunction.environment;
    s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: 'us-east-1', credentials, forcePathStyle: true });
    sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL_SQS, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await hub?.stop();
  });

  it('loads with the parameter and condition applied', () => {
    expect(hub.config.functions.ProcessOrdersFunction).toMatchObject({ reservedConcurrency: 10, timeout: 10, environment: expect.objectContaining({ STAGE: 'prod', RECEIPTS_BUCKET: 'sam-app-receipts-prod' }) });
    expect(hub.config.project!.warnings).toEqual(['Resources.CreateOrderFunction: Policies not applied locally', 'Resources.ProcessOrdersFunction: Policies not applied locally']);
  });

  it('GET /hello, then an order through HTTP API → SQS → a receipt in S3', async () => {
    expect(await (await fetch(`${hub.url}/hello`)).json()).toEqual({ message: 'hello world' });
    const response = await fetch(`${hub.url}/orders`, { method: 'POST', body: JSON.stringify({ items: ['tea', 'cake'] }) });
    expect(response.status).toBe(202);
    const { id } = await response.json() as { id: string };
    // The local cloud's S3 PUT is atomic: the receipt is there whole or not at all.
    const receipt = await waitFor(() => s3.send(new GetObjectCommand({ Bucket: 'sam-app-receipts-prod', Key: `receipts/${id}.json` })).catch(() => undefined), 20_000, 'the receipt');
    expect(JSON.parse(await receipt.Body!.transformToString())).toEqual({ id, items: ['tea', 'cake'], stage: 'prod' });
  });

  it('an order without items ends in the dead-letter queue after three receives', async () => {
    const { id } = await (await fetch(`${hub.url}/orders`, { method: 'POST', body: JSON.stringify({ items: [] }) })).json() as { id: string };
    const dlq = `${hub.config.functions.ProcessOrdersFunction.environment.AWS_ENDPOINT_URL_SQS}/000000000000/sam-app-OrdersDeadLetterQueue`;
    const dead = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1 }))).Messages?.[0], 90_000, 'the order in the DLQ');
    expect(JSON.parse(dead.Body!)).toEqual({ id, items: [] });
  }, 120_000);
});
