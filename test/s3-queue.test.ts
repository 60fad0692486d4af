import path from 'node:path';
import { Writable } from 'node:stream';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { S3Event } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, type FunctionConfig } from '../src/config/load.js';
import { s3Kind } from '../src/sources/s3.js';
import { s3SettingsSchema } from '../src/sources/s3/settings.js';
import type { SourceContext } from '../src/sources/source.js';
import { createQueue, queueDepth, REGION, sendBodies, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { FIXTURES, readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { BRIDGE_REGION, bridgeS3rver, minioRecord, toAwsRecord, type S3Bridge } from './helpers/s3-bridge.js';
import { startS3rver, type S3rverPeer } from './helpers/s3rver.js';

// One credential pair for every peer: s3rver checks SigV4 with its own keys, fauxqs accepts any.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';

const TEST_EVENT = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: 'x', RequestId: 'R', HostId: 'H' });

describe('S3 notifications through SQS (S3 → SQS, S3 → SNS → SQS)', () => {
  let hub: TestHub;
  let s3: S3rverPeer;
  let fauxqs: Fauxqs;
  let sns: SNSClient;
  let bucket: string;
  let bridge: S3Bridge;
  let direct: { url: string };
  let viaTopic: { url: string };
  let parked: { url: string };
  const dir = tempDir();
  const calls = path.join(dir, 'direct.log');
  const topicCalls = path.join(dir, 'topic.log');

  beforeAll(async () => {
    [s3, fauxqs] = await Promise.all([startS3rver(), startFauxqs()]);
    sns = new SNSClient({ endpoint: fauxqs.endpoint, region: REGION });
    bucket = await s3.createBucket('queued');
    direct = await createQueue(fauxqs.client, 's3-direct');
    viaTopic = await createQueue(fauxqs.client, 's3-topic');
    parked = await createQueue(fauxqs.client, 's3-parked');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `s3-${Date.now()}` }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: (await createQueueArn(viaTopic.url)) }));
    const via = (queue: string) => ({ sqs: queue, endpoint: fauxqs.endpoint, region: REGION });
    hub = await startTestHub({
      functions: {
        direct: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [{ s3: { bucket, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'], via: via(direct.url) } }],
        },
        topic: {
          handler: 'record.handler', environment: { CALLS_FILE: topicCalls },
          events: [{ s3: { bucket, events: ['s3:ObjectCreated:Put'], filter: { suffix: '.csv' }, via: via(viaTopic.url) } }],
        },
        parked: { handler: 'record.handler', reservedConcurrency: 0, events: [{ s3: { bucket, via: via(parked.url) } }] },
      },
    });
    bridge = bridgeS3rver(s3, bucket, [
      { sqs: { client: fauxqs.client, queueUrl: direct.url } },
      { sns: { client: sns, topicArn: TopicArn! } },
    ]);
  });
  afterAll(async () => {
    bridge?.close();
    await hub?.stop();
    sns?.destroy();
    await Promise.all([s3?.stop(), fauxqs?.stop()]);
  });

  const createQueueArn = async (url: string) => `arn:aws:sqs:${REGION}:000000000000:${url.split('/').pop()}`;
  const events = (file: string) => readLines(file).map((line) => JSON.parse(line) as S3Event);
  const received = (file: string, eventName: string, key: string) => waitFor(
    () => events(file).find((event) => event.Records[0].eventName === eventName && event.Records[0].s3.object.key === key),
    10_000, `${eventName} ${key}`,
  );

  it('delivers puts and deletes from an S3 → SQS queue as AWS S3 events and deletes the messages', async () => {
    await s3.put(bucket, 'data/a b.txt');
    await s3.remove(bucket, 'data/a b.txt');
    await bridge.flush();
    for (const name of ['ObjectCreated:Put', 'ObjectRemoved:Delete']) {
      const event = await received(calls, name, 'data/a+b.txt');
      expect(() => S3Schema.parse(event)).not.toThrow();
      expect(event.Records).toHaveLength(1);
      expect(event.Records[0]).toMatchObject({ eventVersion: '2.1', eventSource: 'aws:s3', s3: { bucket: { arn: `arn:aws:s3:::${bucket}` } } });
    }
    await waitFor(async () => (await queueDepth(fauxqs.client, direct.url)) === 0, 5_000, 'direct queue empty');
  });

  it('unwraps S3 events from SNS notifications (S3 → SNS → SQS), with the mapping\'s filters', async () => {
    await s3.put(bucket, 'reports/q1 ü.csv');
    await s3.put(bucket, 'reports/q1.txt');
    await bridge.flush();
    const event = await received(topicCalls, 'ObjectCreated:Put', 'reports/q1+%C3%BC.csv');
    expect(() => S3Schema.parse(event)).not.toThrow();
    await waitFor(async () => (await queueDepth(fauxqs.client, viaTopic.url)) === 0, 5_000, 'topic queue empty');
    expect(events(topicCalls).map((e) => e.Records[0].s3.object.key)).toEqual(['reports/q1+%C3%BC.csv']);
  });

  it('drops and deletes s3:TestEvent messages; queues one envelope per record of a message', async () => {
    const depth = await hub.queues.depth('parked');
    const records = ['one.txt', 'two.txt'].map((key) => toAwsRecord({ ...minioRecord(bucket, key), eventName: 'ObjectCreated:Put', eventSource: 'aws:s3' }, BRIDGE_REGION));
    await sendBodies(fauxqs.client, parked.url, [TEST_EVENT, JSON.stringify({ Records: records })]);
    await waitFor(async () => (await queueDepth(fauxqs.client, parked.url)) === 0, 5_000, 'parked queue empty');
    expect(await hub.queues.depth('parked')).toBe(depth + 2);
  });
});

