import { existsSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { FunctionPool } from '../src/runtime/pool.js';
import type { FunctionConfig } from '../src/runtime/types.js';
import { functionConfig, request, runtimeOptions } from './fixtures/handlers/function-config.js';
import { REPO_ROOT, tempDir } from './helpers/paths.js';

const pools: FunctionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A project in a temp dir: package.json (ESM) and the given files; the function runs `index.handler`. */
function project(files: Record<string, string>): { fn: FunctionConfig; dir: string; buildDir: string } {
  const dir = tempDir('th-ts-');
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const fn = { ...functionConfig('typed.ts', 'handler'), handlerFile: path.join(dir, 'index.ts'), taskRoot: dir };
  return { fn, dir, buildDir: path.join(dir, 'data', 'build') };
}

async function invoke(fn: FunctionConfig, buildDir: string, event: unknown = {}) {
  const pool = new FunctionPool(fn, runtimeOptions({ buildDir }), silentLogger());
  pools.push(pool);
  const result = await pool.invoke(request(event));
  await pool.close();
  return result;
}

const builtFiles = (buildDir: string) => (existsSync(buildDir) ? readdirSync(buildDir, { recursive: true }).map(String).filter((f) => f.endsWith('.mjs')) : []);

describe('TypeScript handlers', () => {
  it('run from one esbuild bundle in the build dir, local imports included, packages from node_modules, stack traces naming the .ts source', async () => {
    const { fn, buildDir } = project({
      'index.ts': [
        "import { greet } from './greet.js';",
        "import { z } from 'zod';",
        'export const handler = async (event: { name: string; fail?: boolean }) => {',
        '  if (event.fail) throw new TypeError("bad name");',
        // --enable-source-maps is set for compiled handlers only: this one runs from the bundle.
        "  return { message: greet(z.string().parse(event.name)), bundle: process.execArgv.includes('--enable-source-maps') };",
        '};',
      ].join('\n'),
      'greet.ts': 'export const greet = (name: string): string => `hello ${name}`;\n',
    });
    const ok = await invoke(fn, buildDir, { name: 'ts' });
    expect(JSON.parse(ok.payload!)).toEqual({ message: 'hello ts', bundle: true });
    expect(builtFiles(buildDir)).toHaveLength(1);
    const failed = await invoke(fn, buildDir, { name: 'x', fail: true });
    expect(failed.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad name' });
    expect(failed.error!.trace!.join('\n')).toMatch(/index\.ts:4/);
  });

  it('an .mts handler (SAM esbuild EntryPoints: [index.mts]) is compiled and runs as the .ts one does', async () => {
    const { fn, dir, buildDir } = project({ 'index.mts': 'export const handler = async (event: { n: number }): Promise<number> => event.n * 2;\n' });
    const result = await invoke({ ...fn, handlerFile: path.join(dir, 'index.mts') }, buildDir, { n: 21 });
    expect(result.payload).toBe('42');
    expect(builtFiles(buildDir)).toHaveLength(1);
  });

  it('rebuilds when a local input changes', async () => {
    const { fn, dir, buildDir } = project({
      'index.ts': "import { value } from './value.js';\nexport const handler = async (): Promise<number> => value;\n",
      'value.ts': 'export const value: number = 1;\n',
    });
    expect((await invoke(fn, buildDir)).payload).toBe('1');
    writeFileSync(path.join(dir, 'value.ts'), 'export const value: number = 2;\n');
    utimesSync(path.join(dir, 'value.ts'), new Date(), new Date(Date.now() + 5000));
    expect((await invoke(fn, buildDir)).payload).toBe('2');
  });

  it('keeps a handler that reads its own location on tsx, with its location intact', async () => {
    const { fn, dir, buildDir } = project({
      'index.ts': "import { fileURLToPath } from 'node:url';\nexport const handler = async (): Promise<string> => fileURLToPath(import.meta.url);\n",
    });
    expect(JSON.parse((await invoke(fn, buildDir)).payload!)).toBe(path.join(dir, 'index.ts'));
    expect(builtFiles(buildDir)).toEqual([]);
  });

  it('reports TypeScript that does not parse as Runtime.UserCodeSyntaxError', async () => {
    const { fn, buildDir } = project({ 'index.ts': 'export const handler = async ( => 1;\n' });
    expect((await invoke(fn, buildDir)).error).toMatchObject({ errorType: 'Runtime.UserCodeSyntaxError' });
  });
});
