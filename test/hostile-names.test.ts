import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { GetFunctionCommand, InvokeCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildConfig, loadConfigFile } from '../src/config/load.js';
import { isHubError } from '../src/errors.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { compileFilterCriteria } from '../src/filters/criteria.js';
import { runCli } from './helpers/cli.js';
import { encoder, FIXTURES, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

/** Names a plain-object lookup would find on Object.prototype. */
const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty'];
const arnOf = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

describe('names of Object.prototype members are not functions', { timeout: 60_000 }, () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ functions: { echo: { handler: 'echo.handler' } } });
  });
  afterAll(async () => hub?.stop());

  it.each(PROTOTYPE_NAMES)('Invoke (sync and async) and GetFunction answer 404 for %s, naming it', async (name) => {
    for (const type of ['RequestResponse', 'Event'] as const) {
      const invoked = hub.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: type, Payload: encoder.encode('{}') }));
      await expect(invoked).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(invoked).rejects.toMatchObject({ message: `Function not found: ${arnOf(name)}:$LATEST`, $metadata: { httpStatusCode: 404 } });
    }
    const got = hub.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    await expect(got).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: `Function not found: ${arnOf(name)}` });
    const configuration = await fetch(`${hub.url}/2015-03-31/functions/${encodeURIComponent(name)}/configuration`);
    expect(configuration.status).toBe(404);
    // Nothing was queued or created for the name.
    expect(await hub.redis.keys(`${hub.config.queuePrefix}:fn-${name}*`)).toEqual([]);
  });

  it.each(PROTOTYPE_NAMES)('a function URL /urls/%s answers 404 ResourceNotFoundException', async (name) => {
    for (const suffix of ['', '/some/path']) {
      const response = await fetch(`${hub.url}/urls/${encodeURIComponent(name)}${suffix}`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
      expect((await response.json()).Message).toBe(`Function not found: ${arnOf(name)}`);
    }
  });

  it('headers and query parameters named like prototype members reach the handler as themselves', async () => {
    // node:http, whose header object has no prototype (fetch drops a `__proto__` header).
    const { event } = await new Promise<{ event: { queryStringParameters: unknown; headers: Record<string, string> } }>((resolve, reject) => {
      const headers: Record<string, string> = { constructor: 'c' };
      Object.defineProperty(headers, '__proto__', { value: 'p', enumerable: true });
      http.get(`${hub.url}/urls/echo/x?constructor=1&__proto__=2&toString=3&toString=4`, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve(JSON.parse(body)));
      }).on('error', reject);
    });
    expect(event.queryStringParameters).toEqual({ constructor: '1', ['__proto__']: '2', toString: '3,4' });
    expect(event.headers.constructor).toBe('c');
    expect(Object.hasOwn(event.headers, '__proto__') && event.headers['__proto__']).toBe('p');
  });

  it('the DLQ admin API refuses a redrive to such a name and filters on it as on any name', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const redrive = await fetch(`${hub.url}/admin/dlq/redrive`, { method: 'POST', body: JSON.stringify({ all: true, to: name }) });
      expect(redrive.status).toBe(400);
      expect((await redrive.json()).message).toBe(`to: no function named ${JSON.stringify(name)} (configured: echo)`);
      const listed = await fetch(`${hub.url}/admin/dlq?function=${encodeURIComponent(name)}`);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual({ records: [] });
    }
  });
});

