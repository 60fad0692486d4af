import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { memo } from '../memo.js';
import { linesJson } from './lines-json.js';
import { LINES_FIELD, type LogLine, type LogSink, type LogSource } from './sink.js';

/** The stream holding one function's log lines. */
export function logStreamKey(prefix: string, fn: string): string {
  return `${prefix}:logs:${fn}`;
}

export interface RedisLogSinkOptions {
  redis: Redis;
  prefix: string;
  /** Approximate bound per stream (`XADD … MAXLEN ~`): Redis trims whole nodes, so a few more may stay. */
  maxEntries: number;
  /** When set, entries older than this are trimmed too (`XTRIM … MINID ~`). */
  retentionSeconds?: number;
  logger: Logger;
  /** How long handler lines wait for others before they are written together. */
  flushDelayMs?: number;
}

const DEFAULT_FLUSH_DELAY_MS = 100;
/** A batch this large is written at once instead of waiting for the timer. */
const MAX_BATCH = 512;
/** Lines of one invocation in one stream entry at most: `maxEntries` bounds the stream at this many times as many lines. */
export const MAX_LINES_PER_ENTRY = 8;
/** Writes not yet answered (Redis down): beyond this, new lines are dropped, not buffered. */
const MAX_IN_FLIGHT = 64;
/** Lines waiting to be written, each with (same index) the invocation it belongs to. */
interface Batch { sources: LogSource[]; lines: LogLine[] }

/** How long close() waits for outstanding writes. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Writes invocation log lines to a Redis stream per function, one entry per invocation's lines in
 * a batch (fields: requestId, environmentId, traceparent if any, lines). Lines are batched: every
 * line waits up to `flushDelayMs` (or until MAX_BATCH lines are pending) and the batch goes out as
 * one script call per function (ADD_ENTRIES), whatever invocations it holds: one Redis round trip
 * per 100 ms under load instead of one per invocation (which cost a third of the core bench's
 * throughput).
 * Invocations never wait for a write, and a failed write is logged as a warning, never thrown.
 */
export class RedisLogSink implements LogSink {
  readonly #options: RedisLogSinkOptions;
  readonly #log: Logger;
  readonly #inFlight = new Set<Promise<void>>();
  /** Lines waiting for the next flush, and beside each (same index) the invocation it belongs to. */
  #pending: Batch = { sources: [], lines: [] };
  #timer?: NodeJS.Timeout;
  /** Each function's stream key, made once. */
  readonly #keys = new Map<string, string>();
  #dropped = 0;
  #closed = false;
  /** Names each script call's marker (`<prefix>:logs:sent:<this>:<n>`), so a call ioredis sends again after a reconnect adds nothing twice. */
  readonly #sender = randomUUID();
  #calls = 0;

