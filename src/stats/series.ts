import type { Redis } from 'ioredis';
import type { Delivery, Envelope } from '../router/envelope.js';
import type { InvocationStatus } from '../runtime/types.js';
import { histogramOf, quantileMs } from './histogram.js';
import { statsKeys } from './function-stats.js';
import { roundMs } from './read.js';
import { memo } from '../memo.js';

/** The console's time resolution: counts are kept per 10 s bucket, for an hour. */
export const SERIES_BUCKET_MS = 10_000;
export const SERIES_TTL_SECONDS = 3600 + 60;
/** How many recent invocations are kept per function. */
export const RECENT_MAX = 100;

export function seriesBucket(ms: number): number {
  return Math.floor(ms / SERIES_BUCKET_MS) * SERIES_BUCKET_MS;
}

/** One finished invocation, as the console's function page lists it. */
export interface RecentInvocation {
  requestId: string;
  traceId: string | null;
  status: InvocationStatus;
  durationMs: number;
  billedDurationMs: number;
  coldStart: boolean;
  errorType: string | null;
  endedAt: string;
}

/** Columns of one function's series, oldest bucket first (`t`: bucket start, ms). */
export interface FunctionSeries {
  t: number[];
  invocations: number[];
  errors: number[];
  throttles: number[];
  p50Ms: Array<number | null>;
  p99Ms: Array<number | null>;
}

/** The bucket starts of the last `count` buckets up to `now` (oldest first). */
export function bucketsBefore(now: number, count: number): number[] {
  const last = seriesBucket(now);
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * SERIES_BUCKET_MS);
}

/** Every function's series over the last `count` buckets, summed over every hub. */
export async function readSeries(redis: Redis, prefix: string, functions: string[], count: number, now = Date.now()): Promise<Map<string, FunctionSeries>> {
  const buckets = bucketsBefore(now, count);
  const pipeline = redis.pipeline();
  for (const fn of functions) for (const t of buckets) pipeline.hgetall(statsKeys.series(prefix, fn, t));
  const replies = (await pipeline.exec()) ?? [];
  const out = new Map<string, FunctionSeries>();
  functions.forEach((fn, f) => {
    const series: FunctionSeries = { t: buckets, invocations: [], errors: [], throttles: [], p50Ms: [], p99Ms: [] };
    buckets.forEach((_, b) => {
      const [err, hash] = replies[f * count + b] as [Error | null, Record<string, string>];
      if (err) throw err;
      const histogram = histogramOf(hash);
      series.invocations.push(Number(hash.invocations ?? 0));
      series.errors.push(Number(hash.errors ?? 0));
      series.throttles.push(Number(hash.throttles ?? 0));
      series.p50Ms.push(roundMs(quantileMs(histogram, 0.5)));
      series.p99Ms.push(roundMs(quantileMs(histogram, 0.99)));
    });
    out.set(fn, series);
  });
  return out;
}

/** One function's last invocations, newest first (at most RECENT_MAX). */
export async function readRecent(redis: Redis, prefix: string, fn: string, limit = RECENT_MAX): Promise<RecentInvocation[]> {
  const items = await redis.lrange(statsKeys.recent(prefix, fn), 0, Math.min(limit, RECENT_MAX) - 1);
  return items.map((text) => JSON.parse(text) as RecentInvocation);
}

/** An edge of the mesh and how many events went along it in the window. */
export interface FlowEdge { from: string; to: string; count: number }

/** The mesh's edges over the last `count` buckets (summed over every hub). */
export async function readFlow(redis: Redis, prefix: string, count: number, now = Date.now()): Promise<FlowEdge[]> {
  const pipeline = redis.pipeline();
  for (const t of bucketsBefore(now, count)) pipeline.hgetall(statsKeys.flow(prefix, t));
  const totals = new Map<string, number>();
  for (const [err, hash] of (await pipeline.exec()) ?? []) {
    if (err) throw err;
    for (const [field, n] of Object.entries(hash as Record<string, string>)) totals.set(field, (totals.get(field) ?? 0) + Number(n));
  }
  return [...totals].map(([field, n]) => {
    const [from, to] = field.split('\t');
    return { from, to, count: n };
  });
}

/** Deletes the series, flow and recent-invocation keys (with `status --reset`). */
export async function resetSeries(redis: Redis, prefix: string): Promise<void> {
  for (const kind of ['series', 'flow', 'recent']) {
    for await (const batch of redis.scanStream({ match: `${prefix}:stats:${kind}:*`, count: 100 })) {
      if ((batch as string[]).length) await redis.del(...(batch as string[]));
    }
  }
}

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[^:]*:\d*:function:([^:]+)/;

/** Node names already made, per source or function name: every event names two (a regex and two new strings otherwise). */
const sourceNodes = new Map<string, string>();
const fnNodes = new Map<string, string>();

/** Names of the mesh's nodes in flow edges. */
export const flowNode = {
  /** Where an event came from: its envelope source, or the function whose destination record it is. */
  source: (source: string): string => memo(sourceNodes, source, (key) => {
    const fn = LAMBDA_ARN.exec(key)?.[1];
    return fn ? `fn:${fn}` : `source:${key}`;
  }),
  /** Where a queued event came from: the DLQ for a redrive (a new round without attempts yet), else its source. */
  origin: (envelope: Pick<Envelope, 'source'>, delivery: Pick<Delivery, 'redrives' | 'attempts'>): string =>
    (delivery.redrives > 0 && !delivery.attempts.some((a) => a.redrive === delivery.redrives) ? flowNode.dlq : flowNode.source(envelope.source)),
  fn: (name: string): string => memo(fnNodes, name, (key) => `fn:${key}`),
  dlq: 'dlq',
  destination: (fn: string, kind: string): string => `dest:${fn}:${kind}`,
};
