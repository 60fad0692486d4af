import { describe, expect, it } from 'vitest';
import { arnOf, globalArnOf, inRegionPartition } from '../src/arn.js';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/hub.js';

describe('ARNs in the partition of their region', () => {
  it('builds regional and global ARNs with the partition of the region', () => {
    expect(arnOf('us-east-1', 'sqs', '123456789012', 'jobs')).toBe('arn:aws:sqs:us-east-1:123456789012:jobs');
    expect(arnOf('cn-north-1', 'sqs', '123456789012', 'jobs')).toBe('arn:aws-cn:sqs:cn-north-1:123456789012:jobs');
    expect(arnOf('cn-northwest-1', 'events', '123456789012', 'rule/r')).toBe('arn:aws-cn:events:cn-northwest-1:123456789012:rule/r');
    expect(arnOf('us-gov-west-1', 'execute-api', '123456789012', 'api/Prod/GET/')).toBe('arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:api/Prod/GET/');
    expect(globalArnOf('cn-north-1', 'iam', '123456789012', 'root')).toBe('arn:aws-cn:iam::123456789012:root');
    expect(globalArnOf('us-gov-east-1', 's3', '', 'bucket')).toBe('arn:aws-us-gov:s3:::bucket');
    expect(globalArnOf('eu-west-1', 's3', '', 'bucket')).toBe('arn:aws:s3:::bucket');
  });

  it("gives a server's ARN the partition of the region it names, and leaves one without a region as it is", () => {
    expect(inRegionPartition('arn:aws:sqs:cn-north-1:000000000000:q')).toBe('arn:aws-cn:sqs:cn-north-1:000000000000:q');
    expect(inRegionPartition('arn:aws:kinesis:us-gov-west-1:000000000000:stream/s')).toBe('arn:aws-us-gov:kinesis:us-gov-west-1:000000000000:stream/s');
    expect(inRegionPartition('arn:aws:sqs:eu-west-1:000000000000:q')).toBe('arn:aws:sqs:eu-west-1:000000000000:q');
    expect(inRegionPartition('arn:aws:s3:::bucket')).toBe('arn:aws:s3:::bucket');
    expect(inRegionPartition('redis://127.0.0.1:6379/key')).toBe('redis://127.0.0.1:6379/key');
  });

  it.each([
    ['aws-cn', 'cn-north-1'],
    ['aws-us-gov', 'us-gov-west-1'],
  ])('the config takes queue, topic, stream, destination and caller ARNs of the %s partition', (partition, region) => {
    const account = '123456789012';
    const config = buildConfig({
      region,
      accountId: account,
      iam: { credentials: [{ accessKeyId: 'AKIDALICEEXAMPLE', secretAccessKey: 's', userArn: `arn:${partition}:iam::${account}:user/alice` }] },
      functions: {
        f: {
          handler: 'echo.handler',
          destinations: { onFailure: `arn:${partition}:sqs:${region}:${account}:failed`, onSuccess: `arn:${partition}:lambda:${region}:${account}:function:g` },
          events: [
            { sqs: { queue: `arn:${partition}:sqs:${region}:${account}:jobs` } },
            { sns: { topic: `arn:${partition}:sns:${region}:${account}:news` } },
            { dynamodb: { stream: `arn:${partition}:dynamodb:${region}:${account}:table/orders/stream/2026-01-01T00:00:00.000`, startingPosition: 'LATEST' } },
          ],
        },
        g: { handler: 'echo.handler' },
      },
    }, { baseDir: FIXTURES });
    expect(config.functions.f.events.map((mapping) => Object.keys(mapping)[0])).toEqual(['sqs', 'sns', 'dynamodb']);
  });
});
