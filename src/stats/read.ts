import type { Redis } from 'ioredis';
import type { HubConfig } from '../config/load.js';
import { histogramOf, quantileMs } from './histogram.js';
import { statsKeys } from './function-stats.js';

export type Pricing = HubConfig['pricing'];

export interface FunctionUsage {
  function: string;
  invocations: number;
  /** Invocations that did not succeed (handler errors, timeouts, crashes), as Lambda's Errors metric. */
  errors: number;
  throttles: number;
  /** Upper bounds of the histogram buckets holding the 50th / 99th percentile duration; null before any invocation. */
  p50Ms: number | null;
  p99Ms: number | null;
  billedDurationMs: number;
  /** Σ billed duration (s) × memory size (GB). */
  gbSeconds: number;
  /** What these invocations would cost on AWS Lambda at the configured rates (no free tier). */
  estimatedCostUsd: number;
}

/** Lambda's on-demand price: requests plus compute (billed per 1 ms of duration, × memory). */
export function lambdaCost(invocations: number, gbSeconds: number, pricing: Pricing): number {
  return (invocations / 1e6) * pricing.requestUsdPerMillion + gbSeconds * pricing.gbSecondUsd;
}

/** The counters of every function, summed over every hub since they were last reset. */
export async function readFunctionUsage(redis: Redis, prefix: string, functions: string[], pricing: Pricing): Promise<FunctionUsage[]> {
  const pipeline = redis.pipeline();
  for (const fn of functions) pipeline.hgetall(statsKeys.fn(prefix, fn));
  const replies = (await pipeline.exec()) ?? [];
  return functions.map((fn, i) => {
    const [err, hash] = replies[i] as [Error | null, Record<string, string>];
    if (err) throw err;
    const num = (field: string) => Number(hash[field] ?? 0);
    const buckets = histogramOf(hash);
    const invocations = num('invocations');
    const gbSeconds = num('mbMs') / 1024 / 1000;
    return {
      function: fn,
      invocations,
      errors: num('errors'),
      throttles: num('throttles'),
      p50Ms: roundMs(quantileMs(buckets, 0.5)),
      p99Ms: roundMs(quantileMs(buckets, 0.99)),
      billedDurationMs: num('billedMs'),
      gbSeconds,
      estimatedCostUsd: lambdaCost(invocations, gbSeconds, pricing),
    };
  });
}

/** When the counters began (null: nothing counted since the last reset). */
export async function statsSince(redis: Redis, prefix: string): Promise<Date | null> {
  const since = await redis.get(statsKeys.since(prefix));
  return since === null ? null : new Date(Number(since));
}

/** Sets every function's counters back to zero (also of functions no longer configured). */
export async function resetFunctionUsage(redis: Redis, prefix: string): Promise<void> {
  const keys = [statsKeys.since(prefix)];
  for await (const batch of redis.scanStream({ match: statsKeys.fn(prefix, '*'), count: 100 })) keys.push(...(batch as string[]));
  await redis.del(...keys);
}

export function roundMs(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 100) / 100;
}
