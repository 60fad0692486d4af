import path from 'node:path';
import type { FunctionConfig, HubConfig } from '../config/load.js';

/** Never watched: VCS data, Python bytecode, and (outside layers) installed packages. */
const IGNORED_SEGMENTS = new Set(['.git', '__pycache__', 'node_modules']);

/** What hot reload watches for one config: the config file(s) and each function's code. */
export interface WatchPlan {
  /** Files whose change means loading the config again (the config file, the template or serverless.yml it names, the files that includes). */
  configFiles: string[];
  /** Function → directories whose change retires its environments (code root, layers). */
  functions: Map<string, string[]>;
  /** Layer directories: their node_modules are watched too. */
  layers: string[];
  /** The data directory (embedded Redis files): never watched. */
  dataDir: string;
}

/**
 * A function's code: its task root when that is its own directory (a SAM CodeUri), else the
 * directory of its handler file (with the whole tree below it), so functions that share a config
 * directory reload alone when their own code changes.
 */
export function codeRoot(fn: FunctionConfig, config: HubConfig): string {
  return fn.taskRoot !== config.baseDir ? fn.taskRoot : path.dirname(fn.handlerFile);
}

export function watchPlan(config: HubConfig): WatchPlan {
  const functions = new Map(Object.values(config.functions).map((fn) => [fn.name, [codeRoot(fn, config), ...fn.layers]]));
  return {
    configFiles: [config.configPath, config.project?.file ?? '', ...config.project?.includes ?? []].filter(Boolean),
    functions,
    layers: [...new Set(Object.values(config.functions).flatMap((fn) => fn.layers))],
    dataDir: config.dataDir,
  };
}

export function watchedPaths(plan: WatchPlan): string[] {
  return [...new Set([...plan.configFiles, ...[...plan.functions.values()].flat()])];
}

/**
 * chokidar's `ignored`: see IGNORED_SEGMENTS; compiled bytecode; the data directory; log files
 * (`triggerhub up --watch > hub.log` in the project: each reload's log line would be a change
 * that reloads again, for ever).
 */
export function isIgnored(plan: WatchPlan, file: string): boolean {
  if (isUnder(file, plan.dataDir) || file.endsWith('.pyc') || file.endsWith('.log')) return true;
  const inLayer = plan.layers.some((dir) => isUnder(file, dir));
  return file.split(path.sep).some((part) => IGNORED_SEGMENTS.has(part) && !(inLayer && part === 'node_modules'));
}

/** The functions whose code or layers hold `file`. */
export function functionsOf(plan: WatchPlan, file: string): string[] {
  return [...plan.functions].filter(([, roots]) => roots.some((root) => isUnder(file, root))).map(([name]) => name);
}

export function isUnder(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
