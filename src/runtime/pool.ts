import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { Environment, MAX_WAITING, NotStartedError } from './environment.js';
import type { FunctionConfig, InvokeRequest, InvokeResult, RuntimeOptions } from './types.js';

/** From this share of their wall time on CPU, a function's environments compute rather than wait (see #mayStart). */
const CPU_BOUND_SHARE = 0.5;
/** Invocations shorter than this on average are short: a Redis round trip is a large part of each (see `short`). */
const SHORT_INVOCATION_MS = 10;

interface Waiter {
  /** Whether its invocation may be queued in a busy environment (see Environment.queueable): not streamed. */
  queueable: boolean;
  resolve: (env: Environment) => void;
  reject: (err: Error) => void;
  /** Set while the waiter may still start a new environment when its scale-up delay ends. */
  scaleUp?: NodeJS.Timeout;
}

/**
 * Warm execution environments for one function. At most `reservedConcurrency` (else
 * `maxEnvironments`) invocations run at once, each in its own environment; further invokes wait
 * in FIFO order. The most recently used idle environment is reused first, so spare ones age out
 * after `idleTimeoutMs`. With `scaleUpDelayMs`, an invocation that finds every environment busy
 * waits that long for one to free up before it starts another: short handlers then share a few
 * warm processes instead of paying a cold start (and a process) per concurrent event; and
 * environments are added one cold start at a time. With `cpuBoundEnvironments`, a handler that
 * computes rather than waits (its environments report CPU time for half their invocations' wall
 * time or more) gets no more than that many: further invocations wait for one of those instead of
 * starting processes that would share the same CPUs. Throttling (reserved concurrency 0) is the caller's job: here it means 1.
 */
export class FunctionPool {
  readonly #fn: FunctionConfig;
  readonly #options: RuntimeOptions;
  readonly #logger: Logger;
  readonly #max: number;
  readonly #cpuBoundMax: number;
  /** A moving average of the environments' CPU share per invocation, once one reports it. */
  #cpuShare?: number;
  /** A moving average of the invocations' durations (ms). */
  #durationMs?: number;
  readonly #environments = new Set<Environment>();
  readonly #idle: Environment[] = [];
  /** Invocations each environment holds, acquired and not released yet: more than one while some are queued behind the running one. */
  readonly #holds = new Map<Environment, number>();
  readonly #waiters: Waiter[] = [];
  /** Busy environments running code that has changed since they started: stopped on release. */
  readonly #stale = new Set<Environment>();
  /** Exits of retired environments, awaited by drain(). */
  readonly #exits = new Set<Promise<void>>();
  #busy = 0;
  /** The hub is stopping: nothing waits for an environment any more (see quiesce). */
  #quiescing = false;
  #drained?: () => void;
  #draining?: Promise<void>;
  /** Why retired environments stop (their environment_stop log line): a reload, or shutdown. */
  #stopReason = 'retired';
  #closing?: Promise<void>;

  constructor(fn: FunctionConfig, options: RuntimeOptions, logger: Logger) {
    this.#fn = fn;
    this.#options = options;
    this.#logger = logger.child({ function: fn.name });
    this.#max = Math.max(1, fn.reservedConcurrency ?? options.maxEnvironments);
    this.#cpuBoundMax = options.cpuBoundEnvironments === undefined ? Infinity : Math.max(1, options.cpuBoundEnvironments);
  }

  /** Invocations running or waiting for their environment to start. */
  get busy(): number {
    return this.#busy;
  }

  /** How many invocations run at once at most now: the maximum, or cpuBoundEnvironments while the handler computes. */
  get capacity(): number {
    return this.#computes() ? Math.min(this.#max, this.#cpuBoundMax) : this.#max;
  }

  /** Whether its invocations take under SHORT_INVOCATION_MS on average (once one ran). */
  get short(): boolean {
    return this.#durationMs !== undefined && this.#durationMs < SHORT_INVOCATION_MS;
  }

  /** Live environments, busy or idle. */
  get size(): number {
    return this.#environments.size;
  }

