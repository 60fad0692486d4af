import { AlbSchema, DynamoDBStreamSchema, EventBridgeSchema, KinesisDataStreamSchema, S3Schema, SnsSchema, SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { samplesFor } from '../src/console/samples.js';
import { FIXTURES } from './helpers/paths.js';

describe('console sample events', () => {
  it('builds one sample per mapping kind with the sources builders, in the shapes Powertools parses', () => {
    const config = buildConfig({
      functions: {
        all: {
          handler: 'echo.handler',
          events: [
            { sqs: { queue: 'https://sqs.us-east-1.amazonaws.com/000000000000/orders', endpoint: 'http://127.0.0.1:1', region: 'us-east-1' } },
            { sns: { topic: 'arn:aws:sns:us-east-1:000000000000:news' } },
            { s3: { bucket: 'photos', via: { minio: { endPoint: '127.0.0.1', port: 1, useSSL: false, accessKey: 'a', secretKey: 'b' } } } },
            { kinesis: { stream: 'clicks', startingPosition: 'TRIM_HORIZON', endpoint: 'http://127.0.0.1:1', region: 'us-east-1' } },
            { dynamodb: { table: 'orders', startingPosition: 'TRIM_HORIZON' } },
            { stream: { key: 'events', startingPosition: 'TRIM_HORIZON' } },
          ],
        },
      },
    }, { baseDir: FIXTURES, env: {} });
    const samples = samplesFor(config, config.functions.all);
    expect(samples.map((s) => s.label)).toEqual([
      'direct invoke', 'sqs (events[0])', 'sns (events[1])', 's3 (events[2])', 'kinesis (events[3])', 'dynamodb (events[4])', 'stream (events[5])',
    ]);
    expect(SqsSchema.parse(samples[1].event).Records[0]).toMatchObject({ body: '{"hello":"world"}', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders' });
    expect(SnsSchema.parse(samples[2].event).Records[0].Sns).toMatchObject({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:news', Message: '{"hello":"world"}' });
    expect(S3Schema.parse(samples[3].event).Records[0].s3).toMatchObject({ bucket: { name: 'photos' }, object: { key: 'uploads/sample+file.json' } });
    expect(KinesisDataStreamSchema.parse(samples[4].event).Records[0].kinesis.data).toEqual({ hello: 'world' });
    expect(DynamoDBStreamSchema.parse(samples[5].event).Records[0]).toMatchObject({ eventName: 'INSERT', eventSourceARN: expect.stringContaining(':table/orders/stream/') });
    expect(samples[6].event).toMatchObject({ Records: [{ eventSource: 'triggerhub:redis-stream', stream: { key: 'events', data: Buffer.from('{"hello":"world"}').toString('base64') } }] });
  });

  it("names what the hub builds in the partition of a China region (aws-cn)", () => {
    const config = buildConfig({
      region: 'cn-north-1',
      accountId: '123456789012',
      functions: {
        all: {
          handler: 'echo.handler',
          events: [
            { sqs: { queue: 'http://127.0.0.1:1/123456789012/orders', region: 'cn-north-1' } },
            { s3: { bucket: 'photos', via: { minio: { endPoint: '127.0.0.1', port: 1, useSSL: false, accessKey: 'a', secretKey: 'b' } } } },
            { kinesis: { stream: 'clicks', startingPosition: 'TRIM_HORIZON', endpoint: 'http://127.0.0.1:1', region: 'cn-north-1' } },
            { dynamodb: { table: 'orders', startingPosition: 'TRIM_HORIZON' } },
            { schedule: { expression: 'rate(1 minute)' } },
            { alb: { path: '/lb' } },
          ],
        },
      },
    }, { baseDir: FIXTURES, env: {} });
    const [, sqs, s3, kinesis, dynamodb, schedule, alb] = samplesFor(config, config.functions.all).map((s) => s.event);
    expect(SqsSchema.parse(sqs).Records[0]).toMatchObject({ eventSourceARN: 'arn:aws-cn:sqs:cn-north-1:123456789012:orders', awsRegion: 'cn-north-1' });
    expect(S3Schema.parse(s3).Records[0].s3.bucket.arn).toBe('arn:aws-cn:s3:::photos');
    expect(KinesisDataStreamSchema.parse(kinesis).Records[0]).toMatchObject({
      eventSourceARN: 'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/clicks', invokeIdentityArn: 'arn:aws-cn:iam::123456789012:role/lambda-role',
    });
    expect(DynamoDBStreamSchema.parse(dynamodb).Records[0].eventSourceARN).toMatch(/^arn:aws-cn:dynamodb:cn-north-1:123456789012:table\/orders\/stream\//);
    expect(EventBridgeSchema.parse(schedule).resources).toEqual(['arn:aws-cn:events:cn-north-1:123456789012:rule/all-schedule-4']);
    expect(AlbSchema.parse(alb).requestContext.elb.targetGroupArn).toBe('arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/all/sample');
  });
});
