import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Pretty-print (pino-pretty). Defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Write to this destination instead of stdout (tests). */
  destination?: NodeJS.WritableStream;
  /** The file descriptor the coalescing stdout path writes to (default 1; bench/log-lines.ts uses /dev/null). */
  fd?: number;
}

/** Characters of log lines that go to stdout in one write under load (sonic-boom writes at most 16 KB at once). */
const STDOUT_CHUNK = 15 * 1024;
/** The longest a log line waits in the buffer when the hub is not busy. */
const FLUSH_EVERY_MS = 100;
/** The longest a flush(cb) waits for the write in flight. */
const FLUSH_WAIT_MS = 2000;

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
  // Asynchronous, coalesced stdout: lines collect in an array and go to sonic-boom (pino's
  // destination, which writes them without blocking) joined, once STDOUT_CHUNK characters are
  // pending or FLUSH_EVERY_MS has passed: one write (a thread-pool round trip) per ~30 lines instead
  // of one per line. sonic-boom's own accumulation costs about 3 us per line (it recounts its
  // buffer's bytes on every write), the array about 0.1. pino's exit handler calls flushSync, which
  // hands over what is pending first.
  const destination = pino.destination({ dest: options.fd ?? 1, sync: false });
  const write = destination.write.bind(destination);
  const flush = destination.flush.bind(destination);
  const flushSync = destination.flushSync.bind(destination);
  let lines: string[] = [];
  let size = 0;
  const release = () => {
    if (!lines.length) return;
    const text = lines.join('');
    lines = [];
    size = 0;
    write(text);
  };
  destination.write = (line: string) => {
    lines.push(line);
    size += line.length;
    if (size >= STDOUT_CHUNK) release();
    return true;
  };
  // sonic-boom's flush(cb) calls back at once when it does not buffer (minLength 0), with a write
  // maybe still in flight: this one calls back once what was pending is written (its 'drain'), or
  // on a write error, or after FLUSH_WAIT_MS at most (a reader that stopped reading).
  const idle = destination as unknown as { _writing: boolean };
  destination.flush = (cb?: (err?: Error) => unknown) => {
    release();
    if (!cb) return flush();
    if (!idle._writing) return cb();
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timeout);
      destination.off('drain', finish).off('error', finish);
      cb(err instanceof Error ? err : undefined);
    };
    const timeout = setTimeout(finish, FLUSH_WAIT_MS);
    destination.once('drain', finish).once('error', finish);
  };
  // At exit, pending lines go out synchronously: released as usual they would start an asynchronous
  // write that sonic-boom's flushSync leaves in flight and an exiting process may never finish.
  const mode = destination as unknown as { sync: boolean };
  destination.flushSync = () => {
    const sync = mode.sync;
    mode.sync = true;
    try {
      release();
      flushSync();
    } finally {
      mode.sync = sync;
    }
  };
  const timer = setInterval(release, FLUSH_EVERY_MS).unref();
  destination.once('close', () => clearInterval(timer));
  return pino(base, destination);
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

type Internals = Record<symbol, unknown>;
const S = pino.symbols;

/**
 * Drops every line from now on, of the logger and its children (they share its stream): for a
 * terminal that hung up, where a write fails with EIO and Node's tty handling then crashes the
 * process (Node 20: SIGSEGV with the pino-pretty worker).
 */
export function muteLogOutput(logger: Logger): void {
  const stream = (logger as unknown as Internals)[S.streamSym] as { write: (line: string) => boolean };
  stream.write = () => true;
}

/**
 * Writes the line `logger.info(fields, msg)` would write, given `fields` already serialised as
 * pino serialises an object's properties (`,"name":value` each, in order), from the logger's own
 * level label, time function, bindings, message key and ending (pino.symbols, its interface for
 * integrations). For a fixed-shape line written per invocation, where pino's generic walk over an
 * object costs more than building the text. A logger whose lines pino would change further (a
 * mixin, a log formatter, a nested key, a stream-write hook, a destination wanting per-line
 * metadata) gets `logger.info` instead.
 */
export function writeInfo(logger: Logger, fields: string, msg: string): void {
  if (!logger.isLevelEnabled('info')) return;
  const internals = logger as unknown as Internals;
  const stream = internals[S.streamSym] as { write(line: string): void } & Internals;
  const formatters = internals[S.formattersSym] as { log?: unknown };
  const hooks = internals[S.hooksSym] as { streamWrite?: unknown };
  if (stream[S.needsMetadataGsym] || internals[S.mixinSym] || formatters.log || hooks.streamWrite || internals[S.nestedKeySym]) {
    logger.info(JSON.parse(`{${fields.slice(1)}}`), msg);
    return;
  }
  const level = (internals[S.lsCacheSym] as Record<number, string>)[logger.levels.values.info];
  const time = (internals[S.timeSym] as () => string)();
  stream.write(`${level}${time}${internals[S.chindingsSym] as string}${fields},"${internals[S.messageKeySym] as string}":${JSON.stringify(msg)}${internals[S.endSym] as string}`);
}
