import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { handlerTrace } from '../tracing.js';
import { invokedFunctionArn, versionOf } from './child-env.js';
import type { Ending } from './failures.js';
import { InvocationLog } from './invocation-log.js';
import { invokeResult, type NotStarted, type Run } from './invocation-run.js';
import { EnvironmentOutput } from './environment-output.js';
import { StreamOutput } from './stream-output.js';
import type { ChildMessage, InvokeMessage } from './protocol.js';
import type { Sandbox, SandboxExit } from './sandbox.js';
import { createTransport, type Transport } from './transport.js';
import type { FunctionConfig, InvokeRequest, InvokeResult, RuntimeOptions } from './types.js';

/** Lambda's limit for the init phase (loading the handler module) of an on-demand environment. */
const INIT_TIMEOUT_MS = 10_000;
/** RSS watchdog and idle check period. */
const MONITOR_INTERVAL_MS = 100;
/**
 * Invocations that may wait in one busy environment (see `queueable`). Async events of a no-op
 * handler, two environments: 4,089-4,535 events/s end to end with 8 or 30 against 3,287-3,502 with
 * one, and less CPU per event (front 179-235 µs against 236-283, environments 23-35 against 49-59,
 * Redis 89-109 against 118-138): each process wakes once for several.
 */
export const MAX_WAITING = 8;
/** After the process exits, how long to wait for its last stderr (V8's OOM message). */
const EXIT_DRAIN_MS = 200;

type State = 'new' | 'starting' | 'busy' | 'idle' | 'dead';

/**
 * One execution environment: a sandbox (a forked Node bootstrap or a worker thread running it, or
 * a Runtime API client process for other runtimes: see transport.ts) that runs one invocation at
 * a time and keeps its module scope between invocations. Started lazily by the first invoke (cold start);
 * killed on timeout, out-of-memory, a crash, idleness or stop().
 */
export class Environment {
  readonly id = randomBytes(16).toString('hex');
  readonly #fn: FunctionConfig;
  readonly #options: RuntimeOptions;
  readonly #logger: Logger;
  readonly #onDead: (env: Environment) => void;
  readonly #timeoutMs: number;
  readonly #transport: Transport;
  readonly #exited: Promise<void>;
  #markExited!: () => void;
  #state: State = 'new';
  #sandbox?: Sandbox;
  #run?: Run;
  /** Invocations sent to the sandbox to run after #run, in order (see `queueable`). */
  readonly #waiting: Run[] = [];
  #monitor?: NodeJS.Timeout;
  #idleSince = 0;
  #peakKB = 0;
  #cpuShare?: number;
  readonly #output: EnvironmentOutput;
  /** Credit for a streamed response's bytes the client took (see stream-credit.ts). */
  readonly #grant = (bytes: number): void => this.#transport.credit(bytes);

  constructor(fn: FunctionConfig, options: RuntimeOptions, logger: Logger, onDead: (env: Environment) => void) {
    this.#fn = fn;
    this.#options = options;
    this.#logger = logger;
    this.#output = new EnvironmentOutput(logger, this.id, () => this.#run?.log);
    this.#onDead = onDead;
    this.#timeoutMs = fn.timeout * 1000;
    this.#transport = createTransport(fn, options, this.id);
    this.#exited = new Promise((resolve) => { this.#markExited = resolve; });
  }

  get alive(): boolean {
    return this.#state !== 'dead';
  }

  /**
   * The share of its last invocation's wall time this environment spent on CPU (0 to 1, its
   * message handling included), when its runtime reports CPU time (Node.js processes).
   */
  get cpuShare(): number | undefined {
    return this.#cpuShare;
  }

  /** True until the handler module has loaded (a cold start in progress). */
  get starting(): boolean {
    return this.#state === 'new' || this.#state === 'starting';
  }

  /**
   * Whether an invocation may be queued in this environment now: it runs one (not streamed, its
   * handler loaded), fewer than MAX_WAITING wait behind it, and its sandbox takes invocations while
   * it runs one (a Node.js process). A queued one is sent at once and starts as soon as the one
   * before it has sent its result, without waiting for the hub to hear of it and answer (see invoke).
   */
  get queueable(): boolean {
    return this.#state === 'busy' && this.#run !== undefined && this.#run.req.stream === undefined && this.#waiting.length < MAX_WAITING && this.#transport.queues === true;
  }

