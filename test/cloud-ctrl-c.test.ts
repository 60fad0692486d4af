import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, waitFor } from './helpers/hub.js';
import { isRunning } from './helpers/paths.js';
import { projectDir } from './helpers/template-project.js';
import { redisPid, UpProcess } from './helpers/up-process.js';

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

/** Sends a 2.5 s record to the running hub's queue and waits until its handler has started it. */
async function startRunning(dir: string, calls: string): Promise<void> {
  const sqs = await queue(dir);
  try {
    await sqs.send({ id: 'running', ms: 2500 });
  } finally {
    sqs.close();
  }
  await waitFor(() => lines(calls).includes('start running'), 30_000, 'the record to start');
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
      // Pollers stop at once (the SQS poller's stop then waits for the slow record); the emulator
      // answers until in-flight work has drained (a handler may send). Then Ctrl-C again, at once.
      await hub.logged('hub_stopping');
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

  it('SIGHUP (the terminal closed), even twice, stops like Ctrl-C: in-flight work finishes, nothing is left running, then it ends by SIGHUP', async () => {
    const { dir, calls } = project();
    const hub = up(dir);
    await hub.url();
    const redis = redisPid(dir);
    await startRunning(dir, calls);

    // The shell passes SIGHUP on to its foreground job, then the kernel sends it to the group as the shell exits.
    hub.signalGroup('SIGHUP');
    await hub.logged('hub_stopping');
    hub.signalGroup('SIGHUP');
    await hub.exited;
    expect(hub.child.signalCode).toBe('SIGHUP');
    await hub.logged('hub_stopped', 5000); // its last lines may still be in the pipe when it exits
    expect(lines(calls)).toEqual(['start running', 'end running']);
    const events = hub.events().map((e) => e.event);
    expect(events).not.toContain('hub_stop_forced');
    expect(events).toContain('redis_stopped');
    expect(hub.problems()).toEqual([]);
    expect(isRunning(redis.pid)).toBe(false);
    for (const pid of hub.environmentPids()) expect(isRunning(pid)).toBe(false);
  });

  it('a terminal that closes under it (util-linux script, killed: the pty hangs up) gets the same stop, with nothing written to the dead terminal', async () => {
    const { dir, calls } = project();
    // `script` runs the hub as the session leader of a new pseudo-terminal, as a terminal window does.
    const terminal = spawn('script', ['-q', '-f', '-e', '-c', `exec ${process.execPath} ${path.join(REPO_ROOT, 'bin/triggerhub.js')} up --template template.yaml`, '/dev/null'], {
      cwd: dir, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    terminal.stdout!.on('data', (chunk: Buffer) => { screen += chunk.toString(); });
    const left: number[] = [];
    try {
      await waitFor(() => screen.includes('listening on'), 60_000, 'the hub to listen').catch((err: Error) => { throw new Error(`${err.message}\n${screen}`); });
      const hubFile = path.join(dir, '.triggerhub/hub.json');
      const { pid } = JSON.parse(readFileSync(hubFile, 'utf8')) as { pid: number };
      const redis = redisPid(dir);
      left.push(pid, redis.pid);
      await startRunning(dir, calls);

      terminal.kill('SIGKILL');
      await waitFor(() => !isRunning(pid), 60_000, 'the hub to end');
      expect(lines(calls)).toEqual(['start running', 'end running']);
      // Its stop ran to the end: the state file is removed last, redis-server was shut down.
      expect(existsSync(hubFile)).toBe(false);
      expect(isRunning(redis.pid)).toBe(false);
    } finally {
      // The hub leads the terminal's session, redis-server its own: after a failure, neither stays.
      for (const pid of [-terminal.pid!, ...left]) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
  });
});
