import type { Redis } from 'ioredis';
import type { HubConfig } from '../config/load.js';
import { localIso, parseExpression } from '../sources/schedule/expression.js';
import type { ScheduleSettings } from '../sources/schedule/settings.js';
import type { HttpSettings } from '../sources/http/settings.js';
import { stagePath } from '../sources/http/stage.js';
import { readSourceStatus, type SourceStatus } from '../stats/source-status.js';
import { mappingsOf, type MappingRef } from './overview.js';

const NEXT_TICKS = 3;

/** Shard kinds and the stream name their ShardKindSpec keys leases under (kinesis.ts, dynamodb.ts). */
const SHARD_STREAMS = new Map<string, (settings: Record<string, unknown>) => string>([
  ['kinesis', (s) => String(s.stream)],
  ['dynamodb', (s) => String(s.stream ?? `table/${String(s.table)}`)],
]);

export interface SourceRow extends MappingRef {
  function: string;
  /** The merged health of every hub (null: no hub has reported it since the last reset). */
  status: SourceStatus | null;
  /** Schedules: the next fire times (UTC and in the schedule's time zone). */
  nextFires: Array<{ utc: string; local: string }>;
  /** Kinesis, DynamoDB Streams: which consumer holds each (checkpointed) shard's lease now. */
  leases: Array<{ shard: string; holder: string }>;
  /** HTTP API routes: the path the hub serves them at (a named stage's under `/{stage}`). */
  servedAt: string | null;
}

function nextFires(settings: ScheduleSettings, now: number): SourceRow['nextFires'] {
  const schedule = parseExpression(settings.expression, settings.timezone);
  const out: SourceRow['nextFires'] = [];
  for (let t = schedule.nextAfter(now); t !== null && out.length < NEXT_TICKS; t = schedule.nextAfter(t)) {
    out.push({ utc: new Date(t).toISOString(), local: localIso(t, settings.timezone) });
  }
  return out;
}

/** Where the hub serves an HTTP API route: under its stage, unless that is `$default`. */
const servedAt = ({ stage, path }: HttpSettings) => stagePath(stage, path);

/**
 * Shard leases of a shard source (the kit's ShardState: `<prefix>:<kind>:<fn>:<stream>:lease:<shard>`),
 * for the shards it has checkpointed: no key scan, two reads.
 */
async function shardLeases(redis: Redis, prefix: string, kind: string, fn: string, stream: string): Promise<SourceRow['leases']> {
  const base = `${prefix}:${kind}:${fn}:${stream}`;
  const shards = (await redis.hkeys(`${base}:checkpoints`)).sort();
  if (!shards.length) return [];
  const holders = await redis.mget(...shards.map((shard) => `${base}:lease:${shard}`));
  return shards.flatMap((shard, i) => (holders[i] === null ? [] : [{ shard, holder: holders[i]! }]));
}

/** Every mapping of every function with its health, next fire times and shard leases. */
export async function readSourcesPage(redis: Redis, config: HubConfig, now = Date.now()): Promise<{ sources: SourceRow[] }> {
  const statuses = new Map((await readSourceStatus(redis, config.queuePrefix, now)).map((s) => [s.source, s]));
  const rows: SourceRow[] = [];
  for (const fn of Object.values(config.functions)) {
    for (const mapping of mappingsOf(fn)) {
      const settings = mapping.settings as Record<string, unknown>;
      rows.push({
        ...mapping,
        function: fn.name,
        status: statuses.get(mapping.id) ?? null,
        nextFires: mapping.kind === 'schedule' && settings.enabled !== false ? nextFires(settings as unknown as ScheduleSettings, now) : [],
        leases: SHARD_STREAMS.has(mapping.kind) ? await shardLeases(redis, config.queuePrefix, mapping.kind, fn.name, SHARD_STREAMS.get(mapping.kind)!(settings)) : [],
        servedAt: mapping.kind === 'http' ? servedAt(settings as HttpSettings) : null,
      });
    }
  }
  return { sources: rows };
}
