import type { FunctionConfig as LoadedFunction } from '../config/load.js';
import type { Isolation } from '../config/schema.js';
import type { LogSink } from '../logs/sink.js';

/** Lambda's error payload: what a caller sees for a failed invocation. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  /** Node.js runtimes: the stack's lines, the first one `Type: message` (as AWS's Node runtimes send it). */
  trace?: string[];
  /** Python runtimes (and the hub's own thrown errors): the stack frames. */
  stackTrace?: string[];
  /** Set to false when the handler's error said so (`err.retryable === false`): do not retry. */
  retryable?: boolean;
  /** A custom runtime's own fields (the document it posted is passed on unchanged). */
  [field: string]: unknown;
}

/** How an invocation ended. `error` is a handler error; the rest are environment failures. */
export type InvocationStatus = 'success' | 'error' | 'timeout' | 'out_of_memory' | 'exited';

/**
 * Receives a streaming handler's response as it is written (InvokeWithResponseStream, function
 * URLs in RESPONSE_STREAM mode). Without one, a streamed response is buffered into the payload.
 */
export interface ResponseSink {
  /** The stream's content type, once, before the first bytes. */
  start(contentType: string): void;
  /**
   * Takes bytes; `taken` is called once the client's connection can take more (at once while it
   * keeps up, when it drains if it reads slower than the handler writes, at once if it is gone):
   * the handler's stream waits for it (see stream-credit.ts).
   */
  chunk(bytes: Buffer, taken: () => void): void;
}

/** How a synchronous invocation runs (Dispatcher.invokeSync, SourceContext.invokeSync). */
export interface SyncInvokeOptions {
  /** A version or alias of the function. */
  qualifier?: string;
  /** Where a streaming handler's bytes go as they are written. */
  stream?: ResponseSink;
  /** The Invoke API's ClientContext, decoded: the handler's `context.clientContext`. */
  clientContext?: Record<string, unknown>;
  /**
   * The payload as the caller sent it (JSON text), which the runtime parses itself, as Lambda's
   * does: a number JavaScript cannot hold (an integer past 2^53, 1e400, -0.0) reaches a Python
   * handler as written. Without it, the envelope's data is passed.
   */
  payload?: string;
}

export interface InvokeRequest {
  requestId: string;
  /** The event as JSON text (passed to the handler after JSON.parse); or, instead, `event`. */
  payload?: string;
  /**
   * The event as a value, when the caller holds it parsed (a queued envelope's data, a built HTTP
   * event): a process environment gets it inside its IPC message, encoded once, instead of JSON
   * text encoded again as a string of that message (see payloadText for the others).
   */
  event?: unknown;
  /** Lambda client context (base64 JSON in X-Amz-Client-Context), already decoded. */
  clientContext?: unknown;
  /**
   * W3C traceparent (or an X-Ray header): the handler sees it as _X_AMZN_TRACE_ID (X-Ray form)
   * and TRACEPARENT. Any other string is passed on unchanged as _X_AMZN_TRACE_ID.
   */
  traceId?: string;
  /**
   * The qualifier the caller gave (`1`, an alias, `$LATEST`): the handler's
   * `invokedFunctionArn` is then the qualified ARN. The pool already runs the version it names.
   */
  qualifier?: string;
  /** Where a streaming handler's bytes go as they are written. */
  stream?: ResponseSink;
}

export interface InvokeResult {
  requestId: string;
  status: InvocationStatus;
  /** JSON text of the handler's result (`null` when it returned undefined). Set on success. */
  payload?: string;
  /** Set when status is not success. */
  error?: LambdaErrorPayload;
  /** The handler streamed its response (to the request's sink, or buffered into `payload`). */
  streamed?: boolean;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** Set on a cold start: time to load the handler module. */
  initDurationMs?: number;
  /** This invocation's log text as CloudWatch would hold it: START, handler lines, END, REPORT. */
  logs: string;
  /** Which execution environment ran it. */
  environmentId: string;
}

export interface RuntimeOptions {
  region: string;
  accountId: string;
  /** Upper bound of environments per function when it has no reserved concurrency. */
  maxEnvironments: number;
  idleTimeoutMs: number;
  /**
   * When every warm environment is busy, how long an invocation waits for one to free up before
   * a new environment is started (a cold start). 0 starts one at once, as Lambda does.
   */
  scaleUpDelayMs?: number;
  /**
   * Environments a function whose handler computes rather than waits (its environments busy on CPU
   * for half their invocations' time or more) gets at most, below its maximum: more processes
   * than the CPUs can run make each invocation slower, not more of them. Default: no such limit.
   */
  cpuBoundEnvironments?: number;
  /** Also receives every invocation log line (e.g. the per-function Redis streams). */
  logSink?: LogSink;
  /** Node.js environments as processes (default) or worker threads; a function's `isolation` wins. */
  isolation?: Isolation;
  /** Where TypeScript handlers are compiled to (`<dataDir>/build`); without it they run through tsx. */
  buildDir?: string;
}

/**
 * A function as its execution environments run it: one variant (see config/versions.ts) with the
 * alias's environment already applied; `version` is `$LATEST` when absent.
 */
export type FunctionConfig = LoadedFunction & { version?: string };
