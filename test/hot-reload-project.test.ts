import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { isIgnored, watchPlan } from '../src/reload/watch-plan.js';
import { spawnCli, stopChild } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/hub.js';
import { writeTree } from './helpers/project.js';

const template = (extra = '') => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs20.x, Timeout: 5 }
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.lambdaHandler
      Events:
        Hello: { Type: HttpApi, Properties: { Path: /hello, Method: get } }
${extra}`;
const helloHandler = (message: string) =>
  `export const lambdaHandler = async () => ({ statusCode: 200, body: JSON.stringify({ message: '${message}' }) });\n`;

/** `triggerhub up --watch` on a SAM template, as a user runs it; reloads are awaited in its log. */
describe('triggerhub up --watch with a SAM template', () => {
  const dir = tempDir('th-watch-sam-');
  let hub: ChildProcess;
  let log = '';
  let url = '';

  const reloads = () => log.split('\n').filter((line) => line.includes('"event":"reload"')).map((line) => JSON.parse(line));
  const nextReload = async (reason: string) => {
    const seen = reloads().length;
    return waitFor(() => reloads().slice(seen).find((event) => event.reason === reason), 20_000, `a ${reason} reload in the hub's log`);
  };
  const get = async (route: string) => {
    const res = await fetch(`${url}${route}`);
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    writeTree(dir, {
      'triggerhub.yaml': `redis: ${inject('redisUrl')}\nqueuePrefix: t-${randomUUID().slice(0, 8)}\nserver: { port: 0 }\ntemplate: template.yaml\n`,
      'template.yaml': template(),
      'hello/app.mjs': helloHandler('hello v1'),
    });
    hub = spawnCli(['up', '--watch', '--config', path.join(dir, 'triggerhub.yaml')]);
    hub.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    hub.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    // A cold CLI start (tsx compiling the hub) on a loaded machine.
    await waitFor(() => log.includes('"event":"watch_started"'), 55_000, 'the hub to start watching');
    // `up` writes hub.json once startHub has returned, which is after the watcher logged its start.
    const hubFile = path.join(dir, '.triggerhub', 'hub.json');
    await waitFor(() => existsSync(hubFile), 10_000, 'the hub to write hub.json');
    url = (JSON.parse(readFileSync(hubFile, 'utf8')) as { url: string }).url;
  }, 60_000);
  afterAll(() => stopChild(hub));

  it('serves an edited handler under CodeUri on the next request', async () => {
    expect(await get('/hello')).toEqual({ status: 200, text: '{"message":"hello v1"}' });
    const reloaded = nextReload('code');
    writeFileSync(path.join(dir, 'hello/app.mjs'), helloHandler('hello v2'));
    expect(await reloaded).toMatchObject({ functions: ['HelloFunction'], paths: [path.join(dir, 'hello/app.mjs')] });
    expect(await get('/hello')).toEqual({ status: 200, text: '{"message":"hello v2"}' });
  });

  it('adds and removes a function and its route when the template changes', async () => {
    writeTree(dir, { 'bye/app.mjs': "export const handler = async () => ({ statusCode: 200, body: 'bye' });\n" });
    let reloaded = nextReload('config');
    writeFileSync(path.join(dir, 'template.yaml'), template(`
  ByeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: bye/
      Handler: app.handler
      Events:
        Bye: { Type: HttpApi, Properties: { Path: /bye, Method: get } }
`));
    expect((await reloaded).changes).toMatchObject({ added: ['ByeFunction'], removed: [], updated: [] });
    expect(await get('/bye')).toEqual({ status: 200, text: 'bye' });
    reloaded = nextReload('config');
    writeFileSync(path.join(dir, 'template.yaml'), template());
    expect((await reloaded).changes).toMatchObject({ removed: ['ByeFunction'] });
    expect((await get('/bye')).status).toBe(404);
    expect(await get('/hello')).toEqual({ status: 200, text: '{"message":"hello v2"}' });
  });

  it('reports a layer the template adds under its LayerName after the reload', async () => {
    writeTree(dir, { 'layers/common/nodejs/node_modules/greeting/index.js': "module.exports = 'hi';\n" });
    const reloaded = nextReload('config');
    writeFileSync(path.join(dir, 'template.yaml'), template(`
  Common:
    Type: AWS::Serverless::LayerVersion
    Properties: { LayerName: shared-utils, ContentUri: layers/common }
`).replace('Handler: app.lambdaHandler', 'Handler: app.lambdaHandler\n      Layers: [!Ref Common]'));
    expect((await reloaded).changes).toMatchObject({ updated: ['HelloFunction'] });
    const fn = JSON.parse((await get('/2015-03-31/functions/HelloFunction')).text) as { Configuration: { Layers: Array<{ Arn: string }> } };
    expect(fn.Configuration.Layers.map((layer) => layer.Arn)).toEqual(['arn:aws:lambda:us-east-1:000000000000:layer:shared-utils:1']);
  });
});

describe('what hot reload of a project ignores', () => {
  it('a log file in the code tree (up --watch > hub.log) is not a change, so the hub does not reload on its own log', () => {
    const dir = tempDir('th-watch-log-');
    writeTree(dir, { 'template.yaml': 'Resources:\n  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }\n', 'app.mjs': 'export const handler = async () => 1;\n' });
    const plan = watchPlan(buildConfig({ template: 'template.yaml' }, { baseDir: dir, env: {} }));
    expect(plan.functions.get('Fn')).toEqual([dir]);
    expect(isIgnored(plan, path.join(dir, 'hub.log'))).toBe(true);
    expect(isIgnored(plan, path.join(dir, 'app.mjs'))).toBe(false);
  });
});
