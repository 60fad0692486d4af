import type { InvokeResult, LambdaErrorPayload } from './types.js';

/** How an invocation ended, from the environment's messages or the hub's watchdogs. */
export type Ending =
  | { kind: 'result'; payload?: string; error?: LambdaErrorPayload; maxRssKB: number; wallMs?: number }
  | { kind: 'fatal'; error: LambdaErrorPayload }
  | { kind: 'timeout' }
  | { kind: 'oom' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  /** The sandbox's process could not be started. */
  | { kind: 'launch'; error: NodeJS.ErrnoException };

/** V8's report when the heap limit kills a Node.js environment. */
const HEAP_OOM = /heap out of memory/i;

/** The result's status and payload or error for an ending; `stderrTail` tells a V8 OOM from an exit. */
export function outcomeOf(ending: Ending, requestId: string, timeoutSeconds: number, stderrTail: string): Pick<InvokeResult, 'status' | 'payload' | 'error'> {
  switch (ending.kind) {
    case 'result':
      return ending.error ? { status: 'error', error: ending.error } : { status: 'success', payload: ending.payload ?? 'null' };
    case 'fatal':
      return { status: 'error', error: ending.error };
    case 'timeout':
      return { status: 'timeout', error: timeoutError(requestId, timeoutSeconds) };
    case 'oom':
      return { status: 'out_of_memory', error: outOfMemoryError(requestId) };
    case 'launch':
      return { status: 'error', error: entrypointError(requestId, ending.error) };
    case 'exit':
      return HEAP_OOM.test(stderrTail)
        ? { status: 'out_of_memory', error: outOfMemoryError(requestId) }
        : { status: 'exited', error: exitError(requestId, ending.code, ending.signal) };
  }
}

/** Go's wording for signals, which Lambda's "Runtime exited with error" messages use. */
const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGBUS: 'bus error',
};

/** The invocation ran past the function's timeout; the environment was killed. */
export function timeoutError(requestId: string, timeoutSeconds: number): LambdaErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** The environment went over its memory size (RSS watchdog or V8 heap limit). */
export function outOfMemoryError(requestId: string): LambdaErrorPayload {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
  };
}

/**
 * The environment's process ended during the invocation (process.exit, a crash, a signal). As
 * Lambda's runtime supervisor words it, a zero exit status gives no error, only no reason.
 */
export function exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): LambdaErrorPayload {
  const how = signal ? `signal: ${SIGNAL_WORDS[signal] ?? signal}` : `exit status ${code ?? 'unknown'}`;
  const why = !signal && code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: ${how}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${why}` };
}

/** Go's words (so Lambda's) for what exec fails with. */
const ERRNO_WORDS = new Map([
  ['EACCES', 'permission denied'],
  ['ENOENT', 'no such file or directory'],
  ['ENOEXEC', 'exec format error'],
  ['E2BIG', 'argument list too long'],
]);

/**
 * The runtime's process could not be started (a `bootstrap` without its execute bit, no `python3`):
 * Lambda's Runtime.InvalidEntrypoint, `fork/exec <file>: <why>`.
 */
export function entrypointError(requestId: string, err: NodeJS.ErrnoException): LambdaErrorPayload {
  const why = err.path === undefined ? err.message : `fork/exec ${err.path}: ${ERRNO_WORDS.get(err.code ?? '') ?? err.code ?? err.message}`;
  return { errorType: 'Runtime.InvalidEntrypoint', errorMessage: `RequestId: ${requestId} Error: ${why}` };
}

/** The error as Lambda reports it to callers and destinations: the hub's own `retryable` flag (README, Invocation semantics) stays out. */
export function lambdaErrorDocument(error: LambdaErrorPayload): Omit<LambdaErrorPayload, 'retryable'> {
  if (!('retryable' in error)) return error;
  const { retryable: _hubOnly, ...document } = error;
  return document;
}
