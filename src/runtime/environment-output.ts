import type { Logger } from '../log.js';
import type { InvocationLog } from './invocation-log.js';
import { LogBudget, PipeLines } from './log-limits.js';
import type { LogLevel } from './protocol.js';

/** How much of its stderr an environment keeps for an exit's error message (V8's OOM report). */
const STDERR_TAIL_CHARS = 4096;

/**
 * What one execution environment writes: the bootstrap's log lines and the sandbox's stdout/stderr
 * (split into lines), to the running invocation's log, or, between invocations (a handler's
 * timers), to the hub's log within a budget of their own, renewed by each invocation; and the tail
 * of its stderr.
 */
export class EnvironmentOutput {
  readonly #logger: Logger;
  readonly #environmentId: string;
  /** The running invocation's log, if one runs. */
  readonly #current: () => InvocationLog | undefined;
  readonly #pipes = new PipeLines((level, line) => this.line(level, line));
  #idle = new LogBudget();
  #stderrTail = '';

  constructor(logger: Logger, environmentId: string, current: () => InvocationLog | undefined) {
    this.#logger = logger;
    this.#environmentId = environmentId;
    this.#current = current;
  }

  /** The last characters the sandbox wrote to stderr. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** Text the sandbox wrote to its stdout or stderr. */
  pipe(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr') this.#stderrTail = (this.#stderrTail + text).slice(-STDERR_TAIL_CHARS);
    this.#pipes.push(stream, text);
  }

  /** One line, from the bootstrap or a pipe. */
  line(level: LogLevel, text: string): void {
    const log = this.#current();
    if (log) return log.handler(level, text);
    const line = this.#idle.take(text);
    if (line !== undefined) this.#logger.info({ event: 'handler_log', logLevel: level, environmentId: this.#environmentId }, line);
    else if (this.#idle.dropped === 1) this.#logger.warn({ event: 'handler_logs_dropped', environmentId: this.#environmentId }, 'output between invocations over its limit: dropped');
  }

  /** An invocation starts: output between invocations gets a fresh budget after it. */
  renew(): void {
    this.#idle = new LogBudget();
  }

  /** An invocation ends: a last line without its line break belongs to it. */
  flush(): void {
    this.#pipes.flush();
  }
}
