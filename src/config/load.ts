import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HubError } from '../errors.js';
import { hubSchema, runtimeFamily, type RawFunctionConfig, type RawHubConfig } from './schema.js';
import { interpolateEnv } from './interpolate.js';
import { formatIssues } from './issues.js';
import { resolveLayers, resolveNamedLayers } from './layers.js';
import { missingFunction } from '../destinations/targets.js';
import { parseEvents } from './events.js';

export const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts'] as const;

export interface FunctionConfig extends Omit<RawFunctionConfig, 'environment'> {
  name: string;
  environment: Record<string, string>;
  /** Absolute path of the handler module. */
  handlerFile: string;
  /** Exported function name. */
  handlerExport: string;
  /** Directory the handler path is relative to (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  /** Absolute layer directories, in the configured order (later layers win, as in /opt). */
  layers: string[];
}

export interface HubConfig extends Omit<RawHubConfig, 'functions' | 'layers'> {
  /** Top-level layers by name, as absolute directories. */
  layers: Record<string, string>;
  /** Absolute path of the config file ('' when built in code). */
  configPath: string;
  /** Directory relative paths are resolved against. */
  baseDir: string;
  /** Absolute data directory (embedded redis, state). */
  dataDir: string;
  functions: Record<string, FunctionConfig>;
}

export function loadConfigFile(configPath: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const absolute = path.resolve(configPath);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_NOT_FOUND', `cannot read config file ${absolute}: ${(cause as Error).message}`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_INVALID', `${absolute}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  return buildConfig(raw, { baseDir: path.dirname(absolute), configPath: absolute, env });
}

/** Validates a parsed config object; throws one HubError listing every problem. */
export function buildConfig(
  raw: unknown,
  options: { baseDir: string; configPath?: string; env?: NodeJS.ProcessEnv },
): HubConfig {
  const interpolated = interpolateEnv(raw, options.env ?? process.env);
  const parsed = hubSchema.safeParse(interpolated);
  const events = parseEvents(interpolated);
  if (!parsed.success || events.problems.length) {
    const lines = [...(parsed.success ? [] : [formatIssues(parsed.error.issues)]), ...events.problems];
    throw new HubError('TH_ERR_CONFIG_INVALID', `invalid config${options.configPath ? ` ${options.configPath}` : ''}:\n${lines.join('\n')}`);
  }
  const problems: string[] = [];
  const layers = resolveNamedLayers(parsed.data.layers, options.baseDir, problems);
  const functions: Record<string, FunctionConfig> = {};
  for (const [name, fn] of Object.entries(parsed.data.functions)) {
    functions[name] = {
      ...resolveFunction(name, { ...fn, events: events.events.get(name) ?? [] }, options.baseDir, problems),
      layers: resolveLayers(name, fn.layers, layers, options.baseDir, problems),
    };
  }
  const names = new Set(Object.keys(functions));
  for (const fn of Object.values(functions)) {
    for (const [kind, target] of Object.entries(fn.destinations)) {
      const problem = target === undefined ? undefined : missingFunction(target, names);
      if (problem) problems.push(`functions.${fn.name}.destinations.${kind}: ${problem}`);
    }
  }
  if (problems.length) {
    throw new HubError('TH_ERR_CONFIG_INVALID', `invalid config${options.configPath ? ` ${options.configPath}` : ''}:\n${problems.join('\n')}`);
  }
  const config: HubConfig = {
    ...parsed.data,
    configPath: options.configPath ?? '',
    baseDir: options.baseDir,
    dataDir: path.resolve(options.baseDir, parsed.data.dataDir),
    layers: Object.fromEntries(layers),
    functions,
  };
  return deepFreeze(config);
}

function resolveFunction(name: string, fn: RawFunctionConfig, baseDir: string, problems: string[]): FunctionConfig {
  const dot = fn.handler.lastIndexOf('.');
  const modulePath = fn.handler.slice(0, dot);
  const handlerExport = fn.handler.slice(dot + 1);
  const family = runtimeFamily(fn.runtime);
  if (family !== 'node') return resolveRuntimeApiFunction(name, fn, baseDir, problems);
  const base = path.resolve(baseDir, modulePath);
  const candidates = path.extname(base) && HANDLER_EXTENSIONS.includes(path.extname(base) as never)
    ? [base]
    : HANDLER_EXTENSIONS.map((ext) => base + ext);
  const handlerFile = candidates.find((candidate) => existsSync(candidate));
  if (!handlerFile) {
    problems.push(`functions.${name}.handler: no module ${path.relative(baseDir, base) || base}{${HANDLER_EXTENSIONS.join(',')}} under ${baseDir}`);
  }
  return {
    ...fn,
    name,
    handlerFile: handlerFile ?? candidates[0],
    handlerExport,
    taskRoot: baseDir,
  };
}

/**
 * Python: `dir/module.function`, where `module` may be dotted (`pkg.mod`), resolves to
 * `dir/pkg/mod.py`. Custom runtimes: the executable `bootstrap` in the handler's directory
 * (`dir/` of `dir/anything.name`; the task root for `function.handler`).
 */
function resolveRuntimeApiFunction(name: string, fn: RawFunctionConfig, baseDir: string, problems: string[]): FunctionConfig {
  const dot = fn.handler.lastIndexOf('.');
  const modulePath = fn.handler.slice(0, dot);
  const dir = path.resolve(baseDir, path.dirname(modulePath));
  const handlerFile = runtimeFamily(fn.runtime) === 'python'
    ? path.join(dir, `${path.basename(modulePath).replaceAll('.', '/')}.py`)
    : path.join(dir, 'bootstrap');
  if (!isExecutableOrModule(handlerFile)) {
    const what = handlerFile.endsWith('.py') ? 'no module' : 'no executable';
    problems.push(`functions.${name}.handler: ${what} ${path.relative(baseDir, handlerFile) || handlerFile} under ${baseDir}`);
  }
  return { ...fn, name, handlerFile, handlerExport: fn.handler.slice(dot + 1), taskRoot: baseDir };
}

function isExecutableOrModule(file: string): boolean {
  try {
    accessSync(file, file.endsWith('.py') ? constants.R_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
