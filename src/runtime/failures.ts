import type { LambdaErrorPayload } from './types.js';

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

/** The environment's process ended during the invocation (process.exit, a crash, a signal). */
export function exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): LambdaErrorPayload {
  const how = signal ? `signal: ${SIGNAL_WORDS[signal] ?? signal}` : `exit status ${code ?? 'unknown'}`;
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
  };
}
