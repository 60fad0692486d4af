import type { Logger } from '../log.js';
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

/**
 * One invocation's log text as CloudWatch would hold it (init lines of a cold start, START,
 * handler lines, END, REPORT), each line also sent to pino as one event.
 */
export class InvocationLog {
  readonly #lines: string[] = [];
  readonly #logger: Logger;
  readonly #requestId: string;
  #started = false;

  constructor(logger: Logger, requestId: string) {
    this.#logger = logger.child({ requestId });
    this.#requestId = requestId;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#emit({ event: 'invocation_start' }, `START RequestId: ${this.#requestId} Version: $LATEST`);
  }

  handler(level: LogLevel, line: string): void {
    this.#emit({ event: 'handler_log', logLevel: level }, line);
  }

  /** Writes END and REPORT; returns the whole text. */
  finish(report: ReportFields): string {
    this.start();
    const id = this.#requestId;
    this.#emit({ event: 'invocation_end', status: report.status }, `END RequestId: ${id}`);
    const init = report.initDurationMs === undefined ? '' : `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`;
    const line = `REPORT RequestId: ${id}\tDuration: ${report.durationMs.toFixed(2)} ms`
      + `\tBilled Duration: ${report.billedDurationMs} ms\tMemory Size: ${report.memorySizeMB} MB`
      + `\tMax Memory Used: ${report.maxMemoryUsedMB} MB${init}${REPORT_STATUS[report.status]}`;
    this.#emit({ event: 'invocation_report', ...report }, line);
    return `${this.#lines.join('\n')}\n`;
  }

  #emit(fields: Record<string, unknown>, line: string): void {
    this.#lines.push(line);
    this.#logger.info(fields, line);
  }
}
