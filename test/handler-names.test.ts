import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { decoder, encoder, FIXTURES, startTestHub, type TestHub } from './helpers/hub.js';

/** Node.js handler strings as Lambda's Node.js runtime reads them: the module up to the first dot, the rest a path into its exports. */
describe('Node.js handler names', { timeout: 60_000 }, () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        nested: { handler: 'nested.handlers.main' },
        inherited: { handler: 'nested.handlers.toString' },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invoke = async (fn: string) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: encoder.encode('{"a":1}') }));
    return { error: out.FunctionError, body: JSON.parse(decoder.decode(out.Payload)) };
  };

  it('runs index.handlers.main: handlers.main of module index', async () => {
    expect(buildConfig({ functions: { f: { handler: 'nested.handlers.main' } } }, { baseDir: FIXTURES }).functions.f)
      .toMatchObject({ handlerExport: 'handlers.main', handlerFile: path.join(FIXTURES, 'nested.mjs') });
    expect(await invoke('nested')).toEqual({ error: undefined, body: { nested: true, event: { a: 1 } } });
  });

  it('finds no handler in what every object has (toString), as Runtime.HandlerNotFound', async () => {
    const out = await invoke('inherited');
    expect(out.error).toBe('Unhandled');
    expect(out.body).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'nested.handlers.toString is undefined or not exported' });
  });

  it('still finds a module whose path holds a dot by the last dot, and names Lambda\'s module when none is there', () => {
    expect(buildConfig({ functions: { f: { handler: './echo.handler' } } }, { baseDir: FIXTURES }).functions.f)
      .toMatchObject({ handlerExport: 'handler', handlerFile: path.join(FIXTURES, 'echo.mjs') });
    expect(() => buildConfig({ functions: { f: { handler: 'missing.handlers.main' } } }, { baseDir: FIXTURES }))
      .toThrow(/functions\.f\.handler: no module missing\{/);
  });

  it('takes the module from the last path segment, up to its first dot, as Lambda does (v1.2/app.handlers.main)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-handler-names-'));
    try {
      mkdirSync(path.join(dir, 'v1.2'));
      writeFileSync(path.join(dir, 'v1.2', 'app.mjs'), 'export const handlers = { main: async () => 1 };\n');
      expect(buildConfig({ functions: { f: { handler: 'v1.2/app.handlers.main' } } }, { baseDir: dir }).functions.f)
        .toMatchObject({ handlerExport: 'handlers.main', handlerFile: path.join(dir, 'v1.2', 'app.mjs') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
