import { format } from 'node:util';
import type { LogLevel } from '../protocol.js';
import { isoTime } from '../../time.js';

/** Writes one message as Lambda's runtime does: `<ISO time>\t<requestId>\t<LEVEL>\t<message>`. */
export type LogWriter = (level: LogLevel, message: string) => void;
type Emit = (level: LogLevel, line: string) => void;

const CONSOLE_LEVELS = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
] as const;

/**
 * Routes the handler's console.* calls and raw stdout/stderr writes to `emit`. Outside an
 * invocation the request id prints as `undefined`, as on Lambda during init.
 */
export function captureLogs(requestId: () => string | undefined, emit: Emit): LogWriter {
  const write: LogWriter = (level, message) => {
    emit(level, `${isoTime(Date.now())}\t${requestId()}\t${level}\t${message}`);
  };
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of CONSOLE_LEVELS) {
    target[method] = (...args: unknown[]) => write(level, format(...args));
  }
  process.stdout.write = rawWriter('INFO', emit);
  process.stderr.write = rawWriter('ERROR', emit);
  return write;
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
