import type { Logger } from '../log.js';
import type { LogLineType, LogSink, LogSource } from '../logs/sink.js';
import type { LogLevel } from './protocol.js';
import type { InvocationStatus, InvokeResult } from './types.js';

/** What Lambda appends to REPORT for platform-level failures; handler errors add nothing. */
const REPORT_STATUS: Record<InvocationStatus, string> = {
  success: '',
  error: '',
  timeout: '\tStatus: timeout',
  out_of_memory: '\tStatus: error\tError Type: Runtime.OutOfMemory',
  exited: '\tStatus: error\tError Type: Runtime.ExitError',
};

export type ReportFields = Pick<InvokeResult,
  'status' | 'durationMs' | 'billedDurationMs' | 'memorySizeMB' | 'maxMemoryUsedMB' | 'initDurationMs'>;

export interface InvocationLogOptions {
  requestId: string;
  function: string;
  environmentId: string;
  /** The version running (`$LATEST`, `1`), as START names it. */
  version: string;
  /** The invocation's W3C trace, put on every pino line and stream entry. */
  traceparent?: string;
  sink?: LogSink;
}

/** Per logger, its child that skips redaction (see unredacted). */
const plainChildren = new WeakMap<Logger, Logger>();

/**
 * The logger's child without the root's redact paths, for invocation lines: their fields are known
 * (ids, trace, REPORT figures, a handler line's level) and hold no secrets, and pino's wildcard
 * redaction walks every key of every line: a REPORT line costs ~6 us with it and ~1.6 us without
 * (bench/log-lines.ts), and every invocation writes one.
 */
function unredacted(logger: Logger): Logger {
  let child = plainChildren.get(logger);
  if (!child) {
    child = logger.child({}, { redact: [] });
    plainChildren.set(logger, child);
  }
  return child;
}

/**
 * One invocation's log text as CloudWatch would hold it (init lines of a cold start, START,
 * handler lines, END, REPORT). Every line goes to the log sink (the function's Redis log stream,
 * read by `triggerhub logs`); on the hub's stdout handler lines and REPORT are `info`, START and
 * END `debug` (REPORT says all they do: one line per invocation instead of three).
 */
export class InvocationLog {
  readonly #lines: string[] = [];
  readonly #logger: Logger;
  readonly #options: InvocationLogOptions;
  readonly #bindings: { requestId: string; traceparent?: string };
  /** What the sink groups this invocation's lines by (one stream entry for the lines of a batch). */
  readonly #source: LogSource;
  #started = false;

  constructor(logger: Logger, options: InvocationLogOptions) {
    const { requestId, traceparent, environmentId } = options;
    // Bindings on each call instead of a child logger per invocation (pino serialises a child's
    // bindings when it is made, which costs more than the one or two lines written at info).
    this.#logger = unredacted(logger);
    this.#bindings = traceparent ? { requestId, traceparent } : { requestId };
    this.#source = traceparent ? { function: options.function, requestId, environmentId, traceparent } : { function: options.function, requestId, environmentId };
    this.#options = options;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#emit('start', 'INFO', 'debug', 'invocation_start', undefined, `START RequestId: ${this.#options.requestId} Version: ${this.#options.version}`);
  }

  /** A line the handler (or, before START, its init) wrote. */
  handler(level: LogLevel, line: string): void {
    this.#emit(this.#started ? 'handler' : 'init', level, 'info', 'handler_log', { logLevel: level }, line);
  }

  /** Writes END and REPORT; returns the whole text. */
  finish(report: ReportFields): string {
    this.start();
    const id = this.#options.requestId;
    this.#emit('end', 'INFO', 'debug', 'invocation_end', { status: report.status }, `END RequestId: ${id}`);
    const init = report.initDurationMs === undefined ? '' : `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`;
    const line = `REPORT RequestId: ${id}\tDuration: ${report.durationMs.toFixed(2)} ms`
      + `\tBilled Duration: ${report.billedDurationMs} ms\tMemory Size: ${report.memorySizeMB} MB`
      + `\tMax Memory Used: ${report.maxMemoryUsedMB} MB${init}${REPORT_STATUS[report.status]}`;
    this.#emit('report', 'INFO', 'info', 'invocation_report', report, line);
    return `${this.#lines.join('\n')}\n`;
  }

  #emit(type: LogLineType, level: string, pinoLevel: 'info' | 'debug', event: string, fields: object | undefined, line: string): void {
    this.#lines.push(line);
    if (this.#logger.isLevelEnabled(pinoLevel)) this.#logger[pinoLevel]({ ...this.#bindings, event, ...fields }, line);
    this.#options.sink?.write(this.#source, [type, level, Date.now(), line]);
  }
}
