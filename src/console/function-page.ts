import type { Redis } from 'ioredis';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { readRecent, readSeries, type FunctionSeries, type RecentInvocation } from '../stats/series.js';
import { functionArn } from '../arn.js';
import { mappingsOf, type MappingRef } from './overview.js';
import { samplesFor, type SampleEvent } from './samples.js';

/** The function page's plots: the last hour. */
const PLOT_BUCKETS = 360;

export interface FunctionPage {
  name: string;
  arn: string;
  /** The function as the hub resolved it (whatever the config format), as it runs. */
  config: FunctionConfig;
  mappings: MappingRef[];
  recent: RecentInvocation[];
  series: FunctionSeries;
  samples: SampleEvent[];
}

export function functionOf(config: HubConfig, name: string): FunctionConfig {
  const fn = Object.hasOwn(config.functions, name) ? config.functions[name] : undefined;
  if (!fn) throw new HubError('TH_ERR_CONSOLE_NOT_FOUND', `no function named ${JSON.stringify(name)} (configured: ${Object.keys(config.functions).join(', ') || 'none'})`);
  return fn;
}

export async function readFunctionPage(redis: Redis, config: HubConfig, name: string, now = Date.now()): Promise<FunctionPage> {
  const fn = functionOf(config, name);
  const [recent, series] = await Promise.all([
    readRecent(redis, config.queuePrefix, fn.name),
    readSeries(redis, config.queuePrefix, [fn.name], PLOT_BUCKETS, now),
  ]);
  return {
    name: fn.name,
    arn: functionArn(config.region, config.accountId, fn.name),
    config: fn,
    mappings: mappingsOf(fn),
    recent,
    series: series.get(fn.name)!,
    samples: samplesFor(config, fn),
  };
}
