import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trackChild } from './children.js';
import { childEnvironment, logStreamName } from './child-env.js';
import type { BootstrapSpec } from './protocol.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

const SELF = fileURLToPath(import.meta.url);
const RUNTIME_DIR = path.join(path.dirname(SELF), 'child');
/** child/bootstrap.ts when the hub runs from sources (tsx, vitest), child/bootstrap.js in dist/. */
const BOOTSTRAP = path.join(RUNTIME_DIR, `bootstrap${path.extname(SELF)}`);
/** `import` from layers (plain .mjs, not compiled: always read from src/, from dist/ too). */
const LAYER_RESOLVE = pathToFileURL(path.resolve(path.dirname(SELF), '../../src/runtime/child/layer-resolve.mjs')).href;

let tsxUrl: string | undefined;

/**
 * Forks one execution environment: the bootstrap with the function's variables, its task root as
 * cwd, V8's heap capped at the memory size, and tsx loaded when TypeScript must run.
 */
export function forkBootstrap(fn: FunctionConfig, options: RuntimeOptions, environmentId: string, handlerFile = fn.handlerFile): ChildProcess {
  const spec: BootstrapSpec = {
    handlerFile,
    handlerExport: fn.handlerExport,
    handler: fn.handler,
  };
  const execArgv = [`--max-old-space-size=${fn.memorySize}`];
  if (BOOTSTRAP.endsWith('.ts') || handlerFile.endsWith('.ts')) execArgv.unshift('--import', tsxLoader());
  // A compiled TypeScript handler carries an inline source map: stack traces name the .ts lines.
  if (handlerFile !== fn.handlerFile) execArgv.push('--enable-source-maps');
  if (fn.layers.length) execArgv.push('--import', LAYER_RESOLVE);
  const child = fork(BOOTSTRAP, [JSON.stringify(spec)], {
    cwd: fn.taskRoot,
    env: childEnvironment({ fn, options, logStreamName: logStreamName(fn, environmentId), runtimeDir: RUNTIME_DIR }),
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // JSON framing: for the small messages of most invocations it costs about 60 % of the
    // structured-clone ('advanced') framing in the hub; payloads travel as JSON text either way.
    serialization: 'json',
    // Its own process group: Ctrl-C reaches the hub only, which lets the invocation finish. The
    // bootstrap exits when the IPC channel closes, so it cannot outlive a killed hub.
    detached: true,
  });
  trackChild(child);
  return child;
}

/** tsx's loader, resolved from the hub (a handler's directory need not have tsx installed). */
function tsxLoader(): string {
  tsxUrl ??= pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return tsxUrl;
}
