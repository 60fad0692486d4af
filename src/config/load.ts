import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { HubError } from '../errors.js';
import { hubSchema, runtimeFamily, type RawFunctionConfig, type RawHubConfig } from './schema.js';
import { interpolateEnv } from './interpolate.js';
import { formatIssues } from './issues.js';
import { resolveLayers, resolveNamedLayers } from './layers.js';
import { missingFunction } from '../destinations/targets.js';
import { resolveQualifier } from './versions.js';
import { parseEvents } from './events.js';
import { isObject } from '../own.js';
import { inProjectTerms, loadProject, withProjectFunctions } from '../project/load.js';
import type { ProjectModel } from '../project/model.js';
import { dictionary } from '../own.js';

export const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

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
  /** The SAM template or serverless.yml the config points at: its resources and loader warnings. */
  project?: ProjectModel;
}

/** `overrides` (from CLI flags) replace the file's top-level keys; `parameters` key by key (`--parameter-overrides B=x` keeps the file's A). */
export function loadConfigFile(configPath: string, env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): HubConfig {
  const absolute = path.resolve(configPath);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_NOT_FOUND', `cannot read config file ${absolute}: ${unreadable(cause as NodeJS.ErrnoException, absolute)}`, { cause });
  }
  let raw: unknown;
  try {
    // Merge keys (`<<: *defaults`, YAML 1.1, as js-yaml and Docker Compose read them) share settings between functions.
    raw = parseYaml(text, { merge: true }) ?? {};
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_INVALID', `${absolute}: not valid YAML: ${(cause as Error).message}${placeholderHint(text, cause)}`, { cause });
  }
  return buildConfig(Object.keys(overrides).length ? withOverrides(raw, overrides) : raw, { baseDir: path.dirname(absolute), configPath: absolute, env });
}

/** `{ port: ${PORT} }` is a YAML error (`{` opens a flow mapping): on a line with a `${`, say to quote it. */
function placeholderHint(text: string, err: unknown): string {
  const line = err instanceof YAMLParseError && err.linePos ? text.split('\n')[err.linePos[0].line - 1] : undefined;
  return line?.includes('${') ? '\nquote a ${VAR} inside { } or [ ]: port: "${PORT}" (a quoted placeholder that is the whole value still becomes a number)' : '';
}

/** Why the config file cannot be read, and what to do about the usual reasons. */
function unreadable(err: NodeJS.ErrnoException, file: string): string {
  if (err.code === 'ENOENT') return 'no such file: pass --config PATH (or set TRIGGERHUB_CONFIG), or run a project with --template / --serverless';
  if (err.code === 'EISDIR') return `it is a directory: pass the file in it (--config ${path.join(file, 'triggerhub.yaml')})`;
  return err.message;
}

function withOverrides(raw: unknown, overrides: Record<string, unknown>): Record<string, unknown> {
  const file = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const merged = { ...file, ...overrides };
  if (isObject(file.parameters) && isObject(overrides.parameters)) merged.parameters = { ...file.parameters, ...overrides.parameters };
  return merged;
}

/** Validates a parsed config object; throws one HubError listing every problem. */
export function buildConfig(
  raw: unknown,
  options: { baseDir: string; configPath?: string; env?: NodeJS.ProcessEnv },
): HubConfig {
  const env = options.env ?? process.env;
  const missing: string[] = [];
  const interpolated = interpolateEnv(raw, env, missing) as Record<string, unknown>;
  if (missing.length) {
    throw new HubError('TH_ERR_CONFIG_ENV_MISSING', `invalid config${options.configPath ? ` ${options.configPath}` : ''}:\n${missing.join('\n')}`);
  }
  let { parsed, events } = parseHub(interpolated, options.configPath);
  // The project's functions join the config's own, validated by the same schema.
  const project = loadProject(parsed, options.baseDir, env);
  if (project) ({ parsed, events } = parseHub(withProjectFunctions(interpolated, project, options), [options.configPath, `with ${project.file}`].filter(Boolean).join(' '), project));
  const problems: string[] = [];
  const layers = resolveNamedLayers(parsed.layers, options.baseDir, problems);
  const functions = dictionary<FunctionConfig>();
  for (const [name, fn] of Object.entries(parsed.functions)) {
    functions[name] = {
      ...resolveFunction(name, { ...fn, events: events.get(name) ?? [] }, options.baseDir, problems),
      layers: resolveLayers(name, fn.layers, layers, options.baseDir, problems),
    };
  }
  const names = new Set(Object.keys(functions));
  for (const fn of Object.values(functions)) {
    for (const [kind, target] of Object.entries(fn.destinations)) {
      const problem = target === undefined ? undefined : missingFunction(target, names, (name, qualifier) => resolveQualifier(functions[name], qualifier) !== undefined, parsed);
      if (problem) problems.push(`functions.${fn.name}.destinations.${kind}: ${problem}`);
    }
  }
  const dataDir = path.resolve(options.baseDir, parsed.dataDir);
  const dataDirProblem = notADirectory(dataDir);
  if (dataDirProblem) problems.push(`dataDir: ${dataDir} ${dataDirProblem}: set dataDir to a directory (default .triggerhub)`);
  if (problems.length) {
    const source = [options.configPath, project && `with ${project.file}`].filter(Boolean).join(' ');
    const lines = project ? problems.map((line) => inProjectTerms(line, project)) : problems;
    throw new HubError('TH_ERR_CONFIG_INVALID', `invalid config${source ? ` ${source}` : ''}:\n${lines.join('\n')}`);
  }
  const config: HubConfig = {
    ...parsed,
    configPath: options.configPath ?? '',
    baseDir: options.baseDir,
    dataDir,
    layers: Object.fromEntries(layers),
    functions,
    ...(project ? { project } : {}),
  };
  return deepFreeze(config);
}

