import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoder, encoder, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const PYTHON = fileURLToPath(new URL('./fixtures/python/', import.meta.url));

describe("Python handlers leave the user's folders as they were", () => {
  const code = path.join(tempDir('th-pyc-'), 'app');
  let hub: TestHub;

  beforeAll(async () => {
    mkdirSync(code);
    cpSync(path.join(PYTHON, 'handlers.py'), path.join(code, 'handlers.py'));
    hub = await startTestHub({ functions: { py: { handler: path.join(code, 'handlers.counter'), runtime: 'python3.12' } } });
  });
  afterAll(async () => hub?.stop());

  it('writes no __pycache__ next to the handler module', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'py', Payload: encoder.encode('{"a":1}') }));
    expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ count: 1 });
    expect(existsSync(path.join(code, '__pycache__'))).toBe(false);
    expect(readdirSync(code)).toEqual(['handlers.py']);
  });
});
