import type { LambdaErrorPayload } from '../types.js';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  retryable?: unknown;
  constructor?: { name?: unknown };
}

/** Lambda's error payload for a value a handler threw, rejected with or passed to its callback. */
export function toErrorPayload(err: unknown): LambdaErrorPayload {
  if (!isErrorLike(err)) return { errorType: 'Error', errorMessage: describe(err) };
  const errorMessage = typeof err.message === 'string' ? err.message : describe(err.message);
  const payload: LambdaErrorPayload = {
    errorType: errorType(err),
    errorMessage,
    stackTrace: stackFrames(err.stack, errorMessage),
  };
  if (err.retryable === false) payload.retryable = false;
  return payload;
}

/** What Lambda reports when a promise rejection goes unhandled during an invocation. */
export function unhandledRejectionPayload(reason: unknown): LambdaErrorPayload {
  return {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: describe(reason),
    stackTrace: isErrorLike(reason) ? stackFrames(reason.stack, describe(reason.message)) : [],
  };
}

function isErrorLike(value: unknown): value is ErrorLike {
  return value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value);
}

function errorType(err: ErrorLike): string {
  if (typeof err.name === 'string' && err.name) return err.name;
  const ctor = err.constructor?.name;
  return typeof ctor === 'string' && ctor ? ctor : 'Error';
}

/** Stack lines after the `Name: message` header (which spans as many lines as the message). */
function stackFrames(stack: unknown, message: string): string[] {
  if (typeof stack !== 'string') return [];
  const headerLines = message.split('\n').length;
  return stack.split('\n').slice(headerLines).map((line) => line.trim()).filter(Boolean);
}

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
