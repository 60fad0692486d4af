import path from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import type { Hub } from '../src/hub.js';
import { REGION, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { FIXTURES, readLines, tempDir, waitFor } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';
import { projectDir } from './helpers/template-project.js';

/** A queue `Jobs` consumed (batch 1) by `Worker`, which records its events in `calls`; `more` goes after the queue. */
const workerTemplate = (calls: string, more = '') => `Resources:
  Jobs:
    Type: AWS::SQS::Queue
${more}  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Code: ${FIXTURES}
      Handler: record.handler
      Runtime: nodejs20.x
      Environment: { Variables: { CALLS_FILE: ${calls} } }
  JobsMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { FunctionName: !Ref Worker, EventSourceArn: !GetAtt Jobs.Arn, BatchSize: 1 }
`;

/** `endpoints:` names where a service lives (LocalStack, AWS ...): the hub creates what is missing there, starts no emulator. */
describe('a project on a configured endpoint', () => {
  let peer: Fauxqs;
  let hub: Hub;
  const calls = path.join(tempDir('th-endpoint-'), 'calls.jsonl');

  beforeAll(async () => {
    peer = await startFauxqs();
    const dir = projectDir({ 'template.yaml': workerTemplate(calls, '    Properties: { VisibilityTimeout: 7 }\n') });
    hub = await startProjectHub({ template: path.join(dir, 'template.yaml'), endpoints: { sqs: peer.endpoint } });
  });
  afterAll(async () => {
    await hub?.stop();
    await peer?.stop();
  });

  it('creates the declared queue there, binds the mapping and the handlers to it, and consumes it', async () => {
    const { QueueUrl } = await peer.client.send(new GetQueueUrlCommand({ QueueName: `${path.basename(path.dirname(hub.config.project!.file))}-Jobs` }));
    const { Attributes } = await peer.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    expect(Attributes!.VisibilityTimeout).toBe('7');
    const worker = hub.config.functions.Worker;
    expect(worker.environment).toMatchObject({ AWS_ENDPOINT_URL_SQS: peer.endpoint });
    // Not an embedded emulator: no test credentials are put in the handler's environment.
    expect(worker.environment.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(worker.events[0]).toEqual({ sqs: expect.objectContaining({ endpoint: peer.endpoint, batchSize: 1 }) });
    await peer.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'job-1' }));
    const event = await waitFor(() => readLines(calls)[0], 20_000, 'the SQS event');
    expect(JSON.parse(event).Records[0]).toMatchObject({ body: 'job-1', eventSource: 'aws:sqs' });
  });
});

/** `endpoints.default`: one URL for every service (LocalStack's gateway), and AWS_ENDPOINT_URL for the handlers. */
describe('a project on one default endpoint', () => {
  let peer: Fauxqs;
  let hub: Hub;
  const calls = path.join(tempDir('th-endpoint-default-'), 'calls.jsonl');

  beforeAll(async () => {
    peer = await startFauxqs();
    const dir = projectDir({
      'template.yaml': workerTemplate(calls, `  Alerts:
    Type: AWS::SNS::Topic
  AlertsToJobs:
    Type: AWS::SNS::Subscription
    Properties: { TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Jobs.Arn }
`),
    });
    hub = await startProjectHub({ template: path.join(dir, 'template.yaml'), endpoints: { default: peer.endpoint } });
  });
  afterAll(async () => {
    await hub?.stop();
    await peer?.stop();
  });

  it('creates the queue, topic and subscription there, and a message published to the topic reaches the consumer', async () => {
    expect(hub.config.functions.Worker.environment).toMatchObject({
      AWS_ENDPOINT_URL: peer.endpoint, AWS_ENDPOINT_URL_SQS: peer.endpoint, AWS_ENDPOINT_URL_SNS: peer.endpoint,
    });
    const sns = new SNSClient({ endpoint: peer.endpoint, region: REGION });
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    const topic = Topics!.map((t) => t.TopicArn!).find((arn) => arn.endsWith('-Alerts'));
    expect(topic).toBeDefined();
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'disk full' }));
    const event = await waitFor(() => readLines(calls)[0], 20_000, 'the SQS event');
    expect(JSON.parse(JSON.parse(event).Records[0].body)).toMatchObject({ Type: 'Notification', Message: 'disk full', TopicArn: topic });
    sns.destroy();
  });

  it('fills every service from default unless the service has its own, and names a bad default', () => {
    const config = buildConfig({ endpoints: { default: 'http://127.0.0.1:4566', s3: 'http://127.0.0.1:9000' } }, { baseDir: FIXTURES });
    expect(config.endpoints).toEqual({
      default: 'http://127.0.0.1:4566', sqs: 'http://127.0.0.1:4566', sns: 'http://127.0.0.1:4566',
      kinesis: 'http://127.0.0.1:4566', dynamodb: 'http://127.0.0.1:4566', s3: 'http://127.0.0.1:9000',
    });
    expect(() => buildConfig({ endpoints: { default: 'ftp://x' } }, { baseDir: FIXTURES })).toThrow(/endpoints\.default: must be an http/);
  });
});
