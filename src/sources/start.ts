import type { FunctionConfig } from '../config/load.js';
import { mappingAlias } from '../config/mapping-alias.js';
import { mappingKind } from './registry.js';
import type { SourceHealth } from './health.js';
import type { Source, SourceContext } from './source.js';

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
    // Named before the spread, set after it: see EventQueues.enqueue.
    invokeSync: (fn, envelope, options) => {
      const aliased = { qualifier: alias, ...options };
      aliased.qualifier = alias;
      return context.invokeSync(fn, envelope, aliased);
    },
    enqueue: (envelope, delivery) => {
      const aliased = { qualifier: alias, ...delivery };
      aliased.qualifier = alias;
      return context.enqueue(envelope, aliased);
    },
  };
}

/** Stops every source (intake first), in parallel; idempotent per source. */
export async function stopSources(sources: Source[]): Promise<void> {
  await Promise.all(sources.map((source) => source.stop()));
}
