import { fork } from 'node:child_process';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { trackChild } from './children.js';
import { childEnvironment, logStreamName } from './child-env.js';
import type { ProcMemory } from './proc-memory.js';
import { childMessage, payloadText, type BootstrapSpec, type ChildMessage, type CreditMessage, type InvokeMessage } from './protocol.js';
import { processSandbox, readText, type Sandbox, type SandboxEvents } from './sandbox.js';
import { isTypeScript } from './ts-build.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

const SELF = fileURLToPath(import.meta.url);
const RUNTIME_DIR = path.join(path.dirname(SELF), 'child');
/** child/bootstrap.ts when the hub runs from sources (tsx, vitest), child/bootstrap.js in dist/. */
const BOOTSTRAP = path.join(RUNTIME_DIR, `bootstrap${path.extname(SELF)}`);
/** `import` from layers (plain .mjs, not compiled: always read from src/, from dist/ too). */
const LAYER_REGISTER = pathToFileURL(path.resolve(path.dirname(SELF), '../../src/runtime/child/layer-register.mjs')).href;
const WORKER_OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY';

const tsxUrls = new Map<string, string>();

/** A started Node.js environment: its sandbox, and how to hand it an invocation. */
export interface NodeSandbox {
  sandbox: Sandbox;
  post(message: InvokeMessage | CreditMessage): void;
}

/**
 * Starts one Node.js execution environment running the bootstrap: a forked process (`process`
 * isolation) or a worker thread (`thread`), with the function's variables, V8's heap capped at
 * the memory size, and tsx loaded when TypeScript must run.
 */
export function startNodeBootstrap(fn: FunctionConfig, options: RuntimeOptions, environmentId: string, handlerFile: string, events: SandboxEvents): NodeSandbox {
  const spec: BootstrapSpec = { handlerFile, handlerExport: fn.handlerExport, handler: fn.handler };
  const env = childEnvironment({ fn, options, logStreamName: logStreamName(fn, environmentId), runtimeDir: RUNTIME_DIR });
  const preload: string[] = [];
  const tsx = BOOTSTRAP.endsWith('.ts') || isTypeScript(handlerFile);
  // A compiled TypeScript handler carries an inline source map: stack traces name the .ts lines.
  if (handlerFile !== fn.handlerFile) preload.push('--enable-source-maps');
  if (fn.layers.length) preload.push('--import', LAYER_REGISTER);
  const launch = { spec, env, preload, tsx, fn };
  return (fn.isolation ?? options.isolation) === 'thread' ? startThread(launch, events) : startProcess(launch, events);
}

interface Launch {
  spec: BootstrapSpec;
  env: Record<string, string>;
  preload: string[];
  /** TypeScript must run (the hub's own sources, or a handler that was not compiled): load tsx. */
  tsx: boolean;
  fn: FunctionConfig;
}

function startProcess({ spec, env, preload, tsx, fn }: Launch, events: SandboxEvents): NodeSandbox {
  const child = fork(BOOTSTRAP, [JSON.stringify(spec)], {
    cwd: fn.taskRoot,
    env,
    execArgv: [...(tsx ? ['--import', tsxUrl('tsx')] : []), ...preload, `--max-old-space-size=${fn.memorySize}`],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // JSON framing: the hub's main thread spends 16-18 µs per no-op invocation with it, 21 µs with
    // structured clone ('advanced'; bench/isolation.ts); payloads travel as JSON text either way.
    serialization: 'json',
    // Its own process group: Ctrl-C reaches the hub only, which lets the invocation finish. The
    // bootstrap exits when the IPC channel closes, so it cannot outlive a killed hub.
    detached: true,
  });
  trackChild(child);
  child.on('message', checked(events, events.message));
  // Invocations posted in one turn of the hub's event loop (several queued at once in a busy
  // environment: see Environment.queueable) go as one message, so the process wakes once for them
  // and the hub writes once. They are sent once the turn's callbacks and promise reactions have run
  // (process.nextTick from the first), so a single invocation waits for nothing else.
  let posted: InvokeMessage[] | undefined;
  const flush = () => {
    const messages = posted!;
    posted = undefined;
    child.send(messages.length === 1 ? messages[0] : { type: 'batch', messages });
  };
  return {
    sandbox: processSandbox(child, events),
    post: (message) => {
      // A credit may come after the process died (its exit is being drained): it is for no one.
      if (message.type === 'credit') {
        if (child.connected) child.send(message);
      } else if (posted) {
        posted.push(message);
      } else {
        posted = [message];
        process.nextTick(flush);
      }
    },
  };
}

