import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import type { HubConfig } from '../src/config/load.js';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { projectDir } from './helpers/template-project.js';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs20.x, CodeUri: src/, Handler: fail.handler }
Resources:
  DeadLetters: { Type: AWS::SQS::Queue }
  FailureRecords: { Type: AWS::SQS::Queue }
  TopicDrain: { Type: AWS::SQS::Queue }
  DeadLetterTopic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{ Protocol: sqs, Endpoint: !GetAtt TopicDrain.Arn }]
  ToQueue:
    Type: AWS::Serverless::Function
    Properties:
      DeadLetterQueue: { Type: SQS, TargetArn: !GetAtt DeadLetters.Arn }
      EventInvokeConfig:
        DestinationConfig:
          OnFailure: { Type: SQS, Destination: !GetAtt FailureRecords.Arn }
  ToTopic:
    Type: AWS::Serverless::Function
    Properties:
      DeadLetterQueue: { Type: SNS, TargetArn: !Ref DeadLetterTopic }
`;

const FAIL_HANDLER = `export const handler = async (event) => {
  throw new Error('order ' + event.order + ' failed: ' + 'x'.repeat(event.pad ?? 0));
};
`;

/** A test speed-up the template cannot say: retries 50 ms apart instead of a minute. */
const fastRetries = (config: HubConfig): HubConfig => ({
  ...config,
  functions: Object.fromEntries(Object.entries(config.functions).map(([name, fn]) => [name, { ...fn, retryBackoffSeconds: 0.05 }])),
});

describe("a SAM function's DeadLetterQueue gets what Lambda sends: the event itself with RequestID, ErrorCode, ErrorMessage", () => {
  let hub: TestHub;
  let sqs: SQSClient;
  const queueUrl = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: `dlqapp-${name}` }))).QueueUrl!;
  const receive = async (name: string): Promise<Message> => {
    const url = await queueUrl(name);
    return waitFor(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return Messages?.[0];
    }, 30_000, `a message on ${name}`);
  };
  const invokeAsync = async (fn: string, payload: unknown): Promise<string> => {
    const response = await fetch(`${hub.url}/2015-03-31/functions/${fn}/invocations`, {
      method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
    return response.headers.get('x-amzn-requestid')!;
  };

  beforeAll(async () => {
    const dir = projectDir({ 'template.yaml': TEMPLATE, 'src/fail.mjs': FAIL_HANDLER });
    hub = await startTestHub({ template: 'template.yaml', stackName: 'dlqapp', dataDir: tempDir('th-dlq-cloud-') }, fastRetries, dir);
    sqs = new SQSClient({
      endpoint: hub.config.functions.ToQueue.environment.AWS_ENDPOINT_URL_SQS, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  }, 60_000);
  afterAll(async () => {
    sqs?.destroy();
    await hub?.stop();
  });

  it('SQS: after the retries the queue holds the raw event with the three attributes; the on-failure destination still gets the invocation record', async () => {
    const event = { order: 42, items: ['a', 'b'], note: 'ünïcode' };
    const requestId = await invokeAsync('ToQueue', event);
    const message = await receive('DeadLetters');
    expect(JSON.parse(message.Body!)).toEqual(event);
    expect(message.MessageAttributes).toEqual({
      RequestID: { DataType: 'String', StringValue: requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'order 42 failed: ' },
    });
    const record = JSON.parse((await receive('FailureRecords')).Body!);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { requestId, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'order 42 failed: ' },
    });
  });

  it('SNS: the topic publishes the raw event as Message with the attributes (seen through a subscribed queue); ErrorMessage is cut to 1 KB', async () => {
    const event = { order: 7, pad: 2000 };
    const requestId = await invokeAsync('ToTopic', event);
    const notification = JSON.parse((await receive('TopicDrain')).Body!);
    expect(notification.Type).toBe('Notification');
    expect(JSON.parse(notification.Message)).toEqual(event);
    expect(notification.MessageAttributes.RequestID).toEqual({ Type: 'String', Value: requestId });
    expect(notification.MessageAttributes.ErrorCode).toEqual({ Type: 'Number', Value: '200' });
    const errorMessage: string = notification.MessageAttributes.ErrorMessage.Value;
    expect(Buffer.byteLength(errorMessage)).toBe(1024);
    expect(errorMessage.startsWith('order 7 failed: xxx')).toBe(true);
  });

  it('GetFunction reports the DeadLetterConfig', async () => {
    const response = await fetch(`${hub.url}/2015-03-31/functions/ToTopic`);
    expect((await response.json()).Configuration.DeadLetterConfig).toEqual({ TargetArn: 'arn:aws:sns:us-east-1:000000000000:dlqapp-DeadLetterTopic' });
  });
});

describe('deadLetterQueue in triggerhub.yaml', () => {
  it('takes an SQS or SNS ARN and refuses other targets, naming the setting', () => {
    const config = (deadLetterQueue: unknown) => buildConfig({ functions: { f: { handler: 'x.handler', deadLetterQueue } } }, { baseDir: process.cwd() });
    expect(() => config('https://example.com/dlq')).toThrow(/functions\.f\.deadLetterQueue: a dead-letter queue is an SQS queue or SNS topic ARN/);
    expect(() => config('arn:aws:sqs:us-east-1:000000000000:q')).not.toThrow(/deadLetterQueue/);
  });
});