  /**
   * Resolves with every outcome, failures included; rejects (TH_ERR_HUB_STOPPING) only once the
   * pool is closed. An invocation queued in an environment that died before it started runs in another.
   */
  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const queueable = req.stream === undefined;
    for (;;) {
      if (this.#closing) throw closedError();
      const env = await this.#acquire(queueable);
      try {
        const result = await env.invoke(req);
        this.#observe(env.cpuShare);
        this.#durationMs = this.#durationMs === undefined ? result.durationMs : this.#durationMs + (result.durationMs - this.#durationMs) / 10;
        return result;
      } catch (err) {
        if (!(err instanceof NotStartedError)) throw err;
      } finally {
        this.#release(env);
      }
    }
  }

  /**
   * The hub is stopping: invocations waiting for an environment are refused (TH_ERR_HUB_STOPPING:
   * an async event goes back to its queue, no attempt counted), and so is every invoke from now on
   * that would wait; running invocations finish. Idempotent.
   */
  quiesce(): void {
    this.#quiescing = true;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.scaleUp);
      waiter.reject(closedError());
    }
  }

  /** Idempotent: refuses queued invokes, waits for running ones, then kills every environment. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.quiesce();
      this.#stopReason = 'shutdown';
      this.#closing = this.drain();
    }
    return this.#closing;
  }

  /**
   * The code changed (hot reload): idle environments stop now, busy ones when their invocation
   * ends, and every invocation from now on starts in a fresh environment.
   */
  retire(): void {
    for (const env of this.#idle.splice(0)) this.#retireNow(env);
    for (const env of this.#environments) if (env.alive) this.#stale.add(env);
  }

  /**
   * For a pool no longer in use (its function was removed or reconfigured): invocations already
   * in it (running or waiting for an environment) finish, then every environment stops. Idempotent.
   */
  drain(): Promise<void> {
    this.#draining ??= (async () => {
      this.retire();
      if (this.#busy > 0) await new Promise<void>((resolve) => { this.#drained = resolve; });
      await Promise.all([...[...this.#environments].map((env) => env.stop()), ...this.#exits]);
    })();
    return this.#draining;
  }

  #acquire(queueable: boolean): Environment | Promise<Environment> {
    const delay = this.#options.scaleUpDelayMs ?? 0;
    if (this.#holds.size < this.#max && (this.#idle.length > 0 || ((delay === 0 || this.#environments.size === 0) && this.#mayStart()))) {
      this.#busy++;
      return this.#take();
    }
    if (this.#quiescing) throw closedError();
    const mayScale = this.#holds.size < this.#max && this.#mayStart();
    if (!mayScale && queueable && this.#waiters.length === 0) {
      // It would wait for a release: a short invocation waits inside the busy environment likely to free first instead.
      const env = this.#queueable();
      if (env) {
        this.#busy++;
        this.#holds.set(env, this.#holds.get(env)! + 1);
        return env;
      }
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { queueable, resolve, reject };
      // No timer while the cap holds it: a release serves it (no timer per queued invocation).
      if (mayScale) waiter.scaleUp = setTimeout(() => this.#scaleUp(waiter), delay);
      this.#waiters.push(waiter);
    });
  }

  /**
   * For a short function (see `short`) with every environment it may have busy: of the busy
   * environments that may take one more to run after theirs (see Environment.queueable), the one
   * with fewest waiting, and of those the one whose invocation has run longest, so that it starts
   * as soon as those before it end instead of a round trip to the hub later.
   */
  #queueable(): Environment | undefined {
    let best: Environment | undefined;
    let fewest = Infinity;
    for (const [env, holds] of this.#holds) {
      if (!this.#hasRoom(env, holds) || !env.queueable) continue;
      if (holds < fewest || (holds === fewest && env.runningSince! < best!.runningSince!)) {
        best = env;
        fewest = holds;
      }
    }
    return best;
  }

  /** The waiter's delay ended with every environment still busy: start a new one if allowed. */
  #scaleUp(waiter: Waiter): void {
    waiter.scaleUp = undefined;
    if (this.#holds.size >= this.#max || !this.#mayStart()) return; // stays in line for the next release
    if ([...this.#environments].some((env) => env.starting)) {
      // One cold start at a time: the environment starting now may serve this waiter.
      waiter.scaleUp = setTimeout(() => this.#scaleUp(waiter), this.#options.scaleUpDelayMs);
      return;
    }
    this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    this.#busy++;
    waiter.resolve(this.#take());
  }

  #observe(share: number | undefined): void {
    if (share === undefined) return;
    this.#cpuShare = this.#cpuShare === undefined ? share : this.#cpuShare + (share - this.#cpuShare) / 10;
  }

  /** Whether the function's environments spend half their time or more on CPU (as far as they report). */
  #computes(): boolean {
    return this.#cpuShare !== undefined && this.#cpuShare >= CPU_BOUND_SHARE;
  }

  /** Whether another environment may start: not for a handler that computes once it has cpuBoundEnvironments. */
  #mayStart(): boolean {
    return !this.#computes() || this.#environments.size < this.#cpuBoundMax;
  }

  #take(): Environment {
    const warm = this.#idle.pop();
    const env = warm ?? new Environment(this.#fn, this.#options, this.#logger, (dead) => this.#forget(dead));
    this.#environments.add(env);
    this.#holds.set(env, 1);
    return env;
  }

  /**
   * Hands the slot straight to the next waiter, so the count never dips below the queue. An
   * environment that went on to an invocation queued in it is not idle: the next waiters may queue
   * behind those instead.
   */
  #release(env: Environment): void {
    const holds = (this.#holds.get(env) ?? 1) - 1;
    if (holds > 0) {
      // It went on to the invocations queued in it: its slot is free, and waiters may queue behind them.
      this.#holds.set(env, holds);
      this.#busy--;
      while (this.#queueBehind(env, true)) this.#busy++;
      return;
    }
    this.#holds.delete(env);
    if (this.#stale.delete(env)) this.#retireNow(env);
    else if (env.alive && !this.#closing) this.#idle.push(env);
    const waiter = this.#waiters.shift();
    if (waiter) {
      clearTimeout(waiter.scaleUp);
      const next = this.#take();
      waiter.resolve(next);
      // Those after it wait in the same environment, not for the next release.
      while (this.#queueBehind(next, waiter.queueable)) this.#busy++;
    }
    else if (--this.#busy === 0) this.#drained?.();
  }

  /**
   * Hands the first waiter `env`, which holds one invocation (`queueable`: not streamed) and fewer
   * than MAX_WAITING queued behind it, to queue its own behind those (see #queueable); false if
   * either may not.
   */
  #queueBehind(env: Environment, queueable: boolean): boolean {
    const waiter = this.#waiters[0];
    const holds = this.#holds.get(env) ?? 0;
    if (!queueable || !waiter?.queueable || !env.takesQueued || !this.#hasRoom(env, holds)) return false;
    this.#waiters.shift();
    clearTimeout(waiter.scaleUp);
    this.#holds.set(env, holds + 1);
    waiter.resolve(env);
    return true;
  }

  /**
   * Whether `env`, holding `holds` invocations, has room for one more to wait in it, as far as the
   * pool knows: the function is short, the environment holds one running and fewer than MAX_WAITING
   * waiting, and its code has not changed (a stale one takes no more). Whether the environment can
   * take it is its own to say (Environment.queueable, takesQueued).
   */
  #hasRoom(env: Environment, holds: number): boolean {
    return this.short && holds >= 1 && holds <= MAX_WAITING && !this.#stale.has(env);
  }

  #retireNow(env: Environment): void {
    const exited = env.stop(this.#stopReason).finally(() => this.#exits.delete(exited));
    this.#exits.add(exited);
  }

  #forget(env: Environment): void {
    this.#environments.delete(env);
    this.#stale.delete(env);
    const index = this.#idle.indexOf(env);
    if (index !== -1) this.#idle.splice(index, 1);
  }
}

function closedError(): HubError {
  return new HubError('TH_ERR_HUB_STOPPING', 'pool closed: the hub is shutting down');
}
