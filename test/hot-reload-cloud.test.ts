import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBStreamSchema, KinesisDataStreamSchema, S3Schema, SnsSchema, SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { spawnCli, stopChild } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/hub.js';
import { writeTree } from './helpers/project.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A handler that appends each event it gets to events.jsonl (by function), for the test to read. */
const recorder = (out: string) => `import { appendFileSync } from 'node:fs';
export const handler = async (event) => { appendFileSync(${JSON.stringify(out)}, JSON.stringify({ fn: process.env.AWS_LAMBDA_FUNCTION_NAME, event }) + '\\n'); return {}; };
`;

const base = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs20.x, Timeout: 5, CodeUri: code/, Handler: record.handler }
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Hello: { Type: HttpApi, Properties: { Path: /hello, Method: get } }
`;

const withQueue = `${base}
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties: { VisibilityTimeout: 10 }
  JobsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Jobs: { Type: SQS, Properties: { Queue: !GetAtt JobsQueue.Arn, BatchSize: 1 } }
`;

const withMore = `${withQueue}
  AlertsTopic:
    Type: AWS::SNS::Topic
  AlertsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Alerts: { Type: SNS, Properties: { Topic: !Ref AlertsTopic } }
  DropBucket:
    Type: AWS::S3::Bucket
    Properties: { BucketName: watch-drop }
  DropFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Dropped: { Type: S3, Properties: { Bucket: !Ref DropBucket, Events: 's3:ObjectCreated:*' } }
  ClicksStream:
    Type: AWS::Kinesis::Stream
    Properties: { ShardCount: 1 }
  ClicksFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Clicks: { Type: Kinesis, Properties: { Stream: !GetAtt ClicksStream.Arn, StartingPosition: TRIM_HORIZON, BatchSize: 10 } }
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Orders: { Type: DynamoDB, Properties: { Stream: !GetAtt OrdersTable.StreamArn, StartingPosition: TRIM_HORIZON } }
`;

/** `triggerhub up --watch` on a SAM template to which the user adds resources and their consumers. */
describe('triggerhub up --watch: resources a template edit adds are created in the local cloud', () => {
  const dir = tempDir('th-watch-cloud-');
  const out = path.join(dir, 'events.jsonl');
  let hub: ChildProcess;
  let log = '';

  const reloads = () => log.split('\n').filter((line) => line.includes('"event":"reload"')).map((line) => JSON.parse(line));
  const nextReload = async () => {
    const seen = reloads().length;
    return waitFor(() => reloads().slice(seen).find((event) => event.reason === 'config'), 60_000, 'a config reload in the hub\'s log');
  };
  const endpoint = (service: string) => (JSON.parse(readFileSync(path.join(dir, '.triggerhub', 'cloud.json'), 'utf8')) as { endpoints: Record<string, { url: string }> }).endpoints[service]?.url;
  const events = (fn: string) => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { fn: string; event: unknown }) : [])
    .filter((entry) => entry.fn === fn).map((entry) => entry.event);

  beforeAll(async () => {
    writeTree(dir, {
      'triggerhub.yaml': `redis: ${inject('redisUrl')}\nqueuePrefix: t-${randomUUID().slice(0, 8)}\nserver: { port: 0 }\ntemplate: template.yaml\n`,
      'template.yaml': base,
      'code/record.mjs': recorder(out),
    });
    hub = spawnCli(['up', '--watch', '--config', path.join(dir, 'triggerhub.yaml')]);
    hub.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    hub.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    await waitFor(() => log.includes('"event":"watch_started"'), 55_000, 'the hub to start watching');
  }, 60_000);
  afterAll(() => stopChild(hub));

  it('adds a queue and its consumer: the queue exists before the poller starts, and a message sent to it reaches the new handler', async () => {
    const reloaded = nextReload();
    writeFileSync(path.join(dir, 'template.yaml'), withQueue);
    expect((await reloaded).changes).toMatchObject({ added: ['JobsFunction'], failed: [] });
    // Created (an embedded SQS started for it: the project had no resources), logged before the reload.
    const lines = log.split('\n');
    const created = lines.findIndex((line) => line.includes('"event":"cloud_resource_ready"') && line.includes('JobsQueue'));
    expect(created).toBeGreaterThan(-1);
    expect(created).toBeLessThan(lines.findIndex((line) => line.includes('"event":"reload"')));
    const sqs = new SQSClient({ endpoint: endpoint('sqs'), region: 'us-east-1', credentials });
    try {
      const queueName = `${path.basename(dir)}-JobsQueue`;
      await sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint('sqs')}/000000000000/${queueName}`, MessageBody: '{"job":1}' }));
      const [event] = await waitFor(() => events('JobsFunction').length && events('JobsFunction'), 30_000, 'the new handler to get the message');
      const parsed = SqsSchema.parse(event);
      expect(parsed.Records[0]).toMatchObject({ body: '{"job":1}', eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}` });
    } finally {
      sqs.destroy();
    }
  }, 90_000);

  it('adds a topic, a bucket, a stream and a table with their functions: each delivers to its new handler', async () => {
    const reloaded = nextReload();
    writeFileSync(path.join(dir, 'template.yaml'), withMore);
    expect((await reloaded).changes).toMatchObject({ added: ['AlertsFunction', 'DropFunction', 'ClicksFunction', 'OrdersFunction'], failed: [] });
    const stack = path.basename(dir);
    const sns = new SNSClient({ endpoint: endpoint('sns'), region: 'us-east-1', credentials });
    const s3 = new S3Client({ endpoint: endpoint('s3'), region: 'us-east-1', credentials, forcePathStyle: true });
    const kinesis = new KinesisClient({ endpoint: endpoint('kinesis'), region: 'us-east-1', credentials, requestHandler: new NodeHttpHandler() });
    const dynamodb = new DynamoDBClient({ endpoint: endpoint('dynamodb'), region: 'us-east-1', credentials });
    try {
      await sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${stack}-AlertsTopic`, Message: 'disk full' }));
      await s3.send(new PutObjectCommand({ Bucket: 'watch-drop', Key: 'a.txt', Body: 'a' }));
      await kinesis.send(new PutRecordCommand({ StreamName: `${stack}-ClicksStream`, PartitionKey: 'p', Data: Buffer.from('click') }));
      await dynamodb.send(new PutItemCommand({ TableName: `${stack}-OrdersTable`, Item: { id: { S: 'o-1' } } }));
      const [alert] = await waitFor(() => events('AlertsFunction').length && events('AlertsFunction'), 30_000, 'the SNS event');
      expect(SnsSchema.parse(alert).Records[0].Sns.Message).toBe('disk full');
      const [drop] = await waitFor(() => events('DropFunction').length && events('DropFunction'), 30_000, 'the S3 event');
      expect(S3Schema.parse(drop).Records[0].s3).toMatchObject({ configurationId: 'DropFunction-0', object: { key: 'a.txt' } });
      const [click] = await waitFor(() => events('ClicksFunction').length && events('ClicksFunction'), 30_000, 'the Kinesis event');
      expect(KinesisDataStreamSchema.parse(click).Records[0].kinesis.partitionKey).toBe('p');
      expect(Buffer.from((click as { Records: Array<{ kinesis: { data: string } }> }).Records[0].kinesis.data, 'base64').toString()).toBe('click');
      const [order] = await waitFor(() => events('OrdersFunction').length && events('OrdersFunction'), 30_000, 'the DynamoDB stream event');
      expect(DynamoDBStreamSchema.parse(order).Records[0]).toMatchObject({ eventName: 'INSERT', dynamodb: { Keys: { id: 'o-1' } } }); // Powertools unmarshalls the keys
    } finally {
      dynamodb.destroy();
      sns.destroy();
      s3.destroy();
      kinesis.destroy();
    }
  }, 120_000);

  it('removes them from the template: functions stop, the resources are kept (logged)', async () => {
    const reloaded = nextReload();
    writeFileSync(path.join(dir, 'template.yaml'), base);
    expect((await reloaded).changes).toMatchObject({ removed: expect.arrayContaining(['JobsFunction', 'AlertsFunction', 'DropFunction', 'ClicksFunction', 'OrdersFunction']) });
    const retained = log.split('\n').find((line) => line.includes('"event":"cloud_resources_retained"'));
    expect(JSON.parse(retained!).resources).toEqual(expect.arrayContaining([`sqs ${path.basename(dir)}-JobsQueue`, 's3 watch-drop']));
    // The hub's own AWS SDK clients (loaded for the local cloud) print no Node version notice into its log.
    expect(log).not.toContain('NodeVersionSupportWarning');
  }, 60_000);
});
