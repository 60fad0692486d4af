import type { ChildProcess } from 'node:child_process';
import { runtimeFamily } from '../config/schema.js';
import { forkBootstrap } from './fork-bootstrap.js';
import type { ChildMessage, InvokeMessage } from './protocol.js';
import { RuntimeApiTransport } from './runtime-api/transport.js';
import { compiledHandler } from './ts-build.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

/**
 * How an Environment talks to its process. Node handlers: a forked bootstrap over IPC. Python and
 * custom runtimes: a spawned process that polls the Lambda Runtime API served by the hub. Either
 * way the Environment sees the same ChildMessages, so timeouts, watchdogs and logs are shared.
 */
export interface Transport {
  /** Work to finish before start() (the Runtime API server's listen); absent for Node. */
  prepare?(): Promise<void>;
  /** Starts the process; its messages go to `onMessage`. */
  start(onMessage: (message: ChildMessage) => void): ChildProcess;
  send(message: InvokeMessage): void;
  /** Releases what the transport holds besides the process; idempotent. */
  close?(): void;
}

export function createTransport(fn: FunctionConfig, options: RuntimeOptions, environmentId: string): Transport {
  return runtimeFamily(fn.runtime) === 'node'
    ? new ForkTransport(fn, options, environmentId)
    : new RuntimeApiTransport(fn, options, environmentId);
}

class ForkTransport implements Transport {
  readonly #fn: FunctionConfig;
  readonly #options: RuntimeOptions;
  readonly #environmentId: string;
  #child?: ChildProcess;
  /** What the process imports: the handler file, or its compiled build (TypeScript; see ts-build.ts). */
  #handlerFile: string;

  constructor(fn: FunctionConfig, options: RuntimeOptions, environmentId: string) {
    this.#fn = fn;
    this.#options = options;
    this.#environmentId = environmentId;
    this.#handlerFile = fn.handlerFile;
    // A TypeScript handler is compiled before its environment starts (see ts-build.ts); others start at once.
    const { buildDir } = options;
    if (buildDir && fn.handlerFile.endsWith('.ts')) {
      this.prepare = async () => { this.#handlerFile = await compiledHandler(fn.handlerFile, buildDir) ?? fn.handlerFile; };
    }
  }

  readonly prepare?: () => Promise<void>;

  start(onMessage: (message: ChildMessage) => void): ChildProcess {
    this.#child = forkBootstrap(this.#fn, this.#options, this.#environmentId, this.#handlerFile);
    this.#child.on('message', onMessage);
    return this.#child;
  }

  send(message: InvokeMessage): void {
    this.#child!.send(message);
  }
}