  /**
   * Whether it has loaded its handler and is alive, and its sandbox takes invocations while it runs
   * one: an invocation handed to it after the one now handed to it will be queued (see `queueable`).
   */
  get takesQueued(): boolean {
    return (this.#state === 'idle' || this.#state === 'busy') && this.#transport.queues === true;
  }

  /** When the running invocation started (performance.now()), if one runs. */
  get runningSince(): number | undefined {
    return this.#run?.startedAt;
  }

  /**
   * Runs the invocation, or, while another runs (see `queueable`), sends it to the sandbox to run
   * next: its timeout and REPORT duration count from when the running one ends. Never rejects but
   * with NotStartedError, when the environment died before a queued invocation started: the
   * caller runs it elsewhere. Every other failure becomes a result with a non-success status.
   */
  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    if (this.#state === 'new' && this.#transport.prepare) await this.#transport.prepare();
    let run!: Run;
    const ending = await new Promise<Ending | NotStarted>((end) => {
      const trace = handlerTrace(req.traceId);
      const log = new InvocationLog(this.#logger, {
        requestId: req.requestId, function: this.#fn.name, environmentId: this.id, version: versionOf(this.#fn), traceparent: trace.traceparent, sink: this.#options.logSink,
      });
      run = { req, trace, log, output: new StreamOutput(req.stream, this.#grant), startedAt: performance.now(), end };
      if (this.#run) return this.#queue(run);
      // A cold start gets Lambda's 10 s init phase (or the function timeout, if longer) to load the
      // handler; the invocation itself then gets the full function timeout.
      const limit = this.#state === 'new' ? Math.max(INIT_TIMEOUT_MS, this.#timeoutMs) : this.#timeoutMs;
      run.timer = setTimeout(() => this.#end({ kind: 'timeout' }), limit);
      this.#run = run;
      if (this.#state === 'new') this.#spawn();
      else if (this.#state === 'dead') this.#end({ kind: 'exit', code: null, signal: null }); // killed while preparing
      else this.#dispatch(run);
    });
    if (ending.kind === 'not-started') throw new NotStartedError();
    return this.#complete(run, ending);
  }

  /** Kills the sandbox now (an invocation in flight ends as exited); idempotent. */
  kill(reason: string): void {
    if (this.#state === 'dead') return;
    this.#markDead(reason);
    if (this.#sandbox) this.#sandbox.kill();
    else this.#markExited();
  }

  /** Kills the sandbox and resolves once it has exited. */
  stop(reason = 'shutdown'): Promise<void> {
    this.kill(reason);
    return this.#exited;
  }

  #spawn(): void {
    this.#state = 'starting';
    let sandbox: Sandbox;
    try {
      sandbox = this.#transport.start({
        message: (message) => this.#onMessage(message),
        output: (stream, text) => this.#output.pipe(stream, text),
        error: (err, started) => this.#onError(err, started),
        exit: (exit, drained) => this.#onExit(exit, drained),
      });
    } catch (err) {
      // spawn() throws some failures (E2BIG, a NUL byte in a variable) instead of emitting 'error'.
      return this.#onError(err as Error, false);
    }
    this.#sandbox = sandbox;
    this.#monitor = setInterval(() => this.#tick(), MONITOR_INTERVAL_MS).unref();
    this.#logger.info({ event: 'environment_start', environmentId: this.id, ...sandbox.label }, 'execution environment starting');
  }

  #dispatch(run: Run): void {
    this.#begin(run);
    this.#transport.send(this.#message(run));
  }

  /** Sends the invocation to run after the running one and those already waiting (see `queueable`). */
  #queue(run: Run): void {
    // The pool hands a busy environment another invocation only while it may queue one; should that
    // have changed, the invocation has not started and the pool runs it elsewhere.
    if (!this.queueable) return run.end({ kind: 'not-started' });
    this.#waiting.push(run);
    this.#transport.send(this.#message(run));
  }

  #begin(run: Run): void {
    if (this.#state !== 'dead') this.#state = 'busy';
    this.#output.renew();
    run.log.start();
    run.startedAt = performance.now();
  }

  #message(run: Run): InvokeMessage {
    const { requestId, payload, event, clientContext } = run.req;
    const { xray: traceId, traceparent } = run.trace;
    return {
      requestId, payload, event, deadline: Date.now() + this.#timeoutMs, clientContext, traceId, traceparent,
      invokedFunctionArn: invokedFunctionArn(this.#fn, this.#options, run.req.qualifier),
    };
  }

  #onMessage(message: ChildMessage): void {
    switch (message.type) {
      case 'log':
        return this.#output.line(message.level, message.line);
      case 'ready':
        return this.#onReady();
      case 'stream':
        return this.#run?.output.start(message.contentType);
      case 'chunk':
        return this.#run?.output.chunk(message.data);
      case 'result':
        this.#cpuShare = message.cpuUs === undefined || message.wallUs === undefined ? undefined : Math.min(1, message.cpuUs / Math.max(1, message.wallUs));
        return this.#end({
          kind: 'result', payload: this.#run?.output.payload(message.payload), error: message.error ?? this.#run?.output.error(), maxRssKB: message.maxRssKB,
          wallMs: message.wallUs === undefined ? undefined : message.wallUs / 1000,
        });
      case 'memory':
        return; // read by the thread sandbox (node-bootstrap.ts)
      case 'fatal':
        if (this.#run) return this.#end({ kind: 'fatal', error: message.error });
        this.#logger.warn({ event: 'environment_crashed', environmentId: this.id, error: message.error }, 'environment crashed between invocations');
        return this.kill('crashed');
    }
  }

  #onReady(): void {
    const run = this.#run;
    if (this.#state !== 'starting' || !run) return;
    run.initDurationMs = performance.now() - run.startedAt;
    clearTimeout(run.timer);
    run.timer = setTimeout(() => this.#end({ kind: 'timeout' }), this.#timeoutMs);
    this.#dispatch(run);
  }

  #onError(err: Error, started: boolean): void {
    this.#logger.warn({ event: 'environment_error', environmentId: this.id, err }, 'execution environment failed');
    this.#end(started ? { kind: 'exit', code: null, signal: null } : { kind: 'launch', error: err });
    this.kill('error');
    if (!started) this.#markExited(); // no exit event will come
  }

  #onExit(exit: SandboxExit, drained: Promise<void>): void {
    if (this.alive) this.#logger.warn({ event: 'environment_exited', environmentId: this.id, code: exit.code, signal: exit.signal }, 'execution environment exited');
    this.#markDead('exited');
    this.#markExited();
    if (!this.#run) return;
    // Let the last stderr (V8's OOM report) and messages arrive before judging the exit.
    const ending = exit.outOfMemory ? { kind: 'oom' as const } : { kind: 'exit' as const, code: exit.code, signal: exit.signal };
    const timer = setTimeout(() => this.#end(ending), EXIT_DRAIN_MS);
    void drained.then(() => {
      clearTimeout(timer);
      this.#end(ending);
    });
  }

  #tick(): void {
    if (this.#state === 'idle') {
      if (performance.now() - this.#idleSince >= this.#options.idleTimeoutMs) this.kill('idle');
      return;
    }
    const memory = this.#run ? this.#sandbox?.memory() : undefined;
    if (!memory) return;
    this.#peakKB = Math.max(this.#peakKB, memory.peakKB);
    if (memory.rssKB > this.#fn.memorySize * 1024) this.#end({ kind: 'oom' });
  }

  #end(ending: Ending): void {
    const run = this.#run;
    if (!run) return;
    this.#output.flush();
    this.#run = undefined;
    run.output.close();
    clearTimeout(run.timer);
    if (ending.kind === 'result') this.#proceed();
    run.end(ending);
  }

  /**
   * The running invocation returned: the first one queued behind it (which the sandbox started as
   * it sent that result) runs now, with its own timeout; else the environment is idle. In an
   * environment that was killed or exited meanwhile, that one ends as the exit being drained
   * does (or times out), as it may have started.
   */
  #proceed(): void {
    const next = this.#waiting.shift();
    if (next) {
      this.#run = next;
      next.waited = true;
      this.#begin(next);
      next.timer = setTimeout(() => this.#end({ kind: 'timeout' }), this.#timeoutMs);
    } else if (this.#state === 'busy') {
      this.#state = 'idle';
      this.#idleSince = performance.now();
    }
  }

  #complete(run: Run, ending: Ending): InvokeResult {
    // One that waited began in the environment as the one before it ended, before the hub saw that
    // result (a busy hub reads both results at once): the runtime's own measure is its duration.
    const elapsedMs = run.waited && ending.kind === 'result' && ending.wallMs !== undefined ? ending.wallMs : performance.now() - run.startedAt;
    if (ending.kind === 'result') this.#peakKB = Math.max(this.#peakKB, ending.maxRssKB);
    const result = invokeResult(run, ending, elapsedMs, this.#fn, this.#peakKB, this.#output.stderrTail, this.id);
    if (ending.kind !== 'result') {
      this.kill(result.status);
      // What was queued behind it never started: its callers run it elsewhere.
      for (const next of this.#waiting.splice(0)) next.end({ kind: 'not-started' });
    }
    return result;
  }

  #markDead(reason: string): void {
    if (this.#state === 'dead') return;
    this.#state = 'dead';
    clearInterval(this.#monitor);
    this.#transport.close?.();
    this.#logger.info({ event: 'environment_stop', environmentId: this.id, reason }, 'execution environment stopped');
    this.#onDead(this);
  }
}

/** An invocation queued in an environment that died before it started (see Environment.invoke). */
export class NotStartedError extends Error {
  constructor() {
    super('the environment ended before the invocation queued in it started');
    this.name = 'NotStartedError';
  }
}
