import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { runCli } from './helpers/cli.js';
import { dynamoDbLocalUnavailable, startDynamoDbLocal, type DynamoDbLocal } from './helpers/dynamodb-local.js';
import { startExternalEmulator, type ExternalEmulator } from './helpers/external-cloud.js';
import { readLines, tempDir, waitFor } from './helpers/hub.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';

/**
 * `endpoints:` at emulators the hub did not start (processes of their own, as a user's LocalStack,
 * MinIO or Kinesis/DynamoDB emulators run): the hub creates what the template declares there, its
 * sources consume from them and its handlers reach them; a second start finds them and keeps them.
 */
const unavailable = dynamoDbLocalUnavailable();
if (unavailable) console.warn(`skipping the external cloud tests: ${unavailable}`);

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const template = path.join(PROJECTS, 'external-cloud', 'template.yaml');
const stack = 'external-cloud';

describe.skipIf(unavailable)('a project whose resources live at configured endpoints', () => {
  let fauxqs: ExternalEmulator;
  let kinesalite: ExternalEmulator;
  let s3rver: ExternalEmulator;
  let dynamodbLocal: DynamoDbLocal;
  let hub: Hub | undefined;
  let raw: Record<string, unknown>;
  let clients: { sqs: SQSClient; sns: SNSClient; s3: S3Client; kinesis: KinesisClient; dynamodb: DynamoDBClient };
  const dir = tempDir('th-external-cloud-');
  const calls = path.join(dir, 'calls.jsonl');
  const configFile = path.join(dir, 'triggerhub.yaml');
  const recorded = () => readLines(calls).map((line) => JSON.parse(line) as { source: string; payload: string });
  const queueUrl = async (name: string) => (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: `${stack}-${name}` }))).QueueUrl!;

  beforeAll(async () => {
    [fauxqs, kinesalite, s3rver, dynamodbLocal] = await Promise.all([
      startExternalEmulator('fauxqs'), startExternalEmulator('kinesalite'), startExternalEmulator('s3rver'), startDynamoDbLocal(),
    ]);
    const region = { region: 'us-east-1', credentials };
    clients = {
      sqs: new SQSClient({ ...region, endpoint: fauxqs.endpoint }),
      sns: new SNSClient({ ...region, endpoint: fauxqs.endpoint }),
      s3: new S3Client({ ...region, endpoint: s3rver.endpoint, forcePathStyle: true }),
      kinesis: new KinesisClient({ ...region, endpoint: kinesalite.endpoint, requestHandler: new NodeHttpHandler() }),
      dynamodb: new DynamoDBClient({ ...region, endpoint: dynamodbLocal.endpoint }),
    };
    raw = {
      template,
      // One prefix for both starts: the stream checkpoints live under it.
      queuePrefix: `t-${randomUUID().slice(0, 8)}`,
      parameters: { CallsFile: calls },
      dataDir: path.join(dir, 'data'),
      endpoints: { sqs: fauxqs.endpoint, sns: fauxqs.endpoint, s3: s3rver.endpoint, kinesis: kinesalite.endpoint, dynamodb: dynamodbLocal.endpoint },
    };
    writeFileSync(configFile, JSON.stringify({ ...raw, redis: inject('redisUrl') }));
    hub = await startProjectHub(raw, { dataDir: raw.dataDir as string });
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    for (const client of Object.values(clients ?? {})) client.destroy();
    await Promise.all([fauxqs?.stop(), kinesalite?.stop(), s3rver?.stop(), dynamodbLocal?.stop()]);
  });

  it('creates every declared resource there and starts no emulator', async () => {
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: await queueUrl('Jobs'), AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ VisibilityTimeout: '5' });
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toMatchObject({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${stack}-JobsDlq`, maxReceiveCount: 3 });
    const stream = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${stack}-Clicks` }));
    expect(stream.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 1 });
    const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: `${stack}-Orders` }));
    expect(table.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    const state = JSON.parse(readFileSync(path.join(dir, 'data', 'cloud.json'), 'utf8')) as { endpoints: Record<string, { url: string; embedded: boolean }> };
    expect(state.endpoints).toEqual({
      sqs: { url: fauxqs.endpoint, embedded: false }, sns: { url: fauxqs.endpoint, embedded: false }, s3: { url: s3rver.endpoint, embedded: false },
      kinesis: { url: kinesalite.endpoint, embedded: false }, dynamodb: { url: dynamodbLocal.endpoint, embedded: false },
    });
    const environment = hub!.config.functions.Relay.environment;
    expect(environment).toMatchObject({
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint, AWS_ENDPOINT_URL_SNS: fauxqs.endpoint, AWS_ENDPOINT_URL_S3: s3rver.endpoint,
      AWS_ENDPOINT_URL_KINESIS: kinesalite.endpoint, AWS_ENDPOINT_URL_DYNAMODB: dynamodbLocal.endpoint, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodbLocal.endpoint,
    });
    // `!Ref Jobs`: the queue's URL at the endpoint (LocalStack, like SQS, finds a queue by the name in it).
    expect(environment.JOBS_URL).toBe(`${fauxqs.endpoint}/000000000000/${stack}-Jobs`);
  });

  it('its sources consume from them and its handler reaches each of them through the SDK', async () => {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl('Jobs'), MessageBody: 'relay' }));
    await waitFor(() => recorded().length >= 5, 60_000, 'the relayed events');
    expect(recorded().map((r) => `${r.source} ${r.payload}`).sort()).toEqual([
      'aws:dynamodb order-from-handler', 'aws:kinesis click from the handler', 'aws:sns alert from the handler',
      'aws:sqs from the handler', 'aws:sqs relay',
    ]);
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: `${stack}-uploads`, Key: 'from-handler.txt' }));
    expect(await object.Body!.transformToString()).toBe('written by the handler');
  }, 90_000);

  it('`triggerhub resources` lists them at those endpoints', async () => {
    const { code, stdout, stderr } = await runCli(['--config', configFile, 'resources', '--json']);
    expect(code, stderr).toBe(0);
    const rows = JSON.parse(stdout) as Array<{ kind: string; name: string; endpoint: string; url?: string }>;
    expect(rows.map((r) => [r.kind, r.name, r.endpoint])).toEqual(expect.arrayContaining([
      ['sqs', `${stack}-Jobs`, fauxqs.endpoint], ['sns', `${stack}-Alerts`, fauxqs.endpoint], ['s3', `${stack}-uploads`, s3rver.endpoint],
      ['kinesis', `${stack}-Clicks`, kinesalite.endpoint], ['dynamodb', `${stack}-Orders`, dynamodbLocal.endpoint],
    ]));
    expect(rows.find((r) => r.name === `${stack}-Jobs`)?.url).toBe(`${fauxqs.endpoint}/000000000000/${stack}-Jobs`);
  });

  it('a second start finds every resource, keeps it and its data, and consumes again', async () => {
    const topicArn = `arn:aws:sns:us-east-1:000000000000:${stack}-Alerts`;
    const subscriptions = async () => (await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
    const before = { subscriptions: await subscriptions(), stream: await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${stack}-Clicks` })) };
    await hub!.stop();
    hub = undefined;
    hub = await startProjectHub(raw, { dataDir: raw.dataDir as string });

    expect(await subscriptions()).toEqual(before.subscriptions);
    const stream = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${stack}-Clicks` }));
    expect(stream.StreamDescriptionSummary?.StreamCreationTimestamp).toEqual(before.stream.StreamDescriptionSummary?.StreamCreationTimestamp);
    const item = await clients.dynamodb.send(new GetItemCommand({ TableName: `${stack}-Orders`, Key: { id: { S: 'order-from-handler' } } }));
    expect(item.Item).toEqual({ id: { S: 'order-from-handler' } });
    await clients.s3.send(new GetObjectCommand({ Bucket: `${stack}-uploads`, Key: 'from-handler.txt' }));

    const seen = recorded().length;
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl('Jobs'), MessageBody: 'after the restart' }));
    await waitFor(() => recorded().slice(seen).some((r) => r.payload === 'after the restart'), 30_000, 'the message sent after the restart');
    // Streams resume from their checkpoints: nothing is delivered twice.
    expect(recorded().slice(seen).map((r) => r.payload)).toEqual(['after the restart']);
  }, 90_000);
});

describe('endpoints for one of SQS and SNS', () => {
  it('is refused when the project subscribes to topics: the embedded SNS cannot deliver to a queue elsewhere', async () => {
    const dir = tempDir('th-split-cloud-');
    writeFileSync(path.join(dir, 'template.yaml'), `Resources:
  Alerts: { Type: AWS::SNS::Topic }
  Inbox: { Type: AWS::SQS::Queue }
  InboxSubscription:
    Type: AWS::SNS::Subscription
    Properties: { TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Inbox.Arn }
`);
    const start = startProjectHub({ template: path.join(dir, 'template.yaml'), endpoints: { sqs: 'http://127.0.0.1:4566' } });
    await expect(start).rejects.toMatchObject({ code: 'TH_ERR_CLOUD_START_FAILED', message: expect.stringContaining('set both endpoints.sqs and endpoints.sns') });
  });
});
