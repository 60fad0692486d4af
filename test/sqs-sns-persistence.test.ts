import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CreateTopicCommand, GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ListQueueTagsCommand, ReceiveMessageCommand, SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { sqsClient } from './helpers/fauxqs.js';
import { tempDir, waitFor } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';
import { projectDir } from './helpers/template-project.js';
import { upChild } from './helpers/up-child.js';
import { jsonLogLines } from './helpers/log-capture.js';

const TEMPLATE = `Resources:
  Jobs: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs } }
  Ordered: { Type: AWS::SQS::Queue, Properties: { QueueName: ordered.fifo, FifoQueue: true } }
`;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const snapshotFile = (dataDir: string) => path.join(dataDir, 'cloud', 'sqs-sns', 'snapshot.json');

/** A hub on a template with no consumers, and SDK clients for its embedded SQS and SNS. */
async function start(dataDir: string, template: string, logger?: ReturnType<typeof createLogger>) {
  const hub: Hub = await startProjectHub({ template }, { dataDir, logger });
  const endpoint = JSON.parse(readFileSync(path.join(dataDir, 'cloud.json'), 'utf8')).endpoints.sqs.url as string;
  const sqs = sqsClient(endpoint);
  const sns = new SNSClient({ endpoint, region: 'us-east-1', credentials });
  const url = (name: string) => `${endpoint}/000000000000/${name}`;
  return {
    sqs, sns, url,
    receive: async (name: string, extra: { VisibilityTimeout?: number; MaxNumberOfMessages?: number } = {}): Promise<Message[]> => (await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url(name), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], ...extra,
    }))).Messages ?? [],
    stop: async () => {
      sqs.destroy();
      sns.destroy();
      await hub.stop();
    },
  };
}

const attribute = async (c: Awaited<ReturnType<typeof start>>, name: string, attr: 'ApproximateNumberOfMessagesDelayed' | 'VisibilityTimeout') =>
  (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: c.url(name), AttributeNames: [attr] }))).Attributes?.[attr];

