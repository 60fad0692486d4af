import type { LambdaErrorPayload } from './types.js';

/** A streamed response framed for function URLs: JSON metadata, 8 NUL bytes, then the body (HttpResponseStream). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** Messages between the hub (parent) and one execution environment (the bootstrap, forked or in a worker thread). */

/** Handler log levels as Lambda's Node.js runtime prints them. */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'TRACE' | 'FATAL';

/** The bootstrap's one command-line argument, as JSON. */
export interface BootstrapSpec {
  handlerFile: string;
  handlerExport: string;
  /** The configured handler string (`_HANDLER`), used in Runtime.HandlerNotFound messages. */
  handler: string;
}

/** Parent → child: run one invocation. */
export interface InvokeMessage {
  /** Only a CreditMessage has a type. */
  type?: never;
  requestId: string;
  /** The event as JSON text; or, instead, `event` (over a process's JSON IPC channel). */
  payload?: string;
  /** The event as a value: JSON.parse(payload) would give the same. */
  event?: unknown;
  /** Epoch milliseconds when the invocation times out. */
  deadline: number;
  /** `context.invokedFunctionArn`: qualified when the caller gave a qualifier. */
  invokedFunctionArn: string;
  clientContext?: unknown;
  /** `_X_AMZN_TRACE_ID` / Lambda-Runtime-Trace-Id: X-Ray form (`Root=1-…;Parent=…;Sampled=…`). */
  traceId?: string;
  /** The same trace as a W3C traceparent (TRACEPARENT, `context.traceparent`), when the trace is valid. */
  traceparent?: string;
}

/**
 * Parent → child: the hub's client took chunks of the streamed response worth `bytes` of credit
 * (as stream-credit.ts counts them): the bootstrap may send as much more.
 */
export interface CreditMessage {
  type: 'credit';
  bytes: number;
}

/** Parent → child: invocations posted in one event-loop turn, to run in order (see node-bootstrap.ts). */
export interface BatchMessage {
  type: 'batch';
  messages: InvokeMessage[];
}

/** What the parent sends. */
export type HubMessage = InvokeMessage | CreditMessage | BatchMessage;

/** Child → parent. */
export type ChildMessage =
  /** The handler module loaded; the environment takes invocations. */
  | { type: 'ready' }
  /** One log line, already formatted the way Lambda writes it. */
  | { type: 'log'; level: LogLevel; line: string }
  /** A streaming handler opened its response stream (before its first bytes). */
  | { type: 'stream'; contentType: string }
  /** Bytes a streaming handler wrote, base64. */
  | { type: 'chunk'; data: string }
  /**
   * The current invocation finished: `payload` (JSON text) or `error`. A process environment adds
   * the CPU time it used since its previous result (µs) and the invocation's wall time from its
   * message to its result (µs): how the pool tells handlers that wait from handlers that compute.
   */
  | { type: 'result'; payload?: string; error?: LambdaErrorPayload; maxRssKB: number; cpuUs?: number; wallUs?: number }
  /** The environment is broken (init failure, uncaught exception, unhandled rejection). */
  | { type: 'fatal'; error: LambdaErrorPayload }
  /** A worker thread's own memory (V8 heap + external), every 100 ms of an invocation: its watchdog's input. */
  | { type: 'memory'; kB: number };

/**
 * An invocation's event as JSON text, for the transports that carry text: the Runtime API (its
 * body) and worker threads (whose structured clone would keep what JSON drops: undefined
 * properties, Dates, Maps).
 */
export function payloadText(message: Pick<InvokeMessage, 'payload' | 'event'>): string {
  return message.payload ?? JSON.stringify(message.event) ?? 'null';
}

type Fields = Record<string, unknown>;
const LOG_LEVELS = new Set<unknown>(['INFO', 'WARN', 'ERROR', 'DEBUG', 'TRACE', 'FATAL']);
const isErrorPayload = (error: unknown): boolean => typeof error === 'object' && error !== null && typeof (error as Fields).errorType === 'string';
const isText = (value: unknown): boolean => value === undefined || typeof value === 'string';
const isCount = (value: unknown): boolean => value === undefined || (typeof value === 'number' && value >= 0);
/** Per message type, whether a message has its fields. */
const SHAPES = new Map<unknown, (message: Fields) => boolean>([
  ['ready', () => true],
  ['log', (m) => typeof m.line === 'string' && LOG_LEVELS.has(m.level)],
  ['stream', (m) => typeof m.contentType === 'string'],
  ['chunk', (m) => typeof m.data === 'string'],
  ['result', (m) => typeof m.maxRssKB === 'number' && isText(m.payload) && (m.error === undefined || isErrorPayload(m.error)) && isCount(m.cpuUs) && isCount(m.wallUs)],
  ['fatal', (m) => isErrorPayload(m.error)],
  ['memory', (m) => typeof m.kB === 'number'],
]);

/**
 * A message from a Node.js environment's channel as a ChildMessage, or undefined when it is not
 * one: handler code can reach the channel (`process.channel`, a worker's `parentPort`) and send
 * anything on it, which must not reach (or crash) the hub.
 */
export function childMessage(value: unknown): ChildMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const shape = SHAPES.get((value as Fields).type);
  return shape?.(value as Fields) ? value as ChildMessage : undefined;
}
