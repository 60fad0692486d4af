import { GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHubError } from '../src/errors.js';
import { decoder, encoder, startTestHub, tempDir, testConfig, type TestHub } from './helpers/hub.js';
import { writeTree } from './helpers/project.js';

const cjsPackage = (name: string, body: string) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, main: 'index.js' }),
  [`node_modules/${name}/index.js`]: body,
});
const nodeLayer = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([name, content]) => [`${prefix}/${name}`, content]));

/** A project with layers laid out like Lambda's /opt, and handlers that use them. */
function writeProject(dir: string): void {
  writeTree(dir, {
    ...nodeLayer('layers/base/nodejs', {
      ...cjsPackage('greeter', "module.exports = (name) => `hello ${name} from the base layer`;"),
      ...cjsPackage('which-layer', "module.exports = 'base';"),
      'node_modules/esm-greeter/package.json': JSON.stringify({ name: 'esm-greeter', type: 'module', exports: './index.js' }),
      'node_modules/esm-greeter/index.js': "export const greet = (name) => `esm hello ${name}`;",
    }),
    ...nodeLayer('layers/base/nodejs/node20', cjsPackage('node20-only', "module.exports = 'node20 path';")),
    ...nodeLayer('layers/override/nodejs', cjsPackage('which-layer', "module.exports = 'override';")),
    'layers/tools/bin/layer-tool': '#!/bin/sh\necho "tool says $1"\n',
    'layers/py/python/pyshared.py': 'def greet(name):\n    return "py hello " + name\n',
    'layers/py/python/lib/python3.12/site-packages/sitepkg.py': 'WHERE = "site-packages"\n',
    'src/uses-layers.cjs': `
      const { execFileSync } = require('node:child_process');
      exports.handler = async (event) => ({
        greeting: require('greeter')(event.name),
        node20: require('node20-only'),
        which: require('which-layer'),
        tool: execFileSync('layer-tool', ['hi']).toString().trim(),
        ldLibraryPath: process.env.LD_LIBRARY_PATH,
      });`,
    'src/esm.mjs': "import { greet } from 'esm-greeter';\nexport const handler = async (event) => greet(event.name);\n",
    'src/py_layers.py': 'import pyshared\nimport sitepkg\n\ndef handler(event, context):\n    return {"greeting": pyshared.greet(event["name"]), "where": sitepkg.WHERE}\n',
  });
}

