import type { Redis } from 'ioredis';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { own } from '../own.js';
import type { EventQueues } from '../router/queues.js';
import { readHubs, type HubRecord } from '../stats/hubs.js';
import { bucketsBefore, readFlow, readSeries, SERIES_BUCKET_MS, type FlowEdge, type FunctionSeries } from '../stats/series.js';
import type { SourceStatus } from '../stats/source-status.js';
import { readStatus, type FunctionStatus, type StatusReport } from '../stats/status.js';

/** The overview's sparklines: the last five minutes. */
const SPARK_BUCKETS = 30;
/** A function with errors (or throttles) in the last minute is failing (or throttled). */
const RECENT_BUCKETS = 6;
/** The live flow's window: rates are events per second over the last 50-60 s. */
const FLOW_BUCKETS = 6;

export type FunctionState = 'running' | 'failing' | 'throttled' | 'idle';

/** One mapping of `functions.<fn>.events`, with the id its health is reported under. */
export interface MappingRef { id: string; kind: string; index: number; settings: unknown }

export interface OverviewFunction extends FunctionStatus {
  state: FunctionState;
  runtime: string;
  memorySize: number;
  reservedConcurrency: number | null;
  /** Invocations running now over every hub. */
  inUse: number;
  sources: Array<MappingRef & { state: SourceStatus['state'] | 'not reported' }>;
  spark: Pick<FunctionSeries, 't' | 'invocations' | 'errors'>;
}

export interface Overview {
  generatedAt: string;
  bucketMs: number;
  status: Omit<StatusReport, 'functions'>;
  functions: OverviewFunction[];
  hubs: HubRecord[];
  /** Events per edge of the mesh (`source:<envelope source>`, `fn:<name>`, `dlq`, `dest:<fn>:<kind>`). */
  flow: { windowSeconds: number; edges: Array<FlowEdge & { perSecond: number }> };
}

export function mappingsOf(fn: FunctionConfig): MappingRef[] {
  return fn.events.map((mapping, index) => {
    const [kind] = Object.keys(mapping);
    return { id: `${kind}:${fn.name}:${index}`, kind, index, settings: mapping[kind] };
  });
}

function stateOf(fn: FunctionConfig, series: FunctionSeries, sources: OverviewFunction['sources']): FunctionState {
  const last = (values: number[]) => values.slice(-RECENT_BUCKETS).reduce((a, b) => a + b, 0);
  if (fn.reservedConcurrency === 0 || last(series.throttles) > 0) return 'throttled';
  if (last(series.errors) > 0 || sources.some((s) => s.state === 'failing')) return 'failing';
  return last(series.invocations) > 0 || sources.some((s) => s.state === 'running') ? 'running' : 'idle';
}

/**
 * Everything the overview shows, read from the same Redis data as `triggerhub status` (its report,
 * unchanged, is the core), plus the 10 s series, the hubs' records and the mesh's edges.
 */
export async function readOverview(redis: Redis, config: HubConfig, queues: EventQueues, now = Date.now()): Promise<Overview> {
  const names = Object.keys(config.functions);
  const [report, series, hubs, edges] = await Promise.all([
    readStatus(redis, config, queues),
    readSeries(redis, config.queuePrefix, names, SPARK_BUCKETS, now),
    readHubs(redis, config.queuePrefix, now),
    readFlow(redis, config.queuePrefix, FLOW_BUCKETS, now),
  ]);
  const health = new Map(report.sources.map((s) => [s.source, s.state]));
  const functions = report.functions.map((row): OverviewFunction => {
    const fn = config.functions[row.function];
    const fnSeries = series.get(fn.name)!;
    const sources = mappingsOf(fn).map((m) => ({ ...m, state: health.get(m.id) ?? 'not reported' as const }));
    return {
      ...row,
      state: stateOf(fn, fnSeries, sources),
      runtime: fn.runtime,
      memorySize: fn.memorySize,
      reservedConcurrency: fn.reservedConcurrency ?? null,
      inUse: hubs.reduce((sum, hub) => sum + (own(hub.inFlight, fn.name) ?? 0), 0),
      sources,
      spark: { t: fnSeries.t, invocations: fnSeries.invocations, errors: fnSeries.errors },
    };
  });
  // The window reaches into the current bucket: rates are over the time it really covers.
  const windowSeconds = Math.max(1, (now - bucketsBefore(now, FLOW_BUCKETS)[0]) / 1000);
  const { functions: _rows, ...status } = report;
  return {
    generatedAt: new Date(now).toISOString(),
    bucketMs: SERIES_BUCKET_MS,
    status,
    functions,
    hubs,
    flow: { windowSeconds, edges: edges.map((e) => ({ ...e, perSecond: Math.round((e.count / windowSeconds) * 100) / 100 })) },
  };
}
