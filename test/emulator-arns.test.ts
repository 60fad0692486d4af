import { describe, expect, it } from 'vitest';
import { withEmulatorArns } from '../src/cloud/emulator-arns.js';
import type { HubConfig } from '../src/config/load.js';
import type { CloudService } from '../src/project/model.js';

const embedded = new Map<CloudService, { url: string; embedded: boolean }>([['sqs', { url: 'http://127.0.0.1:1', embedded: true }], ['sns', { url: 'http://127.0.0.1:1', embedded: true }]]);
const hubTopic = 'arn:aws-cn:sns:cn-north-1:123456789012:alerts';
const fauxqsTopic = 'arn:aws:sns:cn-north-1:000000000000:alerts';

function config(region: string, accountId: string): HubConfig {
  return {
    region, accountId,
    project: { resources: [{ kind: 'sns', name: 'alerts', arn: hubTopic }], subscriptions: [{ protocol: 'sqs', topicArn: hubTopic, endpoint: 'arn:aws-cn:sqs:cn-north-1:123456789012:jobs' }] },
    functions: {
      local: {
        environment: { TOPIC: hubTopic, OTHER: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:local' },
        events: [{ sns: { topic: hubTopic } }, { sqs: { queue: 'arn:aws-cn:sqs:cn-north-1:123456789012:jobs' } }, { sqs: { queue: 'arn:aws-cn:sqs:cn-north-1:123456789012:real', endpoint: 'https://sqs.cn-north-1.amazonaws.com.cn' } }],
        destinations: { onFailure: hubTopic, onSuccess: { destination: hubTopic, endpoint: 'https://sns.cn-north-1.amazonaws.com.cn' } },
      },
    },
  } as unknown as HubConfig;
}

describe('withEmulatorArns', () => {
  it("names the project's queues and topics as the embedded fauxqs does, leaving function ARNs and whatever has an endpoint of its own", () => {
    const bound = withEmulatorArns(config('cn-north-1', '123456789012'), embedded);
    expect(bound.project!.resources[0].arn).toBe(fauxqsTopic);
    expect(bound.project!.subscriptions[0]).toMatchObject({ topicArn: fauxqsTopic, endpoint: 'arn:aws:sqs:cn-north-1:000000000000:jobs' });
    const fn = bound.functions.local;
    expect(fn.environment).toEqual({ TOPIC: fauxqsTopic, OTHER: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:local' });
    expect(fn.events).toEqual([
      { sns: { topic: fauxqsTopic } },
      { sqs: { queue: 'arn:aws:sqs:cn-north-1:000000000000:jobs' } },
      { sqs: { queue: 'arn:aws-cn:sqs:cn-north-1:123456789012:real', endpoint: 'https://sqs.cn-north-1.amazonaws.com.cn' } },
    ]);
    expect(fn.destinations).toEqual({ onFailure: fauxqsTopic, onSuccess: { destination: hubTopic, endpoint: 'https://sns.cn-north-1.amazonaws.com.cn' } });
  });

  it("leaves the config as it is when the hub's identity is fauxqs's, or SQS and SNS are not embedded", () => {
    const same = config('us-east-1', '000000000000');
    expect(withEmulatorArns(same, embedded)).toBe(same);
    const elsewhere = config('cn-north-1', '123456789012');
    expect(withEmulatorArns(elsewhere, new Map([['sqs', { url: 'http://localhost:4566', embedded: false }]]))).toBe(elsewhere);
  });
});
