import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeSchema, SnsSchema } from '@aws-lambda-powertools/parser/schemas';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const s3For = (hub: Hub, fn: string) => new S3Client({ endpoint: hub.config.functions[fn].environment.AWS_ENDPOINT_URL_S3, region: 'us-east-1', credentials, forcePathStyle: true });

async function keys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Contents.map((object) => object.Key!);
}

describe('S3-triggered thumbnail template (sharp), on the local cloud', () => {
  let hub: Hub;
  let s3: S3Client;
  beforeAll(async () => {
    hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-thumbnail/template.yaml'), parameters: { ThumbnailWidth: 120 } });
    s3 = s3For(hub, 'CreateThumbnailFunction');
  });
  afterAll(async () => {
    s3?.destroy();
    await hub?.stop();
  });

  it('an upload to the declared bucket is resized into the other one; keys outside the filter are not', async () => {
    const image = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366aa' } }).jpeg().toBuffer();
    await s3.send(new PutObjectCommand({ Bucket: 'sam-thumbnail-images', Key: 'notes.txt', Body: 'not an image' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sam-thumbnail-images', Key: 'holiday photos/beach.jpg', Body: image }));
    const [key] = await waitFor(async () => {
      const found = await keys(s3, 'sam-thumbnail-images-resized');
      return found.length ? found : undefined;
    }, 30_000, 'the thumbnail');
    expect(key).toBe('resized-holiday photos/beach.jpg');
    const thumbnail = await s3.send(new GetObjectCommand({ Bucket: 'sam-thumbnail-images-resized', Key: key }));
    const metadata = await sharp(Buffer.from(await thumbnail.Body!.transformToByteArray())).metadata();
    expect([metadata.width, metadata.height, metadata.format]).toEqual([120, 90, 'jpeg']);
    expect(await keys(s3, 'sam-thumbnail-images-resized')).toEqual(['resized-holiday photos/beach.jpg']);
  });
});

describe('scheduled job template, on the local cloud', () => {
  let hub: Hub;
  let s3: S3Client;
  beforeAll(async () => {
    // --parameter-overrides: a seconds-granular schedule so the test sees ticks (README: schedule expressions).
    hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-schedule/template.yaml'), parameters: { ReportSchedule: '* * * * * *' } });
    s3 = s3For(hub, 'ReportJobFunction');
  });
  afterAll(async () => {
    s3?.destroy();
    await hub?.stop();
  });

  it('each tick invokes the job with an EventBridge scheduled event, which writes its report to the declared bucket', async () => {
    const bucket = hub.config.functions.ReportJobFunction.environment.REPORTS_BUCKET;
    expect(bucket).toBe('sam-schedule-reportsbucket');
    const [key] = await waitFor(async () => {
      const found = await keys(s3, bucket, 'reports/');
      return found.length ? found : undefined;
    }, 20_000, 'a report');
    const report = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const event = EventBridgeSchema.parse(JSON.parse(await report.Body!.transformToString()));
    expect(event).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', region: 'us-east-1' });
  });
});

describe('SNS events on the local cloud', () => {
  let hub: Hub;
  let sns: SNSClient;
  let sqs: SQSClient;
  beforeAll(async () => {
    hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-sns/template.yaml') });
    const endpoint = hub.config.functions.OnAlert.environment.AWS_ENDPOINT_URL_SNS;
    sns = new SNSClient({ endpoint, region: 'us-east-1', credentials });
    sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await hub?.stop();
  });

  it("a topic's messages reach its function as SNSEvents, through the subscription's filter policy", async () => {
    const topic = hub.config.functions.OnAlert.events[0].sns as { topic: string };
    const attributes = (severity: string) => ({ severity: { DataType: 'String', StringValue: severity } });
    await sns.send(new PublishCommand({ TopicArn: topic.topic, Message: 'disk almost full', MessageAttributes: attributes('warning') }));
    await sns.send(new PublishCommand({ TopicArn: topic.topic, Subject: 'db', Message: 'database down', MessageAttributes: attributes('critical') }));
    const seen = hub.config.functions.OnAlert.environment.SEEN_URL;
    const message = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: seen, WaitTimeSeconds: 1 }))).Messages?.[0], 20_000, 'the forwarded event');
    const event = SnsSchema.parse(JSON.parse(message.Body!));
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({ EventSource: 'aws:sns', Sns: { TopicArn: topic.topic, Subject: 'db', Message: 'database down' } });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: seen, WaitTimeSeconds: 2 }));
    expect(Messages).toEqual([]);
  });
});
