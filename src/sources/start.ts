import type { FunctionConfig } from '../config/load.js';
import { mappingAlias } from '../config/mapping-alias.js';
import { mappingKind } from './registry.js';
import type { SourceHealth } from './health.js';
import type { Source, SourceContext } from './source.js';
import { copyWith } from '../own.js';

/** Builds and starts one function's event source mappings (at start, or when hot reload adds it). */
export async function startFunctionSources(fn: FunctionConfig, context: SourceContext, health?: SourceHealth): Promise<Source[]> {
  const started: Source[] = [];
  try {
    for (const [index, mapping] of fn.events.entries()) {
      const { kind, settings } = mappingKind(mapping);
      const source = kind.create(fn, settings, index);
      health?.report(source.id, { state: 'starting' });
      const base = health ? health.contextFor(context, source.id) : context;
      const alias = mappingAlias(settings);
      await source.start(alias === undefined ? base : invokingAlias(base, alias));
      health?.started(source.id);
      started.push(source);
    }
  } catch (err) {
    await stopSources(started);
    throw err;
  }
  return started;
}

/** A mapping with `alias:` invokes that alias of its function, sync and async. */
function invokingAlias(context: SourceContext, alias: string): SourceContext {
  return {
    ...context,
    invokeSync: (fn, envelope, options) => context.invokeSync(fn, envelope, copyWith(options ?? {}, 'qualifier', alias)),
    enqueue: (envelope, delivery) => context.enqueue(envelope, copyWith(delivery, 'qualifier', alias)),
  };
}

/** Stops every source (intake first), in parallel; idempotent per source. */
export async function stopSources(sources: Source[]): Promise<void> {
  await Promise.all(sources.map((source) => source.stop()));
}
