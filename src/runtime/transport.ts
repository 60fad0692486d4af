import { runtimeFamily } from '../config/schema.js';
import { startNodeBootstrap, type NodeSandbox } from './node-bootstrap.js';
import type { InvokeMessage } from './protocol.js';
import { RuntimeApiTransport } from './runtime-api/transport.js';
import type { Sandbox, SandboxEvents } from './sandbox.js';
import { compiledHandler, isTypeScript } from './ts-build.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

/**
 * How an Environment talks to its sandbox. Node handlers: the bootstrap in a forked process over
 * IPC, or in a worker thread over its message port (`isolation: thread`). Python and custom
 * runtimes: a spawned process that polls the Lambda Runtime API served by the hub. Either way
 * the Environment sees the same ChildMessages, so timeouts, watchdogs and logs are shared.
 */
export interface Transport {
  /** Work to finish before start() (the Runtime API server's listen, a TypeScript build). */
  prepare?(): Promise<void>;
  /** Starts the sandbox; what it says goes to `events`. May throw (spawn or Worker errors). */
  start(events: SandboxEvents): Sandbox;
  send(message: InvokeMessage): void;
  /**
   * Whether the sandbox takes an invocation while it runs another and starts it once that one's
   * result is sent (the Node.js bootstrap in a process; see Environment.queueable).
   */
  readonly queues?: boolean;
  /** Credit for `bytes` of the current invocation's streamed response the client took (see stream-credit.ts). */
  credit(bytes: number): void;
  /** Releases what the transport holds besides the sandbox; idempotent. */
  close?(): void;
}

export function createTransport(fn: FunctionConfig, options: RuntimeOptions, environmentId: string): Transport {
  return runtimeFamily(fn.runtime) === 'node'
    ? new NodeTransport(fn, options, environmentId)
    : new RuntimeApiTransport(fn, options, environmentId);
}

class NodeTransport implements Transport {
  readonly #fn: FunctionConfig;
  readonly #options: RuntimeOptions;
  readonly #environmentId: string;
  #started?: NodeSandbox;
  /** What the bootstrap imports: the handler file, or its compiled build (TypeScript; see ts-build.ts). */
  #handlerFile: string;

  constructor(fn: FunctionConfig, options: RuntimeOptions, environmentId: string) {
    this.#fn = fn;
    this.#options = options;
    this.#environmentId = environmentId;
    this.#handlerFile = fn.handlerFile;
    // A worker thread reports its memory from the message that starts an invocation to its result
    // (child/host.ts): one queued behind another would run unwatched.
    this.queues = (fn.isolation ?? options.isolation) !== 'thread';
    // A TypeScript handler is compiled before its environment starts (see ts-build.ts); others start at once.
    const { buildDir } = options;
    if (buildDir && isTypeScript(fn.handlerFile)) {
      this.prepare = async () => { this.#handlerFile = await compiledHandler(fn.handlerFile, buildDir) ?? fn.handlerFile; };
    }
  }

  readonly prepare?: () => Promise<void>;
  readonly queues: boolean;

  start(events: SandboxEvents): Sandbox {
    this.#started = startNodeBootstrap(this.#fn, this.#options, this.#environmentId, this.#handlerFile, events);
    return this.#started.sandbox;
  }

  send(message: InvokeMessage): void {
    this.#started!.post(message);
  }

  credit(bytes: number): void {
    this.#started?.post({ type: 'credit', bytes });
  }
}
