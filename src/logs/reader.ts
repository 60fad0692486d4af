import type { Redis } from 'ioredis';
import { parseJson } from '../json.js';
import { LINES_FIELD, LOG_LINE_TYPES, type LogEntry, type LogLineType } from './sink.js';

/** One line, read back, with the id of the stream entry holding it and its place in that entry. */
export interface StoredLogEntry extends LogEntry {
  id: string;
  /** The line's index within its stream entry (an entry holds an invocation's lines written together). */
  part: number;
}

const READ_CHUNK = 1000;

type StreamEntries = Array<[id: string, fields: string[]]>;

/** Entries from `sinceMs` on (all retained entries without it), oldest first, in chunks. */
export async function* readLogRange(redis: Redis, key: string, fn: string, sinceMs?: number): AsyncGenerator<StoredLogEntry> {
  let start = sinceMs === undefined ? '-' : String(Math.max(0, Math.floor(sinceMs)));
  for (;;) {
    const chunk = (await redis.xrange(key, start, '+', 'COUNT', READ_CHUNK)) as StreamEntries;
    for (const [id, fields] of chunk) yield* toEntries(fn, id, fields);
    if (chunk.length < READ_CHUNK) return;
    start = `(${chunk[chunk.length - 1][0]}`;
  }
}

/** The id of the newest entry, or `0-0` for an empty or missing stream. */
export async function lastLogId(redis: Redis, key: string): Promise<string> {
  const [newest] = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntries;
  return newest ? newest[0] : '0-0';
}

/**
 * Entries added after `afterId`, as they come (XREAD BLOCK), until `signal` aborts. The caller
 * ends a pending read by aborting and disconnecting the client.
 */
export async function* followLog(redis: Redis, key: string, fn: string, afterId: string, signal: AbortSignal): AsyncGenerator<StoredLogEntry> {
  let last = afterId;
  while (!signal.aborted) {
    let reply: Array<[string, StreamEntries]> | null;
    try {
      reply = (await redis.xread('COUNT', READ_CHUNK, 'BLOCK', 1000, 'STREAMS', key, last)) as Array<[string, StreamEntries]> | null;
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        last = id;
        yield* toEntries(fn, id, fields);
      }
    }
  }
}

/** The lines of one stream entry: an invocation's `lines` (JSON tuples), or one line (older entries). */
function toEntries(fn: string, id: string, fields: string[]): StoredLogEntry[] {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i], fields[i + 1]);
  const common = { id, function: fn, requestId: map.get('requestId') ?? '', environmentId: map.get('environmentId') ?? '' };
  const traceparent = map.get('traceparent');
  const lines = map.has(LINES_FIELD) ? storedLines(map.get(LINES_FIELD)!) : [[map.get('type'), map.get('level'), Number(map.get('ts') ?? id.split('-')[0]), map.get('line')]];
  return lines.map(([type, level, ts, line], part) => ({
    ...common,
    part,
    type: LOG_LINE_TYPES.includes(type as LogLineType) ? type as LogLineType : 'handler',
    level: typeof level === 'string' ? level : 'INFO',
    line: typeof line === 'string' ? line : '',
    ts: typeof ts === 'number' && Number.isFinite(ts) ? ts : Number(id.split('-')[0]),
    ...(traceparent ? { traceparent } : {}),
  }));
}

/** The `[type, level, ts, line]` tuples of a `lines` field; anything else reads as no lines. */
function storedLines(text: string): unknown[][] {
  try {
    const parsed = parseJson(text);
    return Array.isArray(parsed) ? parsed.filter((tuple): tuple is unknown[] => Array.isArray(tuple)) : [];
  } catch {
    return [];
  }
}

/**
 * The newest lines (oldest first), at most `limit`, of those `wanted` among the last `scan`
 * entries (the console's log view: `logs -n` with a request-id filter), and the id of the newest
 * entry read. Following from that id misses nothing: reading the id separately would lose an entry
 * written between the two reads.
 */
export async function readLogTail(redis: Redis, key: string, fn: string, limit: number, wanted: (entry: StoredLogEntry) => boolean, scan = 5000): Promise<{ entries: StoredLogEntry[]; last: string }> {
  const newest = (await redis.xrevrange(key, '+', '-', 'COUNT', scan)) as StreamEntries;
  const last = newest.length > 0 ? newest[0][0] : '0-0';
  const out: StoredLogEntry[] = [];
  for (const [id, fields] of newest) {
    for (const entry of toEntries(fn, id, fields).reverse()) {
      if (wanted(entry) && out.push(entry) >= limit) return { entries: out.reverse(), last };
    }
  }
  return { entries: out.reverse(), last };
}
