import type { Redis } from 'ioredis';
import type { HubConfig } from '../config/load.js';
import { DlqStore } from '../dlq/store.js';
import { EventQueues } from '../router/queues.js';
import { readFunctionUsage, statsSince, type FunctionUsage, type Pricing } from './read.js';
import { readSourceStatus, type SourceStatus } from './source-status.js';

export interface FunctionStatus extends FunctionUsage {
  /** Async events waiting, delayed or running. */
  queueDepth: number;
  dlqRecords: number;
}

export interface StatusReport {
  /** When the counters began (the first invocation after the last reset); null if none since. */
  since: string | null;
  pricing: Pricing;
  functions: FunctionStatus[];
  totals: { invocations: number; gbSeconds: number; estimatedCostUsd: number };
  sources: SourceStatus[];
}

/**
 * What `triggerhub status` prints and the console shows: every function's counters, queue and DLQ,
 * every source's health, over every hub on the Redis. `shared`: a hub's own queues (else opened and
 * closed here).
 */
export async function readStatus(redis: Redis, config: HubConfig, shared?: EventQueues): Promise<StatusReport> {
  const names = Object.keys(config.functions);
  const queues = shared ?? new EventQueues(redis, config.queuePrefix, config.functions);
  try {
    const [usage, depths, dead, since, sources] = await Promise.all([
      readFunctionUsage(redis, config.queuePrefix, names, config.pricing),
      Promise.all(names.map((fn) => queues.depth(fn))),
      new DlqStore(redis, config.queuePrefix).countByFunction(),
      statsSince(redis, config.queuePrefix),
      readSourceStatus(redis, config.queuePrefix),
    ]);
    const functions = usage.map((u, i) => ({
      ...u, queueDepth: depths[i], dlqRecords: dead.get(u.function) ?? 0,
    }));
    const sum = (pick: (f: FunctionStatus) => number) => functions.reduce((total, f) => total + pick(f), 0);
    return {
      since: since?.toISOString() ?? null,
      pricing: config.pricing,
      functions,
      totals: { invocations: sum((f) => f.invocations), gbSeconds: sum((f) => f.gbSeconds), estimatedCostUsd: sum((f) => f.estimatedCostUsd) },
      sources,
    };
  } finally {
    if (!shared) await queues.close();
  }
}
