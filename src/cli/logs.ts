import type { Redis } from 'ioredis';
import { parseTime } from '../dlq/filter.js';
import { logStreamKey } from '../logs/redis-sink.js';
import { followLog, lastLogId, readLogRange, type StoredLogEntry } from '../logs/reader.js';
import { own } from '../own.js';
import { CliExit, EXIT, loadConfig, print, withRedis, type GlobalOptions } from './context.js';
import { printable } from './printable.js';
import { waitOutRedisLoss } from './redis-loss.js';

export interface LogsOptions extends GlobalOptions {
  follow?: boolean;
  since?: string;
  limit?: string;
  requestId?: string;
  json?: boolean;
}

/** `10m`, `2h`, `30s`, `1d`, `1w` (that long ago) or an ISO 8601 date-time; epoch ms. */
export function parseSince(value: string, now = Date.now()): number {
  const ms = parseTime(value.trim(), now);
  if (ms === undefined) throw new CliExit(EXIT.usage, `--since must be a duration ago (30s, 10m, 2h, 1d, 1w) or an ISO date-time; got "${value}"`);
  return ms;
}

/**
 * `triggerhub logs FN`: the function's invocation log lines from its Redis stream, oldest first
 * (with --limit, the newest N); with --follow, then every new line until SIGINT/SIGTERM.
 */
export async function logsCommand(fn: string, options: LogsOptions): Promise<void> {
  const config = loadConfig(options);
  if (!own(config.functions, fn)) throw new CliExit(EXIT.usage, `no function named ${fn} in ${options.config}`);
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new CliExit(EXIT.usage, '--limit must be a positive integer');
  const key = logStreamKey(config.queuePrefix, fn);
  const wanted = (entry: StoredLogEntry) =>
    (options.requestId === undefined || entry.requestId === options.requestId) && (since === undefined || streamMs(entry.id) >= since);
  const show = (entry: StoredLogEntry) => {
    if (!wanted(entry)) return;
    print(options.json ? JSON.stringify({ ...entry, time: new Date(entry.ts).toISOString() }) : `${new Date(entry.ts).toISOString()} ${printable(entry.line)}`);
  };
  await withRedis(config, async (redis, interrupted) => {
    // Following without --since or --limit prints only what is written from now on.
    const history = !options.follow || since !== undefined || limit !== undefined;
    const after = history ? await printHistory(redis, key, fn, since, limit, wanted, show) : await lastLogId(redis, key);
    if (options.follow) await follow(redis, key, fn, after, show, interrupted);
  }, { untilInterrupted: options.follow });
}

/** Prints the stored lines (the last `limit` of them); returns the id to follow from. */
async function printHistory(
  redis: Redis, key: string, fn: string, since: number | undefined, limit: number | undefined,
  wanted: (entry: StoredLogEntry) => boolean, show: (entry: StoredLogEntry) => void,
): Promise<string> {
  let last = '0-0';
  const kept: StoredLogEntry[] = [];
  for await (const entry of readLogRange(redis, key, fn, since)) {
    last = entry.id;
    if (!wanted(entry)) continue;
    if (limit === undefined) show(entry);
    else if (kept.push(entry) > limit) kept.shift();
  }
  kept.forEach(show);
  return last;
}

/** The epoch ms of a stream id (`<ms>-<seq>`). */
function streamMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

async function follow(redis: Redis, key: string, fn: string, after: string, show: (entry: StoredLogEntry) => void, interrupted: AbortSignal): Promise<void> {
  const stop = () => redis.disconnect(); // ends the pending XREAD BLOCK now
  interrupted.addEventListener('abort', stop, { once: true });
  let last = after;
  try {
    // Resumes after the last entry shown once a lost Redis is back: no line twice, none missed.
    for (;;) {
      try {
        for await (const entry of followLog(redis, key, fn, last, interrupted)) {
          show(entry);
          last = entry.id;
        }
        return;
      } catch (err) {
        await waitOutRedisLoss(redis, err, interrupted);
      }
    }
  } finally {
    interrupted.removeEventListener('abort', stop);
  }
}
