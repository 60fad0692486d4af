import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, loadConfigFile } from '../src/config/load.js';
import type { ChildMessage } from '../src/runtime/protocol.js';
import { RuntimeApiServer } from '../src/runtime/runtime-api/server.js';
import { decoder, encoder, REPO_ROOT, startTestHub, waitFor, type TestHub } from './helpers/hub.js';

const PROVIDED = fileURLToPath(new URL('./fixtures/provided/', import.meta.url));
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:f';

describe('custom runtimes (provided) through the hub', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        echo: { handler: path.join(PROVIDED, 'echo/function.handler'), runtime: 'provided.al2023' },
        echoAsync: { handler: path.join(PROVIDED, 'echo/function.handler'), runtime: 'provided.al2023', maximumRetryAttempts: 0 },
        sleepy: { handler: path.join(PROVIDED, 'sleepy/function.handler'), runtime: 'provided', timeout: 1 },
        example: { handler: path.join(REPO_ROOT, 'examples/custom-runtime/function.handler'), runtime: 'provided.al2023' },
        pyExample: { handler: path.join(REPO_ROOT, 'examples/python-hello/lambda_function.lambda_handler'), runtime: 'python3.12' },
        initFails: { handler: path.join(PROVIDED, 'init-fails/function.handler'), runtime: 'provided.al2' },
        // SAM's Go and Rust starters: Handler: bootstrap, the executable at the code root.
        bare: { handler: 'bootstrap', codeUri: path.join(PROVIDED, 'echo'), runtime: 'provided.al2023' },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invoke = async (fn: string, payload: unknown) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: encoder.encode(JSON.stringify(payload)), LogType: 'Tail' }));
    return { ...out, body: JSON.parse(decoder.decode(out.Payload)), logs: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8') };
  };

  it('runs a shell bootstrap with curl against the Runtime API, warm, with _HANDLER set', async () => {
    const out = await invoke('echo', { hello: 'world' });
    expect(out.FunctionError).toBeUndefined();
    expect(out.body).toEqual({ handler: path.join(PROVIDED, 'echo/function.handler'), event: { hello: 'world' } });
    expect(out.logs).toMatch(/^handling [0-9a-f-]{36}$/m);
    expect(out.logs).toContain('Init Duration');
    const again = await invoke('echo', { n: 2 });
    expect(again.body.event).toEqual({ n: 2 });
    expect(again.logs).not.toContain('Init Duration');
    const failed = await invoke('echo', { fail: true });
    expect(failed.FunctionError).toBe('Unhandled');
    expect(failed.body).toEqual({ errorMessage: 'asked to fail', errorType: 'EchoError', stackTrace: [] });
  });

  it('runs a custom runtime whose handler is the bare word bootstrap (no module.export), with that _HANDLER', async () => {
    const out = await invoke('bare', { n: 1 });
    expect(out.FunctionError).toBeUndefined();
    expect(out.body).toEqual({ handler: 'bootstrap', event: { n: 1 } });
  });

  it("passes the runtime's error document through unchanged, the type header naming a missing errorType", async () => {
    const failed = await invoke('echo', { ric: true });
    expect(failed.FunctionError).toBe('Unhandled');
    expect(failed.body).toEqual({
      errorType: 'Function.TypeError', errorMessage: 'boom', trace: ['TypeError: boom', '    at handler (/var/task/index.js:2:9)'], code: 'E_BOOM', extra: { n: 1 },
    });
  });

  it('keeps a hand-written error document\'s stack string and object message as lines and text in the DLQ record (the caller gets the document as posted)', async () => {
    const failed = await invoke('echo', { loose: true });
    expect(failed.body).toEqual({ errorMessage: { code: 7, why: '<b>bad</b>' }, errorType: 'LooseError', stackTrace: 'at one\nat two' });
    await hub.lambda.send(new InvokeCommand({ FunctionName: 'echoAsync', InvocationType: 'Event', Payload: encoder.encode('{"loose":true}') }));
    const [record] = await waitFor(async () => {
      const records = await hub.dlq.list({ function: 'echoAsync' });
      return records.length ? records : undefined;
    }, 15_000, 'the dead-lettered event');
    expect(record.attempts[0]).toMatchObject({ errorType: 'LooseError', errorMessage: '{"code":7,"why":"<b>bad</b>"}', stackTrace: ['at one', 'at two'] });
  });

  it('runs the examples', async () => {
    expect((await invoke('example', { a: 1 })).body).toMatchObject({ echo: { a: 1 } });
    expect((await invoke('example', null)).body).toMatchObject({ errorType: 'EmptyEvent' });
    const hello = await invoke('pyExample', { name: 'Ada' });
    expect(hello.body).toMatchObject({ message: 'Hello, Ada!', invocations: 1 });
    expect(hello.logs).toContain('greeting Ada (invocation 1)');
  });

  it('kills a bootstrap that runs past the timeout', async () => {
    const out = await invoke('sleepy', {});
    expect(out.body).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
    expect(out.logs).toContain('sleeping');
  });

  it('fails the invocation with what the runtime posted to /init/error', async () => {
    const out = await invoke('initFails', {});
    expect(out.FunctionError).toBe('Unhandled');
    expect(out.body).toEqual({ errorMessage: 'config missing', errorType: 'Runtime.NoConfig', stackTrace: [] });
  });
});

