import { writeInfo, type Logger } from '../log.js';
import type { LogLineType, LogSink, LogSource } from '../logs/sink.js';
import { LogBudget, MAX_OUTPUT_CHARS } from './log-limits.js';
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

/** What REPORT says of an invocation: `elapsedMs` since it (or, cold, its init) began; the environment's peak memory. */
export function reportFields(input: { status: InvocationStatus; elapsedMs: number; memorySizeMB: number; peakKB: number; initDurationMs?: number }): ReportFields {
  const { status, memorySizeMB } = input;
  const durationMs = twoDecimals(input.elapsedMs);
  const report: ReportFields = {
    status,
    durationMs,
    billedDurationMs: Math.max(1, Math.ceil(durationMs)),
    memorySizeMB,
    maxMemoryUsedMB: status === 'out_of_memory' ? memorySizeMB : Math.round(input.peakKB / 1024),
  };
  if (input.initDurationMs !== undefined) report.initDurationMs = twoDecimals(input.initDurationMs);
  return report;
}

function twoDecimals(ms: number): number {
  return Math.round(ms * 100) / 100;
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
  /** What the sink groups this invocation's lines by (one stream entry for the lines of a batch). */
  readonly #source: LogSource;
  readonly #budget = new LogBudget();
  #started = false;

  constructor(logger: Logger, options: InvocationLogOptions) {
    const { requestId, traceparent, environmentId } = options;
    // The ids go on each line's own fields instead of a child logger per invocation (pino serialises
    // a child's bindings when it is made, which costs more than the one or two lines written at
    // info). Each line's fields are one object literal: spreading the bindings and the figures into
    // a new object cost about as much as pino's serialisation of it (bench/log-lines.ts).
    this.#logger = unredacted(logger);
    this.#source = traceparent ? { function: options.function, requestId, environmentId, traceparent } : { function: options.function, requestId, environmentId };
    this.#options = options;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const { requestId, traceparent, version } = this.#options;
    const line = `START RequestId: ${requestId} Version: ${version}`;
    this.#emit('start', 'INFO', line);
    if (this.#logger.isLevelEnabled('debug')) this.#logger.debug({ requestId, traceparent, event: 'invocation_start' }, line);
  }

  /** A line the handler (or, before START, its init) wrote: cut and counted against the budget (see log-limits.ts). */
  handler(level: LogLevel, text: string): void {
    const line = this.#budget.take(text);
    if (line === undefined) return;
    this.#emit(this.#started ? 'handler' : 'init', level, line);
    const { requestId, traceparent } = this.#options;
    if (this.#logger.isLevelEnabled('info')) this.#logger.info({ requestId, traceparent, event: 'handler_log', logLevel: level }, line);
  }

  /** Writes END and REPORT; returns the whole text. */
  finish(report: ReportFields): string {
    this.start();
    const { requestId, traceparent } = this.#options;
    const lines = this.#budget.dropped;
    if (lines > 0) {
      const note = `[triggerhub] ${lines} lines of output dropped: an invocation logs at most ${MAX_OUTPUT_CHARS} characters`;
      this.#emit('handler', 'WARN', note);
      this.#logger.warn({ requestId, traceparent, event: 'handler_logs_dropped', lines }, note);
    }
    const { status, durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB, initDurationMs } = report;
    const end = `END RequestId: ${requestId}`;
    this.#emit('end', 'INFO', end);
    if (this.#logger.isLevelEnabled('debug')) this.#logger.debug({ requestId, traceparent, event: 'invocation_end', status }, end);
    const init = initDurationMs === undefined ? '' : `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
    const line = `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms`
      + `\tBilled Duration: ${billedDurationMs} ms\tMemory Size: ${memorySizeMB} MB`
      + `\tMax Memory Used: ${maxMemoryUsedMB} MB${init}${REPORT_STATUS[status]}`;
    this.#emit('report', 'INFO', line);
    // The fields pino would write for { requestId, traceparent, event, status, durationMs,
    // billedDurationMs, memorySizeMB, maxMemoryUsedMB, initDurationMs } (undefined ones left out).
    writeInfo(this.#logger, `,"requestId":${JSON.stringify(requestId)}${traceparent === undefined ? '' : `,"traceparent":${JSON.stringify(traceparent)}`}`
      + `,"event":"invocation_report","status":"${status}","durationMs":${durationMs},"billedDurationMs":${billedDurationMs}`
      + `,"memorySizeMB":${memorySizeMB},"maxMemoryUsedMB":${maxMemoryUsedMB}${initDurationMs === undefined ? '' : `,"initDurationMs":${initDurationMs}`}`, line);
    return `${this.#lines.join('\n')}\n`;
  }

  /** Keeps the line for the invocation's log text and hands it to the sink (the function's log stream). */
  #emit(type: LogLineType, level: string, line: string): void {
    this.#lines.push(line);
    this.#options.sink?.write(this.#source, [type, level, Date.now(), line]);
  }
}
