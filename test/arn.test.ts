import { describe, expect, it } from 'vitest';
import { arnOf, checkFunctionRef, globalArnOf, inRegionPartition, parseFunctionRef } from '../src/arn.js';
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

  it('reads a function reference as Lambda\'s FunctionName pattern matches it, every part optional', () => {
    expect(parseFunctionRef('echo')).toEqual({ name: 'echo' });
    expect(parseFunctionRef('echo:live')).toEqual({ name: 'echo', qualifier: 'live' });
    expect(parseFunctionRef('123456789012:function:echo:$LATEST')).toEqual({ name: 'echo', qualifier: '$LATEST', accountId: '123456789012' });
    expect(parseFunctionRef('arn:aws-cn:lambda:cn-north-1:123456789012:function:echo:1'))
      .toEqual({ name: 'echo', qualifier: '1', partition: 'aws-cn', region: 'cn-north-1', accountId: '123456789012' });
    // Forms the pattern takes that a split at the colons misread: `function:` and a region without an ARN.
    expect(parseFunctionRef('function:echo')).toEqual({ name: 'echo' });
    expect(parseFunctionRef('eu-west-1:echo:live')).toEqual({ name: 'echo', qualifier: 'live', region: 'eu-west-1' });
    expect(parseFunctionRef('us-east-1:123456789012:function:echo')).toEqual({ name: 'echo', region: 'us-east-1', accountId: '123456789012' });
    // An ARN that stops at `function` names a function called `function`, as Lambda reads it.
    expect(parseFunctionRef('arn:aws:lambda:us-east-1:123456789012:function')).toMatchObject({ name: 'function', qualifier: undefined });
    expect(parseFunctionRef('arn:aws:lambda:eusc-de-east-1:123456789012:function:echo:$LATEST.PUBLISHED')).toMatchObject({ region: 'eusc-de-east-1', qualifier: '$LATEST.PUBLISHED' });
  });

  it('refuses a FunctionName or Qualifier with the constraint Lambda\'s ValidationException names today', () => {
    const refusal = (ref: string, qualifier?: string) => { try { checkFunctionRef(ref, qualifier); return undefined; } catch (err) { return (err as Error).message; } };
    expect(refusal('echo', 'x'.repeat(129))).toBe(`1 validation error detected: Value '${'x'.repeat(129)}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`);
    expect(refusal('echo', 'bad!')).toBe("1 validation error detected: Value 'bad!' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+");
    expect(refusal('echo', '')).toBe("1 validation error detected: Value '' at 'qualifier' failed to satisfy constraint: Member must have length greater than or equal to 1");
    expect(refusal('my-function!')).toBe("1 validation error detected: Value 'my-function!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?");
    // Up to 256 characters (NamespacedFunctionName), as Lambda takes them now.
    const long = `arn:aws:lambda:us-east-1:123456789012:function:${'a'.repeat(200)}`;
    expect(refusal(long)).toBeUndefined();
    expect(refusal(`${long}${'a'.repeat(20)}`)).toMatch(/at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 256$/);
    for (const ok of ['$LATEST', '$LATEST.PUBLISHED', '1', 'live', 'a$b']) expect(refusal('echo', ok), ok).toBeUndefined();
    expect(refusal('echo:$LATEST.PUBLISHED')).toBeUndefined();
  });
});