describe('the examples', () => {
  it('load their configs', () => {
    expect(loadConfigFile(path.join(REPO_ROOT, 'examples/custom-runtime/triggerhub.yaml'), {}).functions['shell-echo'].handlerFile)
      .toBe(path.join(REPO_ROOT, 'examples/custom-runtime/bootstrap'));
    expect(loadConfigFile(path.join(REPO_ROOT, 'examples/python-hello/triggerhub.yaml'), {}).functions['python-hello'].handlerFile)
      .toBe(path.join(REPO_ROOT, 'examples/python-hello/lambda_function.py'));
  });
});

describe('Runtime API server', () => {
  async function started() {
    const messages: ChildMessage[] = [];
    const server = new RuntimeApiServer((message) => messages.push(message), () => 2048);
    const base = `http://${await server.listen()}/2018-06-01/runtime`;
    return { server, messages, base };
  }

  it('hands out invocations with Lambda\'s headers and rejects unknown request ids', async () => {
    const { server, messages, base } = await started();
    try {
      const poll = fetch(`${base}/invocation/next`);
      await expect.poll(() => messages).toEqual([{ type: 'ready' }]);
      server.next({ requestId: 'req-1', payload: '{"a":1}', deadline: 1234, invokedFunctionArn: ARN, traceId: 'Root=1-abc', clientContext: { custom: { k: 'v' } } });
      const res = await poll;
      expect(await res.json()).toEqual({ a: 1 });
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'lambda-runtime-aws-request-id': 'req-1',
        'lambda-runtime-deadline-ms': '1234',
        'lambda-runtime-invoked-function-arn': ARN,
        'lambda-runtime-trace-id': 'Root=1-abc',
        'lambda-runtime-client-context': '{"custom":{"k":"v"}}',
      });
      const wrong = await fetch(`${base}/invocation/req-other/response`, { method: 'POST', body: '1' });
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toMatchObject({ errorType: 'InvalidRequestID' });
      const error = await fetch(`${base}/invocation/req-1/error`, {
        method: 'POST', body: 'not json', headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Crash' },
      });
      expect(error.status).toBe(202);
      await expect.poll(() => messages.length).toBe(2);
      expect(messages[1]).toEqual({ type: 'result', error: { errorType: 'Runtime.Crash', errorMessage: 'not json' }, maxRssKB: 2048 });
      const late = await fetch(`${base}/init/error`, { method: 'POST', body: '{}' });
      expect(late.status).toBe(403);
      expect((await fetch(`${base}/invocation/req-1/response`, { method: 'POST', body: '1' })).status).toBe(403);
    } finally {
      server.close();
    }
  });

  it('queues an invocation sent before the runtime polls', async () => {
    const { server, base } = await started();
    try {
      server.next({ requestId: 'req-2', payload: '"x"', deadline: 1, invokedFunctionArn: ARN });
      const res = await fetch(`${base}/invocation/next`);
      expect(res.headers.get('lambda-runtime-aws-request-id')).toBe('req-2');
      expect(res.headers.get('lambda-runtime-trace-id')).toBeNull();
    } finally {
      server.close();
    }
  });

  it("takes a response up to Lambda's 6291556-byte limit and fails one over it with the size, as Lambda's error says", async () => {
    const { server, messages, base } = await started();
    const post = async (requestId: string, bytes: number) => {
      const poll = fetch(`${base}/invocation/next`);
      server.next({ requestId, payload: '{}', deadline: 1, invokedFunctionArn: ARN });
      await (await poll).text();
      return fetch(`${base}/invocation/${requestId}/response`, { method: 'POST', body: `"${'x'.repeat(bytes - 2)}"` });
    };
    try {
      // In the band between 6 MiB and Lambda's limit (6 MiB and 100 bytes): a response.
      expect((await post('req-fits', 6 * 1024 * 1024 + 100)).status).toBe(202);
      await expect.poll(() => messages.filter((m) => m.type === 'result').length).toBe(1);
      const fits = messages.find((m) => m.type === 'result');
      expect(fits && 'payload' in fits && fits.payload?.length).toBe(6 * 1024 * 1024 + 100);
      const over = await post('req-over', 6 * 1024 * 1024 + 101);
      expect(over.status).toBe(413);
      expect(await over.json()).toEqual({ errorType: 'RequestEntityTooLarge', errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).' });
      await expect.poll(() => messages.filter((m) => m.type === 'result').length).toBe(2);
      expect(messages.filter((m) => m.type === 'result')[1]).toMatchObject({
        error: {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: 'Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).',
        },
      });
    } finally {
      server.close();
    }
  });
});

