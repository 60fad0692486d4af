import { functionArn } from '../arn.js';
import { LATEST, resolveQualifier, variantEnvironment } from '../config/versions.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { FunctionPool } from './pool.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

interface Entry {
  fn: FunctionConfig;
  /** Per variant (`$LATEST`, `1`, or an alias name), created on first use. */
  pools: Map<string, FunctionPool>;
}

/**
 * The execution environments of every function: one FunctionPool per function and variant, so
 * each alias (with its own environment overrides) and version has environments of its own.
 * Hot reload swaps functions in and out (`set`, `remove`) and retires environments whose code
 * changed (`retire`); invocations already running finish where they started.
 */
export class RuntimeManager {
  readonly #entries = new Map<string, Entry>();
  /** Pools dropped by set/remove, still finishing their invocations. */
  readonly #draining = new Set<Promise<void>>();
  readonly #options: RuntimeOptions;
  readonly #logger: Logger;
  #closing?: Promise<void>;
  /** The hub is stopping (see quiesce): new pools are created quiesced too. */
  #quiescing = false;

  constructor(functions: FunctionConfig[], options: RuntimeOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger.child({ component: 'runtime' });
    for (const fn of functions) this.#entries.set(fn.name, { fn, pools: new Map() });
  }

  /**
   * The pool that runs `name` for a qualifier (none, `$LATEST`, `1` or an alias).
   * @throws HubError TH_ERR_FUNCTION_NOT_FOUND for a function, version or alias that is not configured.
   */
  pool(name: string, qualifier?: string): FunctionPool {
    const entry = this.#entries.get(name);
    const variant = entry && resolveQualifier(entry.fn, qualifier);
    if (!entry || !variant) {
      const arn = functionArn(this.#options.region, this.#options.accountId, name) + (qualifier === undefined ? '' : `:${qualifier}`);
      throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `Function not found: ${arn}`);
    }
    const key = variant.alias ?? variant.version;
    let pool = entry.pools.get(key);
    if (!pool) {
      if (this.#closing) throw new HubError('TH_ERR_HUB_STOPPING', 'pool closed: the hub is shutting down');
      const fn = { ...entry.fn, environment: variantEnvironment(entry.fn, variant), version: variant.version };
      pool = new FunctionPool(fn, this.#options, this.#logger);
      if (this.#quiescing) pool.quiesce();
      entry.pools.set(key, pool);
    }
    return pool;
  }

  /** How many invocations the function's unqualified pool runs at once now; undefined before it has one. */
  capacity(name: string): number | undefined {
    return this.#entries.get(name)?.pools.get(LATEST)?.capacity;
  }

  /** Whether the function's unqualified pool runs short invocations (FunctionPool.short). */
  short(name: string): boolean {
    return this.#entries.get(name)?.pools.get(LATEST)?.short ?? false;
  }

  /**
   * Adds a function or replaces its configuration: its pools are dropped (each finishes what it
   * runs, then stops its environments) and new invocations start fresh environments.
   */
  set(fn: FunctionConfig): void {
    const old = this.#entries.get(fn.name);
    this.#entries.set(fn.name, { fn, pools: new Map() });
    if (old) this.#retirePools(old);
  }

  /** Removes a function; its running invocations finish first. */
  remove(name: string): void {
    const old = this.#entries.get(name);
    this.#entries.delete(name);
    if (old) this.#retirePools(old);
  }

  /** The function's code changed: new invocations get fresh environments, running ones finish on the old. */
  retire(name: string): void {
    for (const pool of this.#entries.get(name)?.pools.values() ?? []) pool.retire();
  }

  /** The hub is stopping: invocations waiting for an environment are refused, running ones finish (FunctionPool.quiesce). */
  quiesce(): void {
    this.#quiescing = true;
    for (const entry of this.#entries.values()) for (const pool of entry.pools.values()) pool.quiesce();
  }

  /** Idempotent: closes every pool (each waits for its running invocations). */
  close(): Promise<void> {
    this.#closing ??= Promise.all([
      ...[...this.#entries.values()].flatMap((entry) => [...entry.pools.values()].map((pool) => pool.close())),
      ...this.#draining,
    ]).then(() => undefined);
    return this.#closing;
  }

  #retirePools(entry: Entry): void {
    // Invocations already waiting in a dropped pool still run there (see FunctionPool.drain).
    for (const pool of entry.pools.values()) {
      const drained = pool.drain().finally(() => this.#draining.delete(drained));
      this.#draining.add(drained);
    }
  }
}
