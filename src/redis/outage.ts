import type { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { LogWindow } from '../log-window.js';

const HEALTH_PING_TIMEOUT_MS = 900;
/** Connection states after Redis was lost (a new connection's 'connecting' is not one: its commands wait). */
const LOST = new Set(['reconnecting', 'close', 'end']);

/** Errors that mean "Redis is not reachable right now", not a bad command. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNABORTED']);
const CONNECTION_MESSAGES = /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Socket closed unexpectedly|ended/i;

export function isConnectionError(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || (typeof message === 'string' && CONNECTION_MESSAGES.test(message));
}

/**
 * Reports Redis outages through the logger once per state change: `redis_down` (warn) when the
 * first watched connection loses Redis, `redis_back` (info) when every one of them is ready again,
 * however many times ioredis retries in between. Watching a connection also gives it its error
 * handler (without one ioredis prints `[ioredis] Unhandled error event` on stderr).
 */
export class RedisOutage {
  readonly #log: Logger;
  readonly #down = new Set<string>();

  constructor(logger: Logger) {
    this.#log = logger.child({ component: 'redis' });
  }

  get down(): boolean {
    return this.#down.size > 0;
  }

  /** Tracks one ioredis connection, named in the log. */
  watch(client: Redis, name: string): void {
    client.on('error', (err: Error) => this.#lost(name, err));
    client.on('reconnecting', () => this.#lost(name));
    client.on('ready', () => this.#ready(name));
  }

  #lost(name: string, err?: Error): void {
    if (this.#down.has(name)) return;
    const first = this.#down.size === 0;
    this.#down.add(name);
    if (first) this.#log.warn({ event: 'redis_down', connection: name, message: err?.message }, `redis unavailable${err ? `: ${err.message}` : ''}; retrying`);
  }

  #ready(name: string): void {
    if (!this.#down.delete(name) || this.#down.size > 0) return;
    this.#log.info({ event: 'redis_back', connection: name }, 'redis available again');
  }
}

/**
 * An 'error' handler for BullMQ workers, whose own connections retry by themselves: connection
 * errors are part of an outage the watched connections report (debug here); any other error is
 * logged as one.
 */
export function workerErrorHandler(log: Logger, event: string): (err: Error) => void {
  // Redis answering with an error instead of dropping the connection (NOPERM from an ACL, OOM at
  // maxmemory, READONLY after a failover) fails BullMQ's fetch loop over and over: one error line
  // per kind of error and minute, the rest at debug and counted in the next one.
  const window = new LogWindow(WORKER_ERROR_WINDOW_MS);
  return (err) => {
    if (isConnectionError(err)) return log.debug({ event: 'redis_connection_error', message: err.message }, 'redis connection error');
    const loud = window.loud(errorKind(err));
    if (!loud) return log.debug({ event, err }, 'queue worker error (repeated)');
    if (loud.quiet) log.error({ event, err, repeated: loud.quiet }, `queue worker error (${loud.quiet} more of this kind since the last report)`);
    else log.error({ event, err }, 'queue worker error');
  };
}

const WORKER_ERROR_WINDOW_MS = 60_000;
/** A Redis error's kind: its first word (NOPERM, OOM, READONLY, ERR …), so a key or id in the message makes no new kind. */
const errorKind = (err: Error): string => `${err.name}:${String(err.message).split(/\s/, 1)[0].slice(0, 40)}`;

/**
 * For BullMQ queues: a failed command rejects its caller's promise, so their 'error' events are
 * connection errors only, which the hub's watched connections report. Without a listener BullMQ
 * prints them on stderr.
 */
export const ignoreQueueErrors = (): void => undefined;

/**
 * Runs a Redis operation the caller must not acknowledge before it is done (queueing an async
 * event, taking a concurrency lease), failing fast while the connection is down, when Redis answers
 * with an error reply, and after `timeoutMs` otherwise (a connection still being made), with
 * TH_ERR_REDIS_UNAVAILABLE (503, retryable): the client retries
 * instead of hanging, and nothing is acknowledged that Redis does not hold. An operation that
 * timed out may still complete once Redis answers (at-least-once, as Lambda's async invocations).
 */
export function withinRedisTimeout<T>(redis: Redis, timeoutMs: number, what: string, operation: () => Promise<T>): Promise<T> {
  if (LOST.has(redis.status)) return Promise.reject(unavailable(what, `the connection is ${redis.status}`));
  // One promise settled by whichever comes first (every async event passes here: no race of three).
  // After a timeout, the operation's late result or failure is of no interest.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(what, `no answer within ${timeoutMs} ms`)), timeoutMs);
    const failed = (err: unknown) => {
      clearTimeout(timer);
      if (err instanceof HubError) reject(err);
      else if (isConnectionError(err)) reject(unavailable(what, (err as Error).message, err));
      // Redis refused the command (OOM at maxmemory, an ACL's NOPERM, READONLY): nothing was written.
      // Not kept as the cause: ioredis puts the command's arguments (the event itself) on it.
      else if ((err as Error)?.name === 'ReplyError') reject(refused(what, (err as Error).message));
      else reject(err);
    };
    try {
      operation().then((value) => {
        clearTimeout(timer);
        resolve(value);
      }, failed);
    } catch (err) {
      failed(err);
    }
  });
}

/** Resolves once the connection is ready (a connection without an offline queue refuses commands before). */
export function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('end', () => reject(new HubError('TH_ERR_REDIS_UNAVAILABLE', 'Redis is unavailable: the connection ended before it was ready')));
  });
}

/** Health probes answer within a second: false at once while the connection is down, else PING within 1 s. */
export async function redisAnswers(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), HEALTH_PING_TIMEOUT_MS); });
  try {
    return await Promise.race([redis.ping().then((reply) => reply === 'PONG', () => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(what: string, why: string, cause?: unknown): HubError {
  return new HubError('TH_ERR_REDIS_UNAVAILABLE', `Redis is unavailable (${why}): ${what}; retry later`, { cause });
}

/** Refusals (error replies) among TH_ERR_REDIS_UNAVAILABLE errors, each with Redis's words. */
const REFUSALS = new WeakMap<HubError, string>();

function refused(what: string, reply: string): HubError {
  const err = unavailable(what, `it refused the command: ${reply}`);
  REFUSALS.set(err, reply);
  return err;
}

/**
 * Redis's error reply when `err` is a command Redis refused (OOM at maxmemory, NOPERM, READONLY)
 * rather than an outage: no outage watcher reports those, so whoever answers the request logs them.
 */
export function redisRefusal(err: unknown): string | undefined {
  return err instanceof HubError ? REFUSALS.get(err) : undefined;
}
