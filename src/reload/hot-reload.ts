import { isDeepStrictEqual } from 'node:util';
import type { FSWatcher } from 'chokidar';
import { loadChokidar } from '../aws/lazy-sdk.js';
import type { HubConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import type { RuntimeManager } from '../runtime/manager.js';
import type { FunctionChanges, LiveFunctions } from './live-functions.js';
import { functionsOf, isIgnored, watchedPaths, watchPlan, type WatchPlan } from './watch-plan.js';

/** Changes closer together than this are one reload (an editor's save, a `git checkout`). */
export const RELOAD_DEBOUNCE_MS = 250;
/** Hub settings a reload cannot change: they need a restart. */
const FUNCTION_KEYS = new Set(['functions', 'layers', 'project']);

/** One reload, as logged (`event: 'reload'`) and passed to HubOptions.onReload. */
export interface ReloadEvent {
  /** `code`: files of functions changed; `config`: the config (or its template) was loaded again. */
  reason: 'code' | 'config';
  /** The changed files. */
  paths: string[];
  /** Code: the functions whose environments were retired. Config: every function added, removed or updated. */
  functions: string[];
  changes?: FunctionChanges;
  /** The config could not be loaded: nothing changed. */
  error?: string;
  /** Config: removed functions whose queues still hold events (they wait in Redis for a function of that name). */
  eventsLeft?: Array<{ function: string; events: number }>;
}

export interface HotReloadOptions {
  /** The hub's live config (LiveFunctions updates its functions). */
  config: HubConfig;
  functions: LiveFunctions;
  runtime: RuntimeManager;
  /** Loads the config again (the same way `up` did; with a local cloud, creating what it adds); without it config edits are not applied. */
  load?: () => HubConfig | Promise<HubConfig>;
  logger: Logger;
  onReload?: (event: ReloadEvent) => void;
  /** Events queued for a function (waiting, delayed, active): what a removed one leaves behind. */
  queueDepth?: (fn: string) => Promise<number>;
}

/**
 * `--watch`: watches the config file and each function's code and layers (chokidar), and after
 * a quiet RELOAD_DEBOUNCE_MS applies what changed, one reload at a time. Code: the function's
 * environments are retired, so new invocations start fresh ones with the new code while running
 * ones finish on the old. Config: it is loaded again and functions are added, removed or rewired
 * (LiveFunctions.apply); a config that does not load leaves everything as it was.
 */
export class HotReload {
  readonly #options: HotReloadOptions;
  readonly #log: Logger;
  readonly #pending = new Set<string>();
  #plan: WatchPlan;
  #watcher?: FSWatcher;
  #timer?: NodeJS.Timeout;
  #running: Promise<void> = Promise.resolve();
  #closing?: Promise<void>;

  constructor(options: HotReloadOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'reload' });
    this.#plan = watchPlan(options.config);
  }

  async start(): Promise<void> {
    const { watch } = await loadChokidar();
    const watcher = watch(watchedPaths(this.#plan), { ignoreInitial: true, ignored: (file) => isIgnored(this.#plan, file) });
    this.#watcher = watcher;
    watcher.on('all', (_event, file) => this.#changed(file));
    watcher.on('error', (err) => this.#log.warn({ event: 'watch_error', err }, 'file watcher error'));
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
    this.#log.info({ event: 'watch_started', paths: watchedPaths(this.#plan) }, 'watching code and config for changes');
  }

  /** Idempotent: stops watching and waits for a reload in progress. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#timer);
      await this.#watcher?.close();
      await this.#running;
    })();
    return this.#closing;
  }

  #changed(file: string): void {
    if (this.#closing) return;
    this.#pending.add(file);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const paths = [...this.#pending];
      this.#pending.clear();
      this.#running = this.#running.then(() => this.#reload(paths)).catch((err: unknown) =>
        this.#log.error({ event: 'reload_failed', err }, 'reload failed'));
    }, RELOAD_DEBOUNCE_MS);
  }

  async #reload(paths: string[]): Promise<void> {
    const configPaths = paths.filter((file) => this.#plan.configFiles.includes(file));
    let rewired = new Set<string>();
    if (configPaths.length && this.#options.load) rewired = await this.#reloadConfig(configPaths);
    const codePaths = paths.filter((file) => !configPaths.includes(file));
    const retired = [...new Set(codePaths.flatMap((file) => functionsOf(this.#plan, file)))].filter((name) => !rewired.has(name));
    if (!retired.length) return;
    for (const name of retired) this.#options.runtime.retire(name);
    this.#emit({ reason: 'code', paths: codePaths, functions: retired }, `reloaded ${retired.join(', ')}: ${codePaths.join(', ')} changed`);
  }

  /** Returns the functions it added or updated (already on their new code). */
  async #reloadConfig(paths: string[]): Promise<Set<string>> {
    let next: HubConfig;
    try {
      next = await this.#options.load!();
    } catch (err) {
      const error = (err as Error).message;
      this.#emit({ reason: 'config', paths, functions: [], error }, `config not reloaded (the running functions stay as they were): ${error}`, 'warn');
      return new Set();
    }
    const fixed = Object.keys(next).filter((key) => !FUNCTION_KEYS.has(key)
      && !isDeepStrictEqual((next as unknown as Record<string, unknown>)[key], (this.#options.config as unknown as Record<string, unknown>)[key]));
    if (fixed.length) this.#log.warn({ event: 'reload_restart_needed', settings: fixed }, `changed hub settings need a restart: ${fixed.join(', ')}`);
    const changes = await this.#options.functions.apply(next);
    this.#replan();
    const functions = [...changes.added, ...changes.removed, ...changes.updated];
    for (const failure of changes.failed) {
      this.#log.error({ event: 'reload_function_failed', function: failure.function, error: failure.error }, `${failure.function}: ${failure.error}`);
    }
    const eventsLeft = await this.#eventsLeft(changes.removed);
    for (const left of eventsLeft) {
      this.#log.warn({ event: 'reload_events_left', function: left.function, events: left.events },
        `${left.function} was removed with ${left.events} events in its queue: they wait in Redis and run when a function of that name is configured again`);
    }
    this.#emit({ reason: 'config', paths, functions, changes, ...(eventsLeft.length ? { eventsLeft } : {}) }, `config reloaded: added [${changes.added}] removed [${changes.removed}] updated [${changes.updated}]`);
    return new Set([...changes.added, ...changes.updated]);
  }

  async #eventsLeft(removed: string[]): Promise<Array<{ function: string; events: number }>> {
    const left: Array<{ function: string; events: number }> = [];
    for (const name of removed) {
      const events = await this.#options.queueDepth?.(name).catch(() => 0) ?? 0;
      if (events > 0) left.push({ function: name, events });
    }
    return left;
  }

  /** Watches the code of the functions the config has now. */
  #replan(): void {
    const before = new Set(watchedPaths(this.#plan));
    this.#plan = watchPlan(this.#options.config);
    const after = watchedPaths(this.#plan);
    const added = after.filter((file) => !before.has(file));
    const gone = [...before].filter((file) => !after.includes(file));
    if (added.length) this.#watcher?.add(added);
    if (gone.length) this.#watcher?.unwatch(gone);
  }

  #emit(event: ReloadEvent, message: string, level: 'info' | 'warn' = 'info'): void {
    this.#log[level]({ event: 'reload', ...event }, message);
    this.#options.onReload?.(event);
  }
}