describe('layers', () => {
  const dir = tempDir('th-layers-');
  let hub: TestHub;

  beforeAll(async () => {
    writeProject(dir);
    hub = await startTestHub({
      layers: { tools: 'layers/tools' },
      functions: {
        nodeLayers: { handler: 'src/uses-layers.handler', layers: ['layers/base', 'layers/override', 'tools'] },
        nodeLayersThread: { handler: 'src/uses-layers.handler', layers: ['layers/base', 'layers/override', 'tools'], isolation: 'thread' },
        esmLayers: { handler: 'src/esm.handler', layers: ['layers/base'] },
        esmLayersThread: { handler: 'src/esm.handler', layers: ['layers/base'], isolation: 'thread' },
        // A thread without layers beside threads with them: the layer hook is per worker.
        esmNoLayersThread: { handler: 'src/esm.handler', isolation: 'thread' },
        pyLayers: { handler: 'src/py_layers.handler', runtime: 'python3.12', layers: ['./layers/py'] },
      },
    }, undefined, dir);
  });
  afterAll(async () => hub?.stop());

  const invoke = async (fn: string, payload: unknown) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: encoder.encode(JSON.stringify(payload)) }));
    expect(out.FunctionError, decoder.decode(out.Payload)).toBeUndefined();
    return JSON.parse(decoder.decode(out.Payload));
  };

  // `…Thread`: the same handler in a worker thread (isolation: thread).
  it.each(['nodeLayers', 'nodeLayersThread'])('resolves require() from nodejs/node_modules and nodejs/node20/node_modules, later layers first, and bin on PATH (%s)', async (name) => {
    const body = await invoke(name, { name: 'Ada' });
    expect(body).toMatchObject({
      greeting: 'hello Ada from the base layer',
      node20: 'node20 path',
      which: 'override',
      tool: 'tool says hi',
    });
    expect(body.ldLibraryPath.split(':')).toEqual([`${dir}/layers/tools/lib`, `${dir}/layers/override/lib`, `${dir}/layers/base/lib`]);
  });

  it.each(['esmLayers', 'esmLayersThread'])('resolves an ES module import from a layer, as Lambda does for Node.js 18 and later (%s)', async (name) => {
    expect(await invoke(name, { name: 'Grace' })).toBe('esm hello Grace');
  });

  it('keeps a thread without layers from resolving what another thread\'s layers hold', async () => {
    await invoke('esmLayersThread', { name: 'first' });
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'esmNoLayersThread', Payload: encoder.encode('{}') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ errorType: 'Error', errorMessage: expect.stringContaining("Cannot find package 'esm-greeter'") });
  });

  it('reports a function\'s layers as Lambda does (Arn of a layer version, CodeSize), in order, on GetFunctionConfiguration, GetFunction and ListFunctions', async () => {
    const bytes = (layer: string) => readdirSync(path.join(dir, layer), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0);
    const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:layer:${name}:1`;
    const expected = [
      { Arn: arn('base'), CodeSize: bytes('layers/base') },
      { Arn: arn('override'), CodeSize: bytes('layers/override') },
      { Arn: arn('tools'), CodeSize: bytes('layers/tools') },
    ];
    expect(expected.every((layer) => layer.CodeSize > 0)).toBe(true);
    expect((await hub.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nodeLayers' }))).Layers).toEqual(expected);
    expect((await hub.lambda.send(new GetFunctionCommand({ FunctionName: 'nodeLayers' }))).Configuration?.Layers).toEqual(expected);
    const listed = (await hub.lambda.send(new ListFunctionsCommand({}))).Functions!;
    expect(listed.find((f) => f.FunctionName === 'pyLayers')?.Layers).toEqual([{ Arn: arn('py'), CodeSize: bytes('layers/py') }]);
    // Lambda leaves both out for a function without layers or variables.
    const plain = listed.find((f) => f.FunctionName === 'esmNoLayersThread');
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty('Layers');
    expect(plain).not.toHaveProperty('Environment');
  });

  it('puts python/ and python/lib/python3.x/site-packages of a layer on a Python handler\'s path', async () => {
    expect(await invoke('pyLayers', { name: 'Guido' })).toEqual({ greeting: 'py hello Guido', where: 'site-packages' });
  });
});

describe('layer config errors', () => {
  const dir = tempDir('th-layers-bad-');

  const problem = (raw: Record<string, unknown>): string => {
    try {
      testConfig(raw, dir);
    } catch (err) {
      expect(isHubError(err, 'TH_ERR_CONFIG_INVALID')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('config was accepted');
  };

  it('names the function and the ARN of a layer that exists only in AWS', () => {
    writeTree(dir, { 'index.mjs': 'export const handler = async () => 1;' });
    const arn = 'arn:aws:lambda:us-east-1:123456789012:layer:shared-deps:3';
    expect(problem({ functions: { api: { handler: 'index.handler', layers: [arn] } } }))
      .toContain(`functions.api.layers[0]: layer ${arn} of function api cannot be resolved locally`);
  });

  it('refuses a layer directory that does not exist, and more than 5 layers', () => {
    expect(problem({ functions: { api: { handler: 'index.handler', layers: ['missing'] } } }))
      .toContain('functions.api.layers[0]: no layer directory missing');
    expect(problem({ layers: { gone: 'nowhere' } })).toContain('layers.gone: no layer directory nowhere');
    expect(problem({ functions: { api: { handler: 'index.handler', layers: ['a', 'b', 'c', 'd', 'e', 'f'] } } }))
      .toContain('functions.api.layers: at most 5 layers per function');
  });
});