describe('handler resolution for Runtime API runtimes', () => {
  const resolve = (fn: Record<string, unknown>) => buildConfig({ functions: { f: fn } }, { baseDir: PROVIDED }).functions.f;

  it('finds a custom runtime\'s bootstrap in the handler\'s directory and a Python module by dotted name', () => {
    expect(resolve({ handler: 'echo/function.handler', runtime: 'provided' }).handlerFile).toBe(path.join(PROVIDED, 'echo/bootstrap'));
    const python = buildConfig({ functions: { f: { handler: '../python/handlers.counter', runtime: 'python3.12' } } }, { baseDir: PROVIDED });
    expect(python.functions.f).toMatchObject({ handlerFile: path.join(PROVIDED, '../python/handlers.py'), handlerExport: 'counter' });
  });

  it('takes any handler text for a custom runtime, and path/file.export for Node.js and Python', () => {
    expect(resolve({ handler: 'bootstrap', runtime: 'provided.al2023', codeUri: 'echo' }).handlerFile).toBe(path.join(PROVIDED, 'echo/bootstrap'));
    expect(() => resolve({ handler: 'bootstrap', runtime: 'nodejs20.x' })).toThrow('functions.f.handler: must look like path/file.export');
    expect(() => resolve({ handler: 'handler', runtime: 'python3.12' })).toThrow('functions.f.handler: must look like path/file.export');
    expect(() => resolve({ handler: 'two words', runtime: 'provided' })).toThrow('functions.f.handler: must not be empty or hold spaces');
  });

  it('names the missing bootstrap or module', () => {
    expect(() => resolve({ handler: 'function.handler', runtime: 'provided.al2' })).toThrow('functions.f.handler: no executable bootstrap under');
    expect(() => resolve({ handler: 'pkg.mod.handler', runtime: 'python3.9' })).toThrow('functions.f.handler: no module pkg/mod.py under');
  });
});