describe('the embedded SQS and SNS keep their state across a graceful restart', () => {
  it('messages (visible, delayed, in flight), FIFO order and deduplication, and queues made at run time come back', async () => {
    const template = path.join(projectDir({ 'template.yaml': TEMPLATE }), 'template.yaml');
    const dataDir = tempDir('th-sqs-persist-');
    const first = await start(dataDir, template);
    const sent = await first.sqs.send(new SendMessageCommand({
      QueueUrl: first.url('jobs'), MessageBody: 'a', MessageAttributes: { kind: { DataType: 'String', StringValue: 'first' } },
    }));
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('jobs'), MessageBody: 'b' }));
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('jobs'), MessageBody: 'later', DelaySeconds: 900 }));
    // 'a' is in flight (received, not deleted) when the hub stops.
    expect((await first.receive('jobs', { VisibilityTimeout: 600, MaxNumberOfMessages: 1 })).map((m) => m.Body)).toEqual(['a']);
    const f1 = await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('ordered.fifo'), MessageBody: 'f1', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('ordered.fifo'), MessageBody: 'f2', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }));
    expect((await first.receive('ordered.fifo', { VisibilityTimeout: 600 })).map((m) => m.Body)).toEqual(['f1']);
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'made-at-run-time', Attributes: { VisibilityTimeout: '45' }, tags: { team: 'platform' } }));
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url('made-at-run-time'), MessageBody: 'r1' }));
    await first.stop();

    const second = await start(dataDir, template);
    try {
      const jobs = await second.receive('jobs');
      const a = jobs.find((m) => m.Body === 'a');
      expect(jobs.map((m) => m.Body).sort()).toEqual(['a', 'b']);
      expect(a).toMatchObject({ MessageId: sent.MessageId, MessageAttributes: { kind: { DataType: 'String', StringValue: 'first' } } });
      expect(a!.Attributes).toMatchObject({ ApproximateReceiveCount: '2' });
      expect(jobs.find((m) => m.Body === 'b')!.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
      expect(await attribute(second, 'jobs', 'ApproximateNumberOfMessagesDelayed')).toBe('1');

      // FIFO: the in-flight head of the group comes back first and still holds the group.
      const [head] = await second.receive('ordered.fifo');
      expect(head).toMatchObject({ Body: 'f1', MessageId: f1.MessageId, Attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }) });
      expect(await second.receive('ordered.fifo')).toEqual([]);
      await second.sqs.send(new DeleteMessageCommand({ QueueUrl: second.url('ordered.fifo'), ReceiptHandle: head.ReceiptHandle }));
      expect((await second.receive('ordered.fifo')).map((m) => m.Body)).toEqual(['f2']);
      // Still inside the 5-minute deduplication window: the same id is accepted and dropped.
      const again = await second.sqs.send(new SendMessageCommand({ QueueUrl: second.url('ordered.fifo'), MessageBody: 'f1 again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      expect(again.MessageId).toBe(f1.MessageId);

      expect(await attribute(second, 'made-at-run-time', 'VisibilityTimeout')).toBe('45');
      expect((await second.sqs.send(new ListQueueTagsCommand({ QueueUrl: second.url('made-at-run-time') }))).Tags).toEqual({ team: 'platform' });
      expect((await second.receive('made-at-run-time')).map((m) => m.Body)).toEqual(['r1']);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('a topic and a queue subscription made through the SDK at run time still deliver, with their filter policy', async () => {
    const template = path.join(projectDir({ 'template.yaml': TEMPLATE }), 'template.yaml');
    const dataDir = tempDir('th-sns-persist-');
    const first = await start(dataDir, template);
    const { TopicArn } = await first.sns.send(new CreateTopicCommand({ Name: 'alerts', Attributes: { DisplayName: 'Alerts' } }));
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'alerts-inbox' }));
    const { SubscriptionArn } = await first.sns.send(new SubscribeCommand({
      TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:alerts-inbox', ReturnSubscriptionArn: true,
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ level: ['high'] }) },
    }));
    await first.stop();

    const second = await start(dataDir, template);
    try {
      const { Subscriptions } = await second.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
      expect(Subscriptions?.map((s) => s.SubscriptionArn)).toEqual([SubscriptionArn]);
      const { Attributes } = await second.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
      expect(Attributes).toMatchObject({ RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ level: ['high'] }) });
      for (const level of ['low', 'high']) {
        await second.sns.send(new PublishCommand({ TopicArn, Message: `${level} alert`, MessageAttributes: { level: { DataType: 'String', StringValue: level } } }));
      }
      expect((await second.receive('alerts-inbox')).map((m) => m.Body)).toEqual(['high alert']);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('a snapshot that cannot be read is moved aside and logged, and the hub starts with the template\'s resources', async () => {
    const template = path.join(projectDir({ 'template.yaml': TEMPLATE }), 'template.yaml');
    const dataDir = tempDir('th-sqs-corrupt-');
    mkdirSync(path.dirname(snapshotFile(dataDir)), { recursive: true });
    writeFileSync(snapshotFile(dataDir), '{"version":1,"queues":[{"name":"jo');
    const { lines, destination } = jsonLogLines();
    const logger = createLogger({ destination });
    const hub = await start(dataDir, template, logger);
    try {
      const logged = lines.find((entry) => entry.event === 'cloud_snapshot_unreadable') as { msg: string; movedTo: string };
      expect(logged).toMatchObject({ file: snapshotFile(dataDir), level: 50 });
      expect(logged.msg).toContain(snapshotFile(dataDir));
      expect(readFileSync(logged.movedTo, 'utf8')).toBe('{"version":1,"queues":[{"name":"jo');
      await hub.sqs.send(new SendMessageCommand({ QueueUrl: hub.url('jobs'), MessageBody: 'fresh' }));
      expect((await hub.receive('jobs')).map((m) => m.Body)).toEqual(['fresh']);
    } finally {
      await hub.stop();
    }
    // The graceful stop wrote a good snapshot in its place.
    expect(existsSync(snapshotFile(dataDir))).toBe(true);
    expect(readdirSync(path.dirname(snapshotFile(dataDir))).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  }, 60_000);
});

describe('the embedded SQS after a kill -9 of the hub', () => {
  it('has every message whose snapshot was written (within the debounce of its send)', async () => {
    const dir = projectDir({ 'template.yaml': TEMPLATE });
    const dataDir = path.join(dir, 'data');
    writeFileSync(path.join(dir, 'triggerhub.yaml'), JSON.stringify({
      redis: inject('redisUrl'), queuePrefix: `t-${randomUUID().slice(0, 8)}`, server: { port: 0, host: '127.0.0.1' }, dataDir, template: 'template.yaml',
    }));
    const endpoint = () => JSON.parse(readFileSync(path.join(dataDir, 'cloud.json'), 'utf8')).endpoints.sqs.url as string;
    const bodies = ['m1', 'm2', 'm3', 'm4', 'm5'];

    const first = upChild(dir);
    await first.started;
    const sqs = sqsClient(endpoint());
    for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint()}/000000000000/jobs`, MessageBody: body }));
    sqs.destroy();
    await waitFor(() => {
      const text = existsSync(snapshotFile(dataDir)) ? readFileSync(snapshotFile(dataDir), 'utf8') : '';
      return bodies.every((body) => text.includes(`"body":"${body}"`));
    }, 10_000, 'the snapshot to hold every message');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = upChild(dir);
    try {
      await second.started;
      const again = sqsClient(endpoint());
      const { Messages = [] } = await again.send(new ReceiveMessageCommand({ QueueUrl: `${endpoint()}/000000000000/jobs`, MaxNumberOfMessages: 10 }));
      again.destroy();
      expect(Messages.map((m) => m.Body).sort()).toEqual(bodies);
    } finally {
      second.child.kill('SIGINT');
      await second.exited;
    }
  }, 120_000);
});
