import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * TypeScript handlers compiled once per handler into `<dataDir>/build` with esbuild, so that
 * environments run JavaScript instead of each loading tsx (about 30 MB of RSS per environment on
 * Node 20, which cannot strip types). The handler and its local imports are bundled, as SAM's
 * esbuild build does; packages stay imports of the files they resolve to from the handler's
 * directory, so they load from the project's node_modules. A build is reused while no input file
 * has changed. A handler that reads its own location (`import.meta`, `__dirname`, `__filename`),
 * which a bundle would move, or that esbuild cannot build runs through tsx as before (a syntax
 * error is then Runtime.UserCodeSyntaxError, as on Lambda).
 */
interface Build {
  output: string;
  /** Every local input with the mtime it was built from. */
  inputs: Array<{ file: string; mtimeMs: number }>;
}

const builds = new Map<string, Promise<Build | undefined>>();
const LOCATION = /\bimport\.meta\b|\b__dirname\b|\b__filename\b/;
let compiling = 0;

/** esbuild keeps a service process (~12 MB) until stopped: stop it once no build is running. */
async function stopService(): Promise<void> {
  compiling -= 1;
  const esbuild = await import('esbuild');
  if (compiling === 0) esbuild.stop();
}

/** A TypeScript handler (`.ts`, `.mts`, `.cts`): compiled, or run through tsx. */
export const isTypeScript = (file: string): boolean => /\.[cm]?ts$/.test(file);

/** The compiled file to run for a `.ts`/`.mts`/`.cts` handler, or undefined to run it through tsx. */
export async function compiledHandler(handlerFile: string, buildDir: string): Promise<string | undefined> {
  let build = builds.get(handlerFile);
  if (build && !fresh(await build)) build = undefined;
  if (!build) {
    compiling += 1;
    build = compile(handlerFile, buildDir).catch(() => undefined).finally(stopService);
    builds.set(handlerFile, build);
  }
  return (await build)?.output;
}

function fresh(build: Build | undefined): boolean {
  if (!build) return false;
  try {
    return build.inputs.every(({ file, mtimeMs }) => statSync(file).mtimeMs === mtimeMs);
  } catch {
    return false;
  }
}

async function compile(handlerFile: string, buildDir: string): Promise<Build | undefined> {
  const esbuild = await import('esbuild');
  const format = moduleFormat(handlerFile);
  const packages: string[] = [];
  const name = createHash('sha256').update(handlerFile).digest('hex').slice(0, 16);
  const output = path.join(buildDir, name, `${path.basename(handlerFile).replace(/\.[cm]?ts$/, '')}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  const result = await esbuild.build({
    entryPoints: [handlerFile], outfile: output, bundle: true, platform: 'node', target: 'node20', format,
    sourcemap: 'inline', sourcesContent: false, metafile: true, logLevel: 'silent', write: false, plugins: [packagesInPlace(packages)],
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => path.resolve(file));
  if (inputs.some((file) => LOCATION.test(readFileSync(file, 'utf8')))) return undefined;
  // Node 20 cannot require() an ES module (tsx can): such a CommonJS handler stays with tsx.
  if (format === 'cjs' && packages.some((file) => moduleFormat(file) === 'esm')) return undefined;
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(output, result.outputFiles[0].contents);
  return { output, inputs: inputs.map((file) => ({ file, mtimeMs: statSync(file).mtimeMs })) };
}

/**
 * Packages (bare specifiers) are not bundled: each stays an import of the file it resolves to from
 * the importing file (collected in `resolved`). One that does not resolve now (a layer, resolved at
 * run time) stays as written.
 */
function packagesInPlace(resolved: string[]): Plugin {
  return {
    name: 'packages-in-place',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'in-place' || args.path.startsWith('node:')) return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'in-place' });
        if (found.errors.length || !found.path || found.external) return { path: args.path, external: true };
        resolved.push(found.path);
        return { path: found.path, external: true };
      });
    },
  };
}

/** ESM for `.mts`/`.mjs` or a `"type": "module"` package, CommonJS for `.cts`/`.cjs` or otherwise (as Node and tsx decide). */
function moduleFormat(file: string): 'esm' | 'cjs' {
  if (/\.m[tj]s$/.test(file)) return 'esm';
  if (/\.c[tj]s$/.test(file)) return 'cjs';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        return 'cjs';
      }
    }
    if (path.dirname(dir) === dir) return 'cjs';
  }
}
