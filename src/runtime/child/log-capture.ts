import { format } from 'node:util';
import type { LogLevel } from '../protocol.js';
import { isoTime } from '../../time.js';
import { formatError } from './error-payload.js';

/** Logs an error the runtime reports (`Invoke Error`, `Uncaught Exception`) as Lambda's runtime does. */
export type ErrorLogger = (title: string, err: unknown) => void;
type Emit = (level: LogLevel, line: string) => void;

/** Lambda's levels, lowest first (aws-lambda-nodejs-runtime-interface-client, LogPatch.js). */
const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const CONSOLE_LEVELS = new Map<string, LogLevel>([
  ['trace', 'TRACE'], ['debug', 'DEBUG'], ['info', 'INFO'], ['log', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['fatal', 'FATAL'],
]);
const noop = () => undefined;

/**
 * Routes the handler's console.* calls and raw stdout/stderr writes to `emit`, as Lambda's Node.js
 * runtime patches the console: `<ISO time>\t<requestId>\t<LEVEL>\t<message>`, or with
 * `AWS_LAMBDA_LOG_FORMAT=JSON` `{"timestamp","level","requestId","message"}`; methods below
 * `AWS_LAMBDA_LOG_LEVEL` do nothing (`console.fatal` always logs). Outside an invocation the
 * request id prints as `undefined`, as on Lambda during init.
 */
export function captureLogs(requestId: () => string | undefined, emit: Emit, env: NodeJS.ProcessEnv = process.env): ErrorLogger {
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const minimum = Math.max(0, LEVELS.indexOf(env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() as LogLevel));
  const enabled = (level: LogLevel) => level === 'FATAL' || LEVELS.indexOf(level) >= minimum;
  const write = (level: LogLevel, args: unknown[]) => {
    emit(level, json ? jsonLine(level, requestId(), args) : `${isoTime(Date.now())}\t${requestId()}\t${level}\t${format(...args)}`);
  };
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of CONSOLE_LEVELS) {
    target[method] = enabled(level) ? (...args: unknown[]) => write(level, args) : noop;
  }
  process.stdout.write = rawWriter('INFO', emit);
  process.stderr.write = rawWriter('ERROR', emit);
  // LogPatch's structuredConsole.logError: the error itself in JSON, else `<title> \t<formatted>`.
  return (title, err) => {
    if (enabled('ERROR')) write('ERROR', json ? [err instanceof Error ? err : new Error(String(err))] : [`${title} \t${formatError(err)}`]);
  };
}

/** LogPatch's formatJsonMessage: one argument is the message as it is (an error as its fields), several are formatted. */
function jsonLine(level: LogLevel, requestId: string | undefined, args: unknown[]): string {
  const result: Record<string, unknown> = { timestamp: isoTime(Date.now()), level, requestId };
  if (args.length === 1) {
    result.message = args[0];
    try {
      return JSON.stringify(result, (_key, value: unknown) => (value instanceof Error ? errorFields(value) : value));
    } catch {
      result.message = format(result.message);
      return JSON.stringify(result);
    }
  }
  result.message = format(...args);
  const error = args.find((arg): arg is Error => arg instanceof Error);
  if (error) {
    result.errorType = error.constructor?.name ?? 'UnknownError';
    result.errorMessage = error.message;
    result.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(result);
}

function errorFields(error: Error): Record<string, unknown> {
  const stack: unknown = error.stack;
  return { errorType: error.constructor?.name ?? 'UnknownError', errorMessage: error.message,
    stackTrace: typeof stack === 'string' ? stack.split('\n') : stack, ...error };
}

/** A stream `write` that forwards the text unprefixed, as Lambda keeps direct stdout writes. */
function rawWriter(level: LogLevel, emit: Emit): typeof process.stdout.write {
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const line = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (line) emit(level, line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof process.stdout.write;
}
