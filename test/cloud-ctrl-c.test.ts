import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/hub.js';
import { projectDir } from './helpers/template-project.js';
import { UpProcess } from './helpers/up-process.js';

/**
 * `triggerhub up --template template.yaml` on the local cloud (embedded fauxqs, redis-server) in a
 * process group of its own, stopped by signals to the whole group as a terminal sends them.
 */
/** An SQS queue feeding a function that writes its calls to `calls`. */
const template = (calls: string) => `Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties: { QueueName: cc-work, VisibilityTimeout: 60 }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      CodeUri: src/
      Handler: app.handler
      Timeout: 60
      Environment: { Variables: { CALLS_FILE: ${calls} } }
      Events:
        Work: { Type: SQS, Properties: { Queue: !GetAtt Work.Arn, BatchSize: 1 } }
`;

// Appends `start <id>` to CALLS_FILE, sleeps the record's ms, appends `end <id>`.
const HANDLER = `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  for (const record of event.Records) {
    const { id, ms } = JSON.parse(record.body);
    appendFileSync(process.env.CALLS_FILE, \`start \${id}\\n\`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    appendFileSync(process.env.CALLS_FILE, \`end \${id}\\n\`);
  }
};
`;

function project(): { dir: string; calls: string } {
  const dir = projectDir({ 'src/app.mjs': HANDLER, 'src/package.json': '{"type":"module"}' });
  const calls = path.join(dir, 'calls.log');
  writeFileSync(calls, '');
  writeFileSync(path.join(dir, 'template.yaml'), template(calls));
  // The config `up` finds in its working directory: hub settings beside the --template option.
  writeFileSync(path.join(dir, 'triggerhub.yaml'), JSON.stringify({ server: { port: 0 }, shutdownTimeoutSeconds: 120, lockDurationSeconds: 2 }));
  return { dir, calls };
}

const up = (dir: string) => new UpProcess(dir, ['up', '--template', 'template.yaml']);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** A client of the embedded SQS the running hub wrote into `<dataDir>/cloud.json`. */
async function queue(dir: string): Promise<{ send: (body: unknown) => Promise<unknown>; close: () => void }> {
  const state = JSON.parse(readFileSync(path.join(dir, '.triggerhub/cloud.json'), 'utf8')) as { endpoints: { sqs: { url: string } } };
  const sqs = new SQSClient({ endpoint: state.endpoints.sqs.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'cc-work' }));
  return { send: (body) => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(body) })), close: () => sqs.destroy() };
}

describe('signals to triggerhub up with a local cloud (the whole process group, as a terminal sends them)', { timeout: 180_000 }, () => {
  afterEach((context) => {
    if (context.task.result?.state === 'fail') for (const hub of UpProcess.started) hub.kill();
    UpProcess.started.clear();
  });

  it('a second Ctrl-C keeps the messages the embedded SQS took during the drain; they run after a restart', async () => {
    const { dir, calls } = project();
    const hub = up(dir);
    await hub.url();
    const sqs = await queue(dir);
    try {
      await sqs.send({ id: 'slow', ms: 5000 });
      await waitFor(() => lines(calls).includes('start slow'), 30_000, 'the slow record to start');
      hub.ctrlC();
      await hub.logged('sqs_source_stopped');
      // The emulator still answers while in-flight work drains (a handler may send); then Ctrl-C again at once.
      await sqs.send({ id: 'late', ms: 0 });
      hub.ctrlC();
    } finally {
      sqs.close();
    }
    expect(await hub.exited).toBe(130);
    expect(hub.events().map((e) => e.event)).toContain('hub_stop_forced');

    const again = up(dir);
    await again.url();
    await waitFor(() => lines(calls).includes('end late') && lines(calls).includes('end slow'), 60_000, 'the late message and the interrupted one to run');
    again.ctrlC();
    expect(await again.exited).toBe(0);
  });
});
