import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runCli, spawnCli, stopChild } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/hub.js';
import { PROJECTS } from './helpers/project-hub.js';

const QUEUE_TEMPLATE = path.join(PROJECTS, 'sam-queue/template.yaml');

describe('CLI with a project', () => {
  const children: Array<ReturnType<typeof spawnCli>> = [];
  afterAll(() => Promise.all(children.map(stopChild)));

  it('functions and resources read a template without any config file', async () => {
    // No such config file: the template alone, with the hub's defaults.
    const missing = ['--config', path.join(tempDir('th-nocfg-'), 'triggerhub.yaml')];
    const functions = await runCli([...missing, 'functions', '--template', QUEUE_TEMPLATE, '--json']);
    expect(functions.code, functions.stderr).toBe(0);
    expect(JSON.parse(functions.stdout)).toEqual([expect.objectContaining({ name: 'OrderProcessorFunction', handler: 'processor.handler', timeout: 10, memorySize: 256, events: ['sqs'] })]);
    const resources = await runCli([...missing, 'resources', '--template', QUEUE_TEMPLATE, '--parameter-overrides', 'MaxReceiveCount=5']);
    expect(resources.code, resources.stderr).toBe(0);
    expect(resources.stdout).toMatch(/^KIND\s+NAME\s+LOGICAL ID\s+ARN\s+ENDPOINT/);
    expect(resources.stdout).toMatch(/sqs\s+sam-queue-OrdersQueue\s+OrdersQueue\s+arn:aws:sqs:us-east-1:000000000000:sam-queue-OrdersQueue\s+\(local cloud not running\)/);
  });

  it('a function declared in both the config and its template exits 2 naming both files', async () => {
    const config = path.join(tempDir('th-dup-'), 'triggerhub.yaml');
    writeFileSync(config, [`template: ${QUEUE_TEMPLATE}`, 'functions:', '  OrderProcessorFunction: { handler: app.handler }'].join('\n'));
    const result = await runCli(['--config', config, 'functions']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`functions.OrderProcessorFunction: declared in ${config} and also by ${QUEUE_TEMPLATE}; rename one`);
  });

  it('a bad parameter override exits 2 naming the parameter', async () => {
    const result = await runCli(['--config', path.join(tempDir('th-nocfg-'), 'none.yaml'), 'functions', '--template', QUEUE_TEMPLATE, '--parameter-overrides', 'Nope=1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('parameters.Nope: the template declares no parameter Nope');
  });

  it('--parameter-overrides reads SAM CLI\'s one-string form and overrides the config\'s parameters: key by key', async () => {
    const dir = tempDir('th-params-');
    writeFileSync(path.join(dir, 'template.yaml'), `Parameters:
  A: { Type: String }
  B: { Type: String, Default: b }
  C: { Type: String, Default: c }
Resources:
  Queue: { Type: AWS::SQS::Queue, Properties: { QueueName: !Sub '\${A}-\${B}-\${C}' } }
`);
    writeFileSync(path.join(dir, 'triggerhub.yaml'), 'template: template.yaml\nparameters: { A: from-config, B: from-config }\n');
    const resources = await runCli(['--config', path.join(dir, 'triggerhub.yaml'), 'resources', '--json', '--parameter-overrides', "B=cli-one C='cli-two'"]);
    expect(resources.code, resources.stderr).toBe(0);
    expect((JSON.parse(resources.stdout) as Array<{ name: string }>).map((r) => r.name)).toEqual(['from-config-cli-one-cli-two']);
  });

  it('--parameter-overrides before the command ends at the command name, and with no pair before it exits 2 naming the command', async () => {
    const missing = ['--config', path.join(tempDir('th-nocfg-'), 'none.yaml'), '--template', QUEUE_TEMPLATE];
    const resources = await runCli([...missing, '--parameter-overrides', 'MaxReceiveCount=5', 'Nope=2', 'resources']);
    expect(resources.code).toBe(2);
    expect(resources.stderr).toContain('parameters.Nope: the template declares no parameter Nope');
    const functions = await runCli([...missing, '--parameter-overrides', 'MaxReceiveCount=5', 'functions', '--json']);
    expect(functions.code, functions.stderr).toBe(0);
    expect(JSON.parse(functions.stdout)).toEqual([expect.objectContaining({ name: 'OrderProcessorFunction' })]);
    const none = await runCli([...missing, '--parameter-overrides', 'functions']);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining("--parameter-overrides: no KEY=VALUE before the command 'functions'")]);
    const notPair = await runCli([...missing, '--parameter-overrides', 'A=1', 'oops', 'functions']);
    expect([notPair.code, notPair.stderr]).toEqual([2, expect.stringContaining('--parameter-overrides: "oops" is not KEY=VALUE')]);
  }, 90_000); // four CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)

  it('up exits with the error, not hangs, when the local cloud refuses a subscription at start (an SNS event on a topic the template does not declare)', async () => {
    const dir = tempDir('th-upfail-');
    writeFileSync(path.join(dir, 'app.mjs'), 'export const handler = async () => 1;\n');
    writeFileSync(path.join(dir, 'template.yaml'), `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events: { Ext: { Type: SNS, Properties: { Topic: !Sub 'arn:aws:sns:\${AWS::Region}:\${AWS::AccountId}:not-declared' } } }
`);
    writeFileSync(path.join(dir, 'triggerhub.yaml'), `redis: ${inject('redisUrl')}\nqueuePrefix: t-fail-${path.basename(dir)}\nserver: { port: 0 }\ntemplate: template.yaml\n`);
    const child = spawnCli(['--config', path.join(dir, 'triggerhub.yaml'), 'up']);
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await waitFor(() => child.exitCode !== null, 30_000, 'up to exit after its failed start');
    expect(child.exitCode).toBe(1);
    expect(stderr).toContain('not-declared: Topic does not exist');
  });

  it('up --template with a config holding only hub settings: the local cloud runs, resources shows its endpoints', async () => {
    const dir = tempDir('th-upcfg-');
    const configPath = path.join(dir, 'triggerhub.yaml');
    writeFileSync(configPath, `redis: ${inject('redisUrl')}\nqueuePrefix: t-cli-${path.basename(dir)}\nserver: { port: 0 }\n`);
    const child = spawnCli(['--config', configPath, 'up', '--template', QUEUE_TEMPLATE]);
    children.push(child);
    let log = '';
    child.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    await waitFor(() => log.includes('"event":"hub_started"'), 30_000, 'the hub to start');
    expect(log).toMatch(/"event":"cloud_endpoint","service":"sqs","url":"http:\/\/127\.0\.0\.1:\d+","embedded":true/);
    const result = await runCli(['--config', configPath, 'resources', '--template', QUEUE_TEMPLATE, '--json']);
    const rows = JSON.parse(result.stdout) as Array<{ name: string; endpoint: string; url: string }>;
    expect(rows.map((r) => r.name)).toEqual(['sam-queue-OrdersQueue', 'sam-queue-OrdersDeadLetterQueue', 'sam-queue-ProcessedQueue']);
    expect(rows[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/sam-queue-OrdersQueue$/);
    expect(JSON.parse(readFileSync(path.join(dir, '.triggerhub/cloud.json'), 'utf8')).endpoints.sqs.url).toBe(rows[0].endpoint);
    await stopChild(child);
  });
});
