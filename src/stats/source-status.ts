import type { Redis } from 'ioredis';
import { addCounts, ZERO_COUNTS, type MappingCounts } from '../sources/kit/journal.js';
import { HEARTBEAT_MS, sourcesKey, type SourceHealthRecord, type SourceState } from '../sources/health.js';

/** A record not rewritten for three heartbeats belongs to a hub that died without stopping. */
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export type SourceStatusState = SourceState | 'stale';

/** One source (`kind:function:index`) over every hub that runs it. */
export interface SourceStatus {
  source: string;
  kind: string;
  function: string;
  state: SourceStatusState;
  lagMs: number | null;
  lastEventAt: string | null;
  lastError: string | null;
  nextEventAt: string | null;
  /** Stream mappings: Lambda's mapping metrics added up over every hub record (since the last reset). */
  counts: MappingCounts | null;
  /** The per-hub records it was merged from, with their own state. */
  hubs: Array<Omit<SourceHealthRecord, 'state'> & { state: SourceStatusState }>;
}

/** Worst first: one failing hub makes the source failing. */
const PRECEDENCE: SourceStatusState[] = ['failing', 'starting', 'throttled', 'running', 'stale', 'stopped'];

/**
 * Every source's health, merged over hubs: the worst state among hubs that run it (stopped and
 * stale hubs count only when no hub runs it), the largest lag, the latest event, the next tick.
 */
export async function readSourceStatus(redis: Redis, prefix: string, now = Date.now()): Promise<SourceStatus[]> {
  const raw = await redis.hgetall(sourcesKey(prefix));
  const bySource = new Map<string, SourceStatus['hubs']>();
  for (const text of Object.values(raw)) {
    const record = JSON.parse(text) as SourceHealthRecord;
    const stale = record.state !== 'stopped' && now - Date.parse(record.updatedAt) > STALE_AFTER_MS;
    const rows = bySource.get(record.source) ?? [];
    rows.push({ ...record, state: stale ? 'stale' : record.state });
    bySource.set(record.source, rows);
  }
  return [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([source, rows]) => {
    const live = rows.filter((row) => row.state !== 'stale' && row.state !== 'stopped');
    const current = live.length ? live : rows;
    const state = PRECEDENCE.find((s) => current.some((row) => row.state === s))!;
    const latest = [...current].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    const lags = current.map((row) => row.lagMs).filter((lag): lag is number => lag !== null);
    return {
      source,
      kind: rows[0].kind,
      function: rows[0].function,
      state,
      lagMs: lags.length ? Math.max(...lags) : null,
      lastEventAt: maxIso(rows.map((row) => row.lastEventAt)),
      lastError: (latest.find((row) => row.state === 'failing') ?? latest.find((row) => row.lastError))?.lastError ?? null,
      nextEventAt: current.map((row) => row.nextEventAt).filter((t): t is string => t !== null).sort()[0] ?? null,
      counts: rows.some((row) => row.counts) ? rows.reduce((sum, row) => addCounts(sum, row.counts ?? ZERO_COUNTS), ZERO_COUNTS) : null,
      hubs: rows,
    };
  });
}

export async function resetSourceStatus(redis: Redis, prefix: string): Promise<void> {
  await redis.del(sourcesKey(prefix));
}

function maxIso(times: Array<string | null>): string | null {
  return times.filter((t): t is string => t !== null).sort().at(-1) ?? null;
}
