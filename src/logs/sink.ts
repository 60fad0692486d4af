/** Where an invocation's log lines go besides pino: see redis-sink.ts. */

/** `init`: a cold start's lines before START; `handler`: the handler's own output. */
export type LogLineType = 'init' | 'start' | 'handler' | 'end' | 'report';

export const LOG_LINE_TYPES: readonly LogLineType[] = ['init', 'start', 'handler', 'end', 'report'];

/** The stream entry field holding an invocation's lines (entries written before it hold one line each). */
export const LINES_FIELD = 'lines';

export interface LogEntry {
  function: string;
  requestId: string;
  type: LogLineType;
  /** INFO for START/END/REPORT; the handler line's level otherwise. */
  level: string;
  line: string;
  /** Epoch milliseconds when the line was written. */
  ts: number;
  environmentId: string;
  traceparent?: string;
}

/** The invocation lines belong to: one object per invocation, shared by all its lines. */
export interface LogSource {
  function: string;
  requestId: string;
  environmentId: string;
  traceparent?: string;
}

/** One line as a stream entry's `lines` field stores it: type, level, epoch ms, text. */
export type LogLine = [type: LogLineType, level: string, ts: number, line: string];

/** Takes lines without blocking the invocation; failures are the sink's to report, never the caller's. */
export interface LogSink {
  write(source: LogSource, line: LogLine): void;
}
