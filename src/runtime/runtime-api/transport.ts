import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeFamily } from '../../config/schema.js';
import { childEnvironment, logStreamName } from '../child-env.js';
import { trackChild } from '../children.js';
import type { ChildMessage, InvokeMessage } from '../protocol.js';
import { processSandbox, type Sandbox, type SandboxEvents } from '../sandbox.js';
import type { Transport } from '../transport.js';
import type { FunctionConfig, RuntimeOptions } from '../types.js';
import { RuntimeApiServer } from './server.js';

/**
 * The package root, from src/runtime/runtime-api (tsx) and dist/runtime/runtime-api alike. tsc
 * does not copy .py files, so the Python bootstrap is always read from src/runtime/python.
 */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PYTHON_RUNTIME_DIR = path.join(PACKAGE_ROOT, 'src', 'runtime', 'python');
const PYTHON_BOOTSTRAP = path.join(PYTHON_RUNTIME_DIR, 'bootstrap.py');

interface Command {
  file: string;
  args: string[];
  runtimeDir: string;
}

/**
 * Python and custom runtimes: a spawned process (its own process group, so a shell bootstrap's
 * curl dies with it) that polls this environment's Runtime API server.
 */
export class RuntimeApiTransport implements Transport {
  readonly #fn: FunctionConfig;
  readonly #options: RuntimeOptions;
  readonly #environmentId: string;
  #server?: RuntimeApiServer;
  #address = '';
  #onMessage: (message: ChildMessage) => void = () => {};
  #sandbox?: Sandbox;
  #closed = false;

  constructor(fn: FunctionConfig, options: RuntimeOptions, environmentId: string) {
    this.#fn = fn;
    this.#options = options;
    this.#environmentId = environmentId;
  }

  /** Never rejects: without a server the runtime finds no AWS_LAMBDA_RUNTIME_API and exits. */
  async prepare(): Promise<void> {
    const server = new RuntimeApiServer(
      (message) => this.#onMessage(message),
      () => this.#sandbox?.memory()?.peakKB ?? 0,
    );
    this.#server = server;
    this.#address = await server.listen().catch(() => '');
    if (this.#closed) server.close(); // the environment was killed meanwhile
  }

  start(events: SandboxEvents): Sandbox {
    this.#onMessage = events.message;
    const command = commandFor(this.#fn);
    const env = childEnvironment({
      fn: this.#fn,
      options: this.#options,
      logStreamName: logStreamName(this.#fn, this.#environmentId),
      runtimeDir: command.runtimeDir,
    });
    if (this.#address) env.AWS_LAMBDA_RUNTIME_API = this.#address;
    const child = spawn(command.file, command.args, {
      cwd: this.#fn.taskRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    trackChild(child);
    this.#sandbox = processSandbox(child, events);
    return this.#sandbox;
  }

  send(message: InvokeMessage): void {
    this.#server?.next(message);
  }

  credit(bytes: number): void {
    this.#server?.credit(bytes);
  }

  close(): void {
    this.#closed = true;
    this.#server?.close();
  }
}

/**
 * Python: `$PYTHON` (else `python3` on PATH) runs the bundled bootstrap with the handler's
 * directory and module; custom runtimes: the function directory's `bootstrap` itself.
 */
function commandFor(fn: FunctionConfig): Command {
  if (runtimeFamily(fn.runtime) === 'provided') {
    return { file: fn.handlerFile, args: [], runtimeDir: path.dirname(fn.handlerFile) };
  }
  const modulePath = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
  const codeDir = path.resolve(fn.taskRoot, path.dirname(modulePath));
  const python = process.env.PYTHON || 'python3';
  return {
    file: python,
    // -B: no __pycache__ written into the user's handler folders (Lambda's task root is read-only).
    args: ['-B', PYTHON_BOOTSTRAP, codeDir, path.basename(modulePath), fn.handlerExport],
    runtimeDir: PYTHON_RUNTIME_DIR,
  };
}
