import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, DeleteQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { S3Schema, S3SqsEventNotificationSchema, SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { tempDir, waitFor } from './helpers/hub.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const TEMPLATE = path.join(PROJECTS, 'sam-s3-notifications/template.yaml');
const STACK = 'sam-s3-notifications';
const BUCKET = `${STACK}-uploads`;

/** The project's bucket NotificationConfiguration (queue and topic targets) on the local cloud, with the SDK. */
describe('S3 NotificationConfiguration on the local cloud', () => {
  const dataDir = tempDir('th-s3-notify-');
  let hub: Hub;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: (logicalId: string) => string;
  const received = new Map<string, Message[]>();

  /** Messages of a queue (received and deleted) until `until` holds for all of them so far. */
  const receive = (logicalId: string, until: (bodies: unknown[]) => boolean) => waitFor(async () => {
    const seen = received.get(logicalId) ?? [];
    received.set(logicalId, seen);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(logicalId), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of Messages) {
      seen.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(logicalId), ReceiptHandle: message.ReceiptHandle }));
    }
    const bodies = seen.map((m) => JSON.parse(m.Body!) as unknown);
    return until(bodies) && bodies;
  }, 20_000, `messages on ${logicalId}`);
  const keysOf = (bodies: unknown[]) => bodies.flatMap((body) => (S3Schema.safeParse(body).data?.Records ?? []).map((r) => r.s3.object.key));

  const start = async () => {
    hub = await startProjectHub({ template: TEMPLATE }, { dataDir });
    const env = hub.config.functions.ProcessUploadFunction.environment;
    s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: 'us-east-1', credentials, forcePathStyle: true });
    sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL_SQS, region: 'us-east-1', credentials });
    queueUrl = (logicalId) => `${env.AWS_ENDPOINT_URL_SQS}/000000000000/${STACK}-${logicalId}`;
  };
  const stop = async () => {
    s3?.destroy();
    sqs?.destroy();
    await hub?.stop();
  };
  beforeAll(start);
  afterAll(stop);

  it('a queue target gets S3\'s test event, then one S3 event JSON per object, filtered by suffix (Powertools S3Schema)', async () => {
    const [test] = await receive('InspectQueue', (bodies) => bodies.length >= 1);
    expect(test).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET, RequestId: expect.any(String), HostId: expect.any(String) });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/q1 report.csv', Body: 'a,b\n1,2\n' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/notes.txt', Body: 'not a csv' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/data.csv', Body: 'c\n3\n' }));
    // One lane per target, in order: notes.txt (put before data.csv) would have come before it.
    const bodies = await receive('InspectQueue', (all) => keysOf(all).includes('other/data.csv'));
    expect(keysOf(bodies)).toEqual(['incoming/q1+report.csv', 'other/data.csv']);
    const event = S3Schema.parse(bodies.at(-1));
    expect(event.Records[0]).toMatchObject({
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put',
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: { configurationId: 'UploadsBucket-Queue-1', bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` }, object: { key: 'other/data.csv', size: 4 } },
    });
  });

  it('an SQS consumer in the template gets the S3 event inside its SQS record (S3SqsEventNotificationSchema); the prefix filter keeps other keys out', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/skipped.txt', Body: 'outside incoming/' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/photo 1.jpg', Body: 'jpeg bytes' }));
    const results = `${STACK}-results`;
    const seen = await waitFor(() => s3.send(new GetObjectCommand({ Bucket: results, Key: 'seen/incoming/photo 1.jpg.json' })).catch(() => undefined), 20_000, 'the consumer\'s record');
    const event = S3SqsEventNotificationSchema.parse(JSON.parse(await seen.Body!.transformToString()));
    expect(event.Records[0]).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${STACK}-UploadsQueue` });
    expect(event.Records[0].body.Records[0].s3).toMatchObject({ configurationId: 'UploadsBucket-Queue-0', object: { key: 'incoming/photo+1.jpg', size: 10 } });
    // Earlier uploads under incoming/ were recorded too; the one outside it was not.
    await waitFor(() => s3.send(new GetObjectCommand({ Bucket: results, Key: 'seen/incoming/notes.txt.json' })).catch(() => undefined), 20_000, 'notes.txt recorded');
    await expect(s3.send(new GetObjectCommand({ Bucket: results, Key: 'seen/other/skipped.txt.json' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('a topic target publishes the S3 event JSON as the Message (Subject "Amazon S3 Notification") to its subscribed queue', async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'other/data.csv' }));
    const bodies = await receive('AuditQueue', (all) => all.length >= 2);
    const [test, removed] = bodies.map((body) => SnsSqsNotificationSchema.parse(body));
    expect(JSON.parse(test.Message)).toMatchObject({ Event: 's3:TestEvent', Bucket: BUCKET });
    expect(removed).toMatchObject({ Type: 'Notification', Subject: 'Amazon S3 Notification', TopicArn: `arn:aws:sns:us-east-1:000000000000:${STACK}-DeletionsTopic` });
    const event = S3Schema.parse(JSON.parse(removed.Message));
    expect(event.Records[0]).toMatchObject({ eventName: 'ObjectRemoved:Delete', s3: { configurationId: 'UploadsBucket-Topic-0', object: { key: 'other/data.csv' } } });
  });

  it('a notification waits while its queue is gone, across a hub restart, and is delivered once the queue is back', async () => {
    // fauxqs deletes a queue only by the URL it made.
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${STACK}-InspectQueue` }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'late.csv', Body: 'x\n' }));
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${hub.url}/metrics`)).text();
      return /triggerhub_cloud_notifications_total\{target="sqs",outcome="retried"\} [1-9]/.test(text) && text;
    }, 20_000, 'a retried notification');
    expect(metrics).toMatch(/triggerhub_cloud_notifications_total\{target="sqs",outcome="delivered"\} [1-9]/);
    // Stopped while undelivered: the journal keeps it; the next start (which creates the queue again) delivers it.
    await stop();
    received.clear();
    await start();
    const bodies = await receive('InspectQueue', (all) => keysOf(all).includes('late.csv'));
    expect(keysOf(bodies)).toEqual(['late.csv']);
    // The configuration did not change: no second test event.
    expect(bodies).toHaveLength(1);
  });

  it('a NotificationConfiguration naming a queue that is not an ARN is an error naming the path', async () => {
    const { buildConfig } = await import('../src/config/load.js');
    const { writeTree } = await import('./helpers/project.js');
    const dir = tempDir('th-s3-notify-bad-');
    writeTree(dir, {
      'template.yaml': `Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      NotificationConfiguration:\n        QueueConfigurations:\n          - { Event: 's3:ObjectCreated:*', Queue: my-queue }\n`,
    });
    expect(() => buildConfig({ template: path.join(dir, 'template.yaml') }, { baseDir: dir }))
      .toThrow('Resources.B.Properties.NotificationConfiguration.QueueConfigurations[0].Queue: must be a queue ARN');
  });
});
