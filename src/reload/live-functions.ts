import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import type { Dispatcher } from '../router/dispatcher.js';
import type { RuntimeManager } from '../runtime/manager.js';
import type { SourceHealth } from '../sources/health.js';
import { registerDefaultUrl, registerUnknownUrls } from '../sources/http.js';
import type { Source, SourceContext } from '../sources/source.js';
import { startFunctionSources, stopSources } from '../sources/start.js';
import type { RouteTable } from './route-table.js';

/** Owner of the routes that belong to no function (`/urls/<unknown>`). */
const HUB_ROUTES = '';

export interface LiveFunctionsDeps {
  /** The hub's config; with hot reload a copy whose `functions` record is updated in place (and `layers` replaced). */
  config: HubConfig;
  runtime: RuntimeManager;
  dispatcher: Dispatcher;
  /** What sources get; its `app` is the hub's server. */
  context: SourceContext;
  health?: SourceHealth;
  /** With hot reload: push routes go here, owned by their function, instead of into fastify. */
  routes?: RouteTable;
}

/** What a config change did, by function name. */
export interface FunctionChanges {
  added: string[];
  removed: string[];
  updated: string[];
  /** Functions added or updated whose sources or routes did not start (they stay without them). */
  failed: Array<{ function: string; error: string }>;
}

/**
 * Each function's wiring besides its environments: its default URL, its event sources and (via
 * the dispatcher) its queue worker. Started once for the whole config; with hot reload, `apply`
 * stops what a removed or changed function had and starts what a new or changed one needs, and
 * leaves unchanged functions (their sources, workers and warm environments) running.
 */
export class LiveFunctions {
  readonly #deps: LiveFunctionsDeps;
  readonly #sources = new Map<string, Source[]>();

  constructor(deps: LiveFunctionsDeps) {
    this.#deps = deps;
  }

  /** Default URLs and sources of every configured function (the dispatcher starts its own workers). */
  async start(): Promise<void> {
    registerUnknownUrls(this.#contextFor(HUB_ROUTES));
    for (const fn of Object.values(this.#deps.config.functions)) await this.#startFunction(fn);
  }

  /** Brings the running functions to `next`'s; hub-level settings are not applied (see hot-reload.ts). */
  async apply(next: HubConfig): Promise<FunctionChanges> {
    const { config, runtime, dispatcher } = this.#deps;
    const current = config.functions;
    const changes: FunctionChanges = { added: [], removed: [], updated: [], failed: [] };
    for (const name of Object.keys(current)) {
      if (!Object.hasOwn(next.functions, name)) changes.removed.push(name);
      else if (!isDeepStrictEqual(current[name], next.functions[name])) changes.updated.push(name);
    }
    changes.added = Object.keys(next.functions).filter((name) => !Object.hasOwn(current, name));
    // The layers' names (GetFunction's layer ARNs), as the functions now use them.
    config.layers = next.layers;
    for (const name of [...changes.removed, ...changes.updated]) {
      await this.#stopFunction(name);
      dispatcher.stopFunction(name);
      runtime.remove(name);
      delete current[name];
    }
    for (const name of [...changes.updated, ...changes.added]) {
      const fn = next.functions[name];
      current[name] = fn;
      runtime.set(fn);
      dispatcher.startFunction(fn);
      await this.#startFunction(fn).catch((err: Error) => {
        changes.failed.push({ function: name, error: err.message });
        return this.#stopFunction(name);
      });
    }
    return changes;
  }

  /** Stops every function's sources (intake first, in parallel). Idempotent per source. */
  async stop(): Promise<void> {
    await stopSources([...this.#sources.values()].flat());
  }

  async #startFunction(fn: FunctionConfig): Promise<void> {
    const context = this.#contextFor(fn.name);
    this.#sources.set(fn.name, []);
    registerDefaultUrl(context, fn);
    this.#sources.set(fn.name, await startFunctionSources(fn, context, this.#deps.health));
  }

  async #stopFunction(name: string): Promise<void> {
    const sources = this.#sources.get(name) ?? [];
    this.#sources.delete(name);
    this.#deps.routes?.removeOwner(name);
    await stopSources(sources);
    for (const source of sources) this.#deps.health?.report(source.id, { state: 'stopped' });
  }

  #contextFor(name: string): SourceContext {
    const { context, routes } = this.#deps;
    return routes ? { ...context, app: routes.appFor(context.app as FastifyInstance, name) } : context;
  }
}