/**
 * A worker thread in the hub's process: its own V8 isolate, module graph, globals and
 * `process.env` (a copy of the function's variables), the heap capped with `resourceLimits`. The
 * working directory stays the hub's (process.chdir() is not available in workers).
 */
function startThread({ spec, env, preload, tsx, fn }: Launch, events: SandboxEvents): NodeSandbox {
  const worker = new Worker(tsx ? tsxEntry() : BOOTSTRAP, {
    workerData: spec,
    env,
    execArgv: preload,
    resourceLimits: { maxOldGenerationSizeMb: fn.memorySize },
    stdout: true,
    stderr: true,
  });
  let outOfMemory = false;
  const memory: ProcMemory = { rssKB: 0, peakKB: 0 };
  worker.on('message', checked(events, (message) => {
    if (message.type !== 'memory') return events.message(message);
    memory.rssKB = message.kB;
    memory.peakKB = Math.max(memory.peakKB, message.kB);
  }));
  // The bootstrap handles the handler's uncaught errors itself; what reaches here ended the worker.
  worker.on('error', (err: Error & { code?: string }) => {
    if (err.code === WORKER_OUT_OF_MEMORY) outOfMemory = true;
    else events.output('stderr', `Uncaught ${err.stack ?? String(err)}\n`);
  });
  readText(worker.stdout, (text) => events.output('stdout', text));
  readText(worker.stderr, (text) => events.output('stderr', text));
  worker.once('exit', (code) => {
    const drained = Promise.all([finished(worker.stdout), finished(worker.stderr)]).then(() => undefined, () => undefined);
    events.exit({ code, signal: null, outOfMemory }, drained);
  });
  return {
    sandbox: { label: { threadId: worker.threadId }, kill: () => void worker.terminate(), memory: () => memory },
    post: (message) => worker.postMessage(message.type === 'credit' || message.payload !== undefined ? message : { ...message, payload: payloadText(message), event: undefined }),
  };
}

/**
 * A channel listener that passes on the bootstrap's messages and drops anything else handler code
 * sent on the channel, saying so once in the environment's log (stderr).
 */
function checked(events: SandboxEvents, listener: (message: ChildMessage) => void): (value: unknown) => void {
  let warned = false;
  return (value) => {
    const message = childMessage(value);
    if (message) return listener(message);
    if (!warned) events.output('stderr', '[triggerhub] dropped a message on the environment\'s channel that the runtime did not send\n');
    warned = true;
  };
}

/** tsx's loader or its API, resolved from the hub (a handler's directory need not have tsx installed). */
function tsxUrl(specifier: 'tsx' | 'tsx/esm/api'): string {
  let url = tsxUrls.get(specifier);
  if (!url) tsxUrls.set(specifier, url = import.meta.resolve(specifier));
  return url;
}

/**
 * A worker's entry that runs the bootstrap through tsx: tsx's `--import` loader registers its
 * hooks on the main thread only, so the worker registers them itself through tsx's API.
 */
function tsxEntry(): URL {
  const code = `(await import(${JSON.stringify(tsxUrl('tsx/esm/api'))})).register();\nawait import(${JSON.stringify(pathToFileURL(BOOTSTRAP).href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
