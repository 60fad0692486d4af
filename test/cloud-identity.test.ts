import path from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SnsSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The embedded fauxqs names every topic and queue in account 000000000000 of the aws partition; a
 * hub of another account or partition still runs the template's topics (they failed to subscribe:
 * "Topic does not exist").
 */
describe.each([
  { accountId: '123456789012', region: 'us-east-1' },
  { accountId: '000000000000', region: 'cn-north-1' },
])('the local cloud for a hub of account $accountId in $region', (identity) => {
  let hub: Hub;
  let sns: SNSClient;
  let sqs: SQSClient;
  beforeAll(async () => {
    hub = await startProjectHub({ template: path.join(PROJECTS, 'sam-sns/template.yaml'), ...identity });
    const endpoint = hub.config.functions.OnAlert.environment.AWS_ENDPOINT_URL_SNS;
    sns = new SNSClient({ endpoint, region: identity.region, credentials });
    sqs = new SQSClient({ endpoint, region: identity.region, credentials });
  });
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await hub?.stop();
  });

  it("subscribes the template's function to its topic, named as the emulator names it, and delivers what is published there", async () => {
    const { topic } = hub.config.functions.OnAlert.events[0].sns as { topic: string };
    expect(topic).toBe(`arn:aws:sns:${identity.region}:000000000000:sam-sns-Alerts`);
    await sns.send(new PublishCommand({ TopicArn: topic, Subject: 'db', Message: 'database down', MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' } } }));
    const seen = hub.config.functions.OnAlert.environment.SEEN_URL;
    const message = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: seen, WaitTimeSeconds: 1 }))).Messages?.[0], 20_000, 'the forwarded event');
    const event = SnsSchema.parse(JSON.parse(message.Body!));
    expect(event.Records[0]).toMatchObject({ EventSource: 'aws:sns', Sns: { TopicArn: topic, Message: 'database down' } });
    // The subscription that delivered it is the topic's.
    expect(JSON.parse(message.Body!).Records[0].EventSubscriptionArn.startsWith(topic)).toBe(true);
  }, 30_000);
});