/** Why `dir` cannot be a directory (it is a file, or lies under one); undefined when it is one or does not exist yet. */
function notADirectory(dir: string): string | undefined {
  try {
    return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false ? 'is a file, not a directory' : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTDIR' ? 'lies under a file, not a directory' : `cannot be used (${code ?? (err as Error).message})`;
  }
}

/** The hub schema, then every event mapping against its kind (a second pass: sources validate their own settings). */
function parseHub(raw: unknown, configPath?: string, project?: ProjectModel): { parsed: RawHubConfig; events: ReturnType<typeof parseEvents>['events'] } {
  const parsed = hubSchema.safeParse(raw);
  const events = parseEvents(raw, parsed.success ? parsed.data : undefined);
  if (!parsed.success || events.problems.length) {
    const problems = [...(parsed.success ? [] : formatIssues(parsed.error.issues).split('\n')), ...events.problems];
    const lines = project ? problems.map((line) => inProjectTerms(line, project)) : problems;
    throw new HubError('TH_ERR_CONFIG_INVALID', `invalid config${configPath ? ` ${configPath}` : ''}:\n${lines.join('\n')}`);
  }
  return { parsed: parsed.data, events: events.events };
}

function resolveFunction(name: string, fn: RawFunctionConfig, baseDir: string, problems: string[]): FunctionConfig {
  const family = runtimeFamily(fn.runtime);
  const root = path.resolve(baseDir, fn.codeUri ?? '.');
  if (family !== 'node') return resolveRuntimeApiFunction(name, fn, root, problems);
  // Lambda's Node.js runtime takes the module from the last path segment up to its first dot and
  // the rest as the export's path (`index.handlers.main` is `handlers.main` of index;
  // `v1.2/app.handlers.main` is `handlers.main` of v1.2/app); the first and last dot of the whole
  // string are tried after it.
  const splits = [fn.handler.indexOf('.', fn.handler.lastIndexOf('/') + 1), fn.handler.indexOf('.'), fn.handler.lastIndexOf('.')]
    .filter((dot) => dot >= 0);
  const found = splits
    .map((dot) => ({ dot, handlerFile: moduleCandidates(path.resolve(root, fn.handler.slice(0, dot))).find((file) => existsSync(file)) }))
    .find((split) => split.handlerFile !== undefined);
  const dot = found?.dot ?? splits[0];
  const handlerExport = fn.handler.slice(dot + 1);
  const base = path.resolve(root, fn.handler.slice(0, dot));
  const handlerFile = found?.handlerFile;
  if (!handlerFile) {
    problems.push(`functions.${name}.handler: no module ${path.relative(root, base) || base}{${HANDLER_EXTENSIONS.join(',')}} under ${root}`);
  }
  return {
    ...fn,
    name,
    handlerFile: handlerFile ?? moduleCandidates(base)[0],
    handlerExport,
    taskRoot: root,
  };
}

/**
 * Python: `dir/module.function`, where `module` may be dotted (`pkg.mod`), resolves to
 * `dir/pkg/mod.py`. Custom runtimes: the executable `bootstrap` in the handler's directory
 * (`dir/` of `dir/anything.name`; the task root for `function.handler`).
 */
function resolveRuntimeApiFunction(name: string, fn: RawFunctionConfig, baseDir: string, problems: string[]): FunctionConfig {
  if (fn.isolation === 'thread') problems.push(`functions.${name}.isolation: 'thread' runs Node.js handlers only; ${fn.runtime} runs in a process`);
  const dot = fn.handler.lastIndexOf('.');
  // A custom runtime's handler may have no dot at all (`bootstrap`): it names no module then.
  const modulePath = dot < 0 ? fn.handler : fn.handler.slice(0, dot);
  const dir = path.resolve(baseDir, path.dirname(modulePath));
  const handlerFile = runtimeFamily(fn.runtime) === 'python'
    ? path.join(dir, `${path.basename(modulePath).replaceAll('.', '/')}.py`)
    : path.join(dir, 'bootstrap');
  if (!isExecutableOrModule(handlerFile)) {
    const what = handlerFile.endsWith('.py') ? 'no module' : 'no executable';
    problems.push(`functions.${name}.handler: ${what} ${path.relative(baseDir, handlerFile) || handlerFile} under ${baseDir}`);
  }
  return { ...fn, name, handlerFile, handlerExport: dot < 0 ? '' : fn.handler.slice(dot + 1), taskRoot: baseDir };
}

/** The files a handler's module path may be: itself when it has a handler extension, else with each. */
function moduleCandidates(base: string): string[] {
  return path.extname(base) && HANDLER_EXTENSIONS.includes(path.extname(base) as never)
    ? [base]
    : HANDLER_EXTENSIONS.map((ext) => base + ext);
}

function isExecutableOrModule(file: string): boolean {
  try {
    accessSync(file, file.endsWith('.py') ? constants.R_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