describe('the CLI with Object.prototype names', { timeout: 90_000 }, () => {
  const dir = tempDir('th-hostile-cli-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  let hub: Hub;

  beforeAll(async () => {
    writeFileSync(configPath, JSON.stringify({
      redis: inject('redisUrl'),
      queuePrefix: `hn-${randomUUID().slice(0, 8)}`,
      server: { port: 0, host: '127.0.0.1' },
      functions: { echo: { handler: path.join(FIXTURES, 'echo.handler') } },
    }));
    hub = await startHub(loadConfigFile(configPath), { logger: silentLogger() });
  });
  afterAll(async () => hub?.stop());

  it('invoke, logs and dlq redrive --to name the unknown function', async () => {
    for (const name of ['toString', 'constructor', '__proto__']) {
      const invoked = await runCli(['--config', configPath, 'invoke', name, '--endpoint', hub.url, '--payload', '{}']);
      expect(invoked.code).not.toBe(0);
      expect(invoked.stderr).toContain(`Function not found: ${arnOf(name)}`);
      const logs = await runCli(['--config', configPath, 'logs', name]);
      expect(logs.code).toBe(2);
      expect(logs.stderr).toContain(`no function named ${name}`);
      const redrive = await runCli(['--config', configPath, 'dlq', 'redrive', '--all', '--to', name]);
      expect(redrive.code).toBe(2);
      expect(redrive.stderr).toContain(`no function named ${JSON.stringify(name)}`);
    }
  }, 90_000); // nine CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)
});

describe('config names that are Object.prototype members', () => {
  const build = (functions: Record<string, unknown>) => buildConfig({ functions }, { baseDir: FIXTURES });

  it('a function may be called constructor or toString (valid Lambda names) and is found as itself', () => {
    const config = build({ constructor: { handler: 'echo.handler' }, toString: { handler: 'echo.handler', timeout: 7 } });
    expect(Object.keys(config.functions).sort()).toEqual(['constructor', 'toString']);
    expect(config.functions['toString'].timeout).toBe(7);
    expect(config.functions.constructor.name).toBe('constructor');
  });

  it('a function or layer named __proto__ in a config file is refused by name, not lost', () => {
    const dir = tempDir('proto-config-');
    const file = path.join(dir, 'triggerhub.yaml');
    writeFileSync(file, `functions:\n  __proto__: { handler: ${path.join(FIXTURES, 'echo.handler')} }\n  echo: { handler: ${path.join(FIXTURES, 'echo.handler')} }\n`);
    expect(() => loadConfigFile(file)).toThrow(`${file}:\nfunctions.__proto__: this name cannot be used; rename it`);
    writeFileSync(file, `layers:\n  __proto__: ${dir}\nfunctions:\n  echo: { handler: ${path.join(FIXTURES, 'echo.handler')} }\n`);
    expect(() => loadConfigFile(file)).toThrow('layers.__proto__: this name cannot be used; rename it');
  });

  it('an environment variable, alias or stage variable named __proto__ is refused by name, not dropped', () => {
    const dir = tempDir('proto-env-');
    const file = path.join(dir, 'triggerhub.yaml');
    const handler = path.join(FIXTURES, 'echo.handler');
    writeFileSync(file, `functions:\n  echo:\n    handler: ${handler}\n    environment: { __proto__: x, OK: y }\n`);
    expect(() => loadConfigFile(file)).toThrow(`${file}:\nfunctions.echo.environment.__proto__: this name cannot be used; rename it`);
    writeFileSync(file, `functions:\n  echo:\n    handler: ${handler}\n    aliases: { live: { environment: { __proto__: x } } }\n`);
    expect(() => loadConfigFile(file)).toThrow('functions.echo.aliases.live.environment.__proto__: this name cannot be used; rename it');
    writeFileSync(file, `functions:\n  echo:\n    handler: ${handler}\n    aliases: { __proto__: {} }\n`);
    expect(() => loadConfigFile(file)).toThrow('functions.echo.aliases.__proto__: this name cannot be used; rename it');
    writeFileSync(file, `functions:\n  echo:\n    handler: ${handler}\n    events:\n      - api: { path: /x, stageVariables: { __proto__: v } }\n`);
    expect(() => loadConfigFile(file)).toThrow(/stageVariables\.__proto__: this name cannot be used; rename it/);
  });

  it('an event source kind named toString is an unknown kind, not a crash', () => {
    let caught: unknown;
    try {
      build({ echo: { handler: 'echo.handler', events: [{ toString: {} }] } });
    } catch (err) {
      caught = err;
    }
    expect(isHubError(caught, 'TH_ERR_CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('unknown event source kind "toString"');
  });

  it('a destination naming toString is not a configured function', () => {
    expect(() => build({ echo: { handler: 'echo.handler', destinations: { onFailure: 'toString' } } }))
      .toThrow(/"toString" is not a configured function/);
  });

  it.each(['toString', 'constructor', 'valueOf'])('a filter operator named %s is an unknown operator', (name) => {
    expect(() => compileFilterCriteria({ filters: [{ pattern: JSON.stringify({ detail: [{ [name]: 1 }] }) }] })).toThrow(`unknown operator "${name}"`);
  });
});
