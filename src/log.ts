import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Pretty-print (pino-pretty). Defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Write to this destination instead of stdout (tests). */
  destination?: NodeJS.WritableStream;
}

/** The hub's one root logger. Children carry `component`, `function`, `requestId`. */
export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.TRIGGERHUB_LOG_LEVEL ?? 'info';
  const base: LoggerOptions = {
    level,
    base: { name: 'triggerhub' },
    redact: {
      paths: ['*.password', '*.secret', '*.secretAccessKey', '*.token', '*.authorization', 'redis.url'],
      censor: '[redacted]',
    },
  };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,name' } },
    });
  }
  // Asynchronous stdout: lines written while a write is in flight go out together in the next one
  // (one write call per burst instead of one per line under load). Nothing waits in a buffer
  // when idle (minLength 0), and pino flushes what is pending synchronously when the process exits.
  return pino(base, pino.destination({ dest: 1, sync: false }));
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