  constructor(options: RedisLogSinkOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'logs' });
  }

  write(source: LogSource, line: LogLine): void {
    if (this.#closed) return;
    this.#pending.sources.push(source);
    if (this.#pending.lines.push(line) >= MAX_BATCH) {
      this.#flush();
      return;
    }
    this.#timer ??= setTimeout(() => this.#flush(), this.#options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS);
  }

  /** Writes what is pending and waits (a bounded time) for every outstanding write. Idempotent. */
  async close(): Promise<void> {
    this.#flush();
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#inFlight),
      new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = { sources: [], lines: [] };
    if (!batch.lines.length) return;
    if (this.#inFlight.size >= MAX_IN_FLIGHT) {
      if (this.#dropped === 0) this.#log.warn({ event: 'log_stream_backlog' }, 'log stream writes are not answered; dropping log lines');
      this.#dropped += batch.lines.length;
      return;
    }
    const write: Promise<void> = this.#send(batch).finally(() => this.#inFlight.delete(write));
    this.#inFlight.add(write);
  }

  async #send(batch: Batch): Promise<void> {
    const { redis, prefix, maxEntries, retentionSeconds } = this.#options;
    // Per function stream: one script call adding every entry of the batch (one command instead of
    // one XADD each; the entries are the same).
    const streams = new Map<string, string[]>();
    let entries = 0;
    for (const [source, lines] of byInvocation(batch)) {
      const key = memo(this.#keys, source.function, (fn) => logStreamKey(prefix, fn));
      let args = streams.get(key);
      if (!args) streams.set(key, (args = [String(maxEntries)]));
      args.push(source.requestId, source.environmentId, source.traceparent ?? '', linesJson(lines));
      entries += 1;
    }
    const writes: Array<Promise<unknown>> = [];
    for (const [key, args] of streams) writes.push(addEntries(redis, key, `${prefix}:logs:sent:${this.#sender}:${this.#calls += 1}`, args));
    if (retentionSeconds !== undefined) {
      const minId = Date.now() - retentionSeconds * 1000;
      for (const key of streams.keys()) writes.push(redis.xtrim(key, 'MINID', '~', minId));
    }
    const failures = (await Promise.allSettled(writes)).filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failures.length) {
      this.#log.warn({ event: 'log_stream_write_failed', lines: batch.lines.length, entries, err: failures[0].reason }, `could not write ${batch.lines.length} log line(s) to Redis`);
    }
    else if (this.#dropped) {
      this.#log.warn({ event: 'log_stream_recovered', dropped: this.#dropped }, `log stream writes resumed; ${this.#dropped} line(s) were dropped`);
      this.#dropped = 0;
    }
  }
}

/**
 * Adds stream entries in one command: ARGV[1] is the approximate MAXLEN, then four values per
 * entry (requestId, environmentId, traceparent or '' for none, lines as JSON), each entry with the
 * fields a single XADD gave it. A pipeline of one XADD per entry cost the hub about 6-8 us of CPU per
 * entry against 2-4 for this (and Redis about 0.5 us more), measured side by side on 300
 * batches of 100 entries.
 * KEYS[2] marks the call done for two minutes: when the connection drops after Redis ran the
 * script but before its reply arrived, ioredis sends the call again once it reconnects, and the
 * marker makes that a no-op instead of every line of the batch twice.
 */
const ADD_ENTRIES = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', 120) then return 0 end
for i = 2, #ARGV, 4 do
  if ARGV[i + 2] == '' then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'requestId', ARGV[i], 'environmentId', ARGV[i + 1], '${LINES_FIELD}', ARGV[i + 3])
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'requestId', ARGV[i], 'environmentId', ARGV[i + 1], 'traceparent', ARGV[i + 2], '${LINES_FIELD}', ARGV[i + 3])
  end
end
return (#ARGV - 1) / 4
`;

type WithAddEntries = Redis & { triggerhubAddLogEntriesOnce(key: string, marker: string, ...args: string[]): Promise<number> };

function addEntries(redis: Redis, key: string, marker: string, args: string[]): Promise<number> {
  const client = redis as WithAddEntries;
  // ioredis sends EVALSHA and falls back to EVAL when the server does not know the script yet.
  if (typeof client.triggerhubAddLogEntriesOnce !== 'function') redis.defineCommand('triggerhubAddLogEntriesOnce', { numberOfKeys: 2, lua: ADD_ENTRIES });
  return client.triggerhubAddLogEntriesOnce(key, marker, ...args);
}

/**
 * The batch's lines grouped per invocation (its source object), in order of first appearance: one
 * stream entry each (START, END and REPORT of a short invocation are one XADD instead of three), at
 * most MAX_LINES_PER_ENTRY lines.
 */
function byInvocation({ sources, lines }: Batch): Array<[LogSource, LogLine[]]> {
  const open = new Map<LogSource, LogLine[]>();
  const groups: Array<[LogSource, LogLine[]]> = [];
  for (let i = 0; i < lines.length; i += 1) {
    const source = sources[i];
    const line = lines[i];
    const group = open.get(source);
    if (group && group.length < MAX_LINES_PER_ENTRY) {
      group.push(line);
      continue;
    }
    const fresh = [line];
    open.set(source, fresh);
    groups.push([source, fresh]);
  }
  return groups;
}
