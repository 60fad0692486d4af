import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { FunctionPool } from './pool.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

/** One FunctionPool per configured function. */
export class RuntimeManager {
  readonly #pools = new Map<string, FunctionPool>();
  #closing?: Promise<void>;

  constructor(functions: FunctionConfig[], options: RuntimeOptions, logger: Logger) {
    const runtimeLogger = logger.child({ component: 'runtime' });
    for (const fn of functions) this.#pools.set(fn.name, new FunctionPool(fn, options, runtimeLogger));
  }

  /** @throws HubError TH_ERR_FUNCTION_NOT_FOUND for a name that is not configured. */
  pool(name: string): FunctionPool {
    const pool = this.#pools.get(name);
    if (!pool) throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `function ${name} is not configured`);
    return pool;
  }

  /** Idempotent: closes every pool (each waits for its running invocations). */
  close(): Promise<void> {
    this.#closing ??= Promise.all([...this.#pools.values()].map((pool) => pool.close())).then(() => undefined);
    return this.#closing;
  }
}
