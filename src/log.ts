import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Pretty-print (pino-pretty). Defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Write to this destination instead of stdout (tests). */
  destination?: NodeJS.WritableStream;
}

/** Bytes of log lines that go to stdout in one write under load. */
const STDOUT_MIN_WRITE = 4096;
/** The longest a log line waits in the buffer when the hub is not busy. */
const FLUSH_EVERY_MS = 100;

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
  // Asynchronous, coalesced stdout: lines collect in a buffer and go out in one write once 4 KB
  // are pending or FLUSH_EVERY_MS has passed, instead of one write (a thread-pool round trip) per
  // line. pino flushes what is pending synchronously when the process exits.
  const destination = pino.destination({ dest: 1, sync: false, minLength: STDOUT_MIN_WRITE });
  let pending = false;
  const write = destination.write.bind(destination);
  destination.write = (line: string) => { pending = true; return write(line); };
  const timer = setInterval(() => {
    if (!pending) return;
    pending = false;
    destination.flush();
  }, FLUSH_EVERY_MS).unref();
  destination.once('close', () => clearInterval(timer));
  return pino(base, destination);
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
