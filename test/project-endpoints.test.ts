import path from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { FIXTURES, readLines, tempDir, waitFor } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';
import { projectDir } from './helpers/template-project.js';

/** `endpoints:` names where a service lives (LocalStack, AWS ...): the hub creates what is missing there, starts no emulator. */
describe('a project on a configured endpoint', () => {
  let peer: Fauxqs;
  let hub: Hub;
  const calls = path.join(tempDir('th-endpoint-'), 'calls.jsonl');

  beforeAll(async () => {
    peer = await startFauxqs();
    const dir = projectDir({
      'template.yaml': `Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties: { VisibilityTimeout: 7 }
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Code: ${FIXTURES}
      Handler: record.handler
      Runtime: nodejs20.x
      Environment: { Variables: { CALLS_FILE: ${calls} } }
  JobsMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { FunctionName: !Ref Worker, EventSourceArn: !GetAtt Jobs.Arn, BatchSize: 1 }
`,
    });
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