describe('S3 → SQS acknowledgement and bucket configuration', () => {
  let fauxqs: Fauxqs;
  let s3: S3rverPeer;
  beforeAll(async () => { [fauxqs, s3] = await Promise.all([startFauxqs(), startS3rver()]); });
  afterAll(async () => { await Promise.all([fauxqs?.stop(), s3?.stop()]); });

  /** An s3 mapping started on its own, with an enqueue the test controls and captured logs. */
  function startSource(raw: Record<string, unknown>, enqueue: SourceContext['enqueue']) {
    const settings = s3SettingsSchema.parse(raw);
    const config = buildConfig({ functions: { f: { handler: 'noop.handler', events: [{ s3: raw }] } } }, { baseDir: FIXTURES });
    const logs: Array<Record<string, unknown>> = [];
    const destination = new Writable({ write(chunk, _enc, done) { logs.push(JSON.parse(String(chunk))); done(); } });
    const context = { config, enqueue, logger: pino({ level: 'debug' }, destination) } as unknown as SourceContext;
    const source = s3Kind.create(config.functions.f as FunctionConfig, settings, 0);
    return { source, logs, started: source.start(context) };
  }

  it('keeps a message whose records could not be queued; it comes back after the visibility timeout', async () => {
    const queue = await createQueue(fauxqs.client, 's3-failing', { VisibilityTimeout: '1' });
    let attempts = 0;
    const { source, started } = startSource({ bucket: 'fail-bucket', via: { sqs: queue.url, endpoint: fauxqs.endpoint, region: REGION } }, async () => {
      attempts += 1;
      throw new Error('redis is down');
    });
    await started;
    await sendBodies(fauxqs.client, queue.url, [JSON.stringify({ Records: [toAwsRecord({ ...minioRecord('fail-bucket', 'k.txt'), eventName: 'ObjectCreated:Put', eventSource: 'aws:s3' }, BRIDGE_REGION)] })]);
    await waitFor(() => attempts >= 2, 10_000, 'redelivery after the visibility timeout');
    await source.stop();
    expect(await queueDepth(fauxqs.client, queue.url)).toBe(1);
  });

  it('puts the bucket notification configuration on start and warns when the server does not implement it', async () => {
    const bucket = await s3.createBucket('configured');
    const queue = await createQueue(fauxqs.client, 's3-config');
    const bodies: string[] = [];
    const capture = (request: import('node:http').IncomingMessage) => {
      if (!request.url?.includes('notification')) return;
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk; }).on('end', () => bodies.push(`${request.method} ${request.url}\n${body}`));
    };
    s3.server.httpServer.on('request', capture);
    const { source, logs, started } = startSource({
      bucket, configureBucket: true, endpoint: s3.endpoint, region: REGION, filter: { prefix: 'in/' },
      via: { sqs: queue.url, endpoint: fauxqs.endpoint, region: REGION },
    }, async () => undefined);
    await started;
    const warning = await waitFor(() => logs.find((line) => line.event === 's3_bucket_configure_failed'), 10_000, 'configure warning');
    await waitFor(() => logs.some((line) => line.event === 's3_queue_polling'), 5_000, 'polling after the warning');
    await source.stop();
    expect(warning).toMatchObject({ bucket, code: 'NotImplemented', queueArn: `arn:aws:sqs:${REGION}:000000000000:${queue.name}` });
    expect(String(warning.msg)).toContain('does not implement bucket notifications');
    s3.server.httpServer.off('request', capture);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(new RegExp(`^PUT /${bucket}/?\\?notification`));
    for (const part of [
      `<QueueConfiguration><Queue>arn:aws:sqs:${REGION}:000000000000:${queue.name}</Queue>`,
      '<Event>s3:ObjectCreated:*</Event>',
      '<Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule></S3Key></Filter>',
    ]) expect(bodies[0]).toContain(part);
  });
});
