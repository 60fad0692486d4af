import { types } from 'node:util';
import type { LambdaErrorPayload } from '../types.js';

/**
 * The error documents of AWS's Node.js runtimes (aws-lambda-nodejs-runtime-interface-client,
 * Errors.js): what a caller gets back is `{errorType, errorMessage, trace}`, `trace` being the
 * stack's lines as they are (`TypeError: boom`, `    at …`); the log line carries the error's own
 * enumerable fields and its stack as `stack`. (Python's runtime answers `stackTrace`; see
 * src/runtime/python.)
 */

interface ErrorShaped {
  name: string;
  message: string;
  stack: string;
  retryable?: unknown;
  code?: unknown;
  time?: unknown;
}

/** `toRapidResponse`: the document for a value a handler threw, rejected with or passed to its callback. */
export function toErrorPayload(err: unknown): LambdaErrorPayload {
  try {
    if (types.isNativeError(err) || isErrorShaped(err)) {
      const shaped = err as ErrorShaped;
      const payload: LambdaErrorPayload = { errorType: shaped.name, errorMessage: shaped.message, trace: shaped.stack.split('\n') };
      // The hub's one addition: `retryable: false` on the error skips async retries. The AWS SDK for
      // JavaScript v2 sets `retryable` (false for a service's own errors: ConditionalCheckFailed,
      // NoSuchKey) on every error it raises, with `code` and `time`: such an error is retried as Lambda retries it.
      if (shaped.retryable === false && !fromAwsSdkV2(shaped)) payload.retryable = false;
      return payload;
    }
    return { errorType: typeof err, errorMessage: (err as { toString(): string }).toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** An AWSError of the AWS SDK for JavaScript v2 (its `util.error` stamps `code` and `time` on every error it raises). */
function fromAwsSdkV2(err: ErrorShaped): boolean {
  return typeof err.code === 'string' && types.isDate(err.time);
}

/** AWS's `Runtime.UnhandledPromiseRejection`: an error made where the rejection is noticed, its message the reason as text. */
export class UnhandledPromiseRejection extends Error {
  constructor(reason: unknown) {
    super(describe(reason));
    this.name = 'Runtime.UnhandledPromiseRejection';
  }
}

/** `toFormatted`: the JSON of an error log line (`Invoke Error \t{…}`), with the error's own enumerable fields. */
export function formatError(err: unknown): string {
  try {
    return JSON.stringify(err, (_key, value: unknown) => withEnumerableProperties(value));
  } catch {
    return JSON.stringify(toErrorPayload(err));
  }
}

function withEnumerableProperties(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out: Record<string, unknown> = { errorType: value.name, errorMessage: value.message, code: (value as { code?: unknown }).code, ...value };
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}

function isErrorShaped(value: unknown): value is ErrorShaped {
  const { name, message, stack } = (value ?? {}) as Partial<Record<keyof ErrorShaped, unknown>>;
  return typeof name === 'string' && name !== '' && typeof message === 'string' && message !== '' && typeof stack === 'string' && stack !== '';
}

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
