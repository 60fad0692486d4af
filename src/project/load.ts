import path from 'node:path';
import { partitionOf } from '../arn.js';
import { HubError } from '../errors.js';
import type { RawHubConfig } from '../config/schema.js';
import { projectOrigin, settingOrigin, type ProjectModel } from './model.js';
import { loadSamTemplate } from './sam.js';
import { loadServerless } from './serverless.js';

/**
 * The project the config points at (`template:` or `serverless:`), loaded into the one model.
 * Paths are relative to the config's directory.
 */
type ProjectSettings = Pick<RawHubConfig, 'template' | 'serverless' | 'parameters' | 'importValues' | 'stackName' | 'stage' | 'region' | 'accountId'>;

export function loadProject(settings: ProjectSettings, baseDir: string, env: NodeJS.ProcessEnv): ProjectModel | undefined {
  const model = loadModel(settings, baseDir, env);
  // One line per warning: an API's default authorizer (or a Globals setting) is read for every
  // route it covers, and would say the same thing once per route.
  if (model) model.warnings = [...new Set(model.warnings)];
  return model;
}

function loadModel(settings: ProjectSettings, baseDir: string, env: NodeJS.ProcessEnv): ProjectModel | undefined {
  if (settings.template && settings.serverless) {
    throw new HubError('TH_ERR_CONFIG_INVALID', 'template and serverless are both set: a config points at one project');
  }
  const identity = { region: settings.region, accountId: settings.accountId, partition: partitionOf(settings.region) };
  if (settings.template) {
    const file = path.resolve(baseDir, settings.template);
    return loadSamTemplate(file, {
      ...identity,
      stackName: settings.stackName ?? stackNameOf(path.basename(path.dirname(file))),
      parameters: new Map(Object.entries(settings.parameters)),
      imports: new Map(Object.entries(settings.importValues)),
    });
  }
  if (settings.serverless) {
    return loadServerless(path.resolve(baseDir, settings.serverless), {
      ...identity, stage: settings.stage, stackName: settings.stackName, env,
      params: new Map(Object.entries(settings.parameters)),
      imports: new Map(Object.entries(settings.importValues)),
    });
  }
  return undefined;
}

/**
 * The project's functions (and the names of their layers) added to the config's own (from
 * `configPath`, when a file; its directories relative to `baseDir`); a function name in both is an
 * error naming both files, and so is a layer name in both for two directories (the config's would
 * otherwise take the name, and the project's layer be reported under its directory's).
 */
export function withProjectFunctions(raw: Record<string, unknown>, project: ProjectModel, { configPath, baseDir }: { configPath?: string; baseDir: string }): Record<string, unknown> {
  const own = typeof raw.functions === 'object' && raw.functions !== null ? raw.functions as Record<string, unknown> : {};
  const functions: Record<string, unknown> = { ...own };
  for (const [name, fn] of project.functions) {
    if (Object.hasOwn(own, name)) throw new HubError('TH_ERR_CONFIG_INVALID', `functions.${name}: declared in ${configPath || 'the config'} and also by ${project.file}; rename one`);
    // The hub's config records cannot hold this key: refused by name rather than lost without a word.
    if (name === '__proto__') throw new HubError('TH_ERR_CONFIG_PROJECT', `${project.file}: function ${name}: this name cannot be used locally; give the function another name (FunctionName, or another key in functions:)`);
    functions[name] = fn;
  }
  // The project's layers by name, for the layer ARN GetFunction reports; the config's own may name the same directory.
  const ownLayers = typeof raw.layers === 'object' && raw.layers !== null ? raw.layers as Record<string, unknown> : {};
  for (const [name, dir] of project.layers) {
    const own = Object.hasOwn(ownLayers, name) ? ownLayers[name] : undefined;
    if (own === undefined || (typeof own === 'string' && path.resolve(baseDir, own) === dir)) continue;
    throw new HubError('TH_ERR_CONFIG_INVALID', `layers.${name}: declared in ${configPath || 'the config'} (${JSON.stringify(own)}) and also by ${project.file} (${dir}); rename one`);
  }
  const layers = Object.assign(Object.fromEntries([...project.layers].filter(([name]) => name !== '__proto__')), ownLayers);
  return { ...raw, functions, ...(project.layers.size ? { layers } : {}) };
}

/** A directory name as a stack name (letters, digits, -; starting with a letter). */
function stackNameOf(dir: string): string {
  const name = dir.replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '');
  return name.slice(0, 128) || 'stack';
}

/** The property of a SAM function (and of a serverless.yml one) behind each of the hub's function settings named differently. */
const SERVERLESS_PROPERTIES = new Map([['deadLetterQueue', 'onError'], ['maximumEventAgeInSeconds', 'maximumEventAge']]);
const SAM_PROPERTIES = new Map([
  ['handler', 'Handler'], ['runtime', 'Runtime'], ['codeUri', 'CodeUri'], ['memorySize', 'MemorySize'], ['timeout', 'Timeout'],
  ['description', 'Description'], ['reservedConcurrency', 'ReservedConcurrentExecutions'], ['environment', 'Environment.Variables'],
  ['layers', 'Layers'], ['url', 'FunctionUrlConfig'], ['loggingConfig', 'LoggingConfig'], ['aliases', 'AutoPublishAlias'],
  ['maximumRetryAttempts', 'EventInvokeConfig.MaximumRetryAttempts'], ['maximumEventAgeInSeconds', 'EventInvokeConfig.MaximumEventAgeInSeconds'],
  ['destinations', 'EventInvokeConfig.DestinationConfig'], ['deadLetterQueue', 'DeadLetterQueue'],
]);

const PROBLEM = /^functions\.([^.:[\s]+)\.([^.:[\s]+)(?:\[(\d+)\])?([^:\s]*): /;

/**
 * A config problem about a project function in the project's terms: `functions.Fn.timeout: ...`
 * becomes `Resources.Fn.Properties.Timeout (functions.Fn.timeout): ...`, and an event's
 * `functions.Fn.events[0].sqs.batchSize: ...` names the event (or resource) it came from,
 * `Resources.Fn.Properties.Events.Jobs (functions.Fn.events[0].sqs.batchSize): ...`.
 */
export function inProjectTerms(line: string, project: ProjectModel): string {
  const match = PROBLEM.exec(line);
  const fn = match && project.functions.has(match[1]) ? project.functions.get(match[1])! : undefined;
  if (!match || !fn) return line;
  const [whole, , field, index] = match;
  let origin: string | undefined;
  if (field === 'events' && index !== undefined) origin = projectOrigin(fn.events[Number(index)]);
  else if (settingOrigin(fn, field) !== undefined) origin = settingOrigin(fn, field);
  else {
    const at = projectOrigin(fn);
    const properties = project.format === 'sam' ? SAM_PROPERTIES : SERVERLESS_PROPERTIES;
    origin = at && (properties.has(field) ? `${at}.${properties.get(field)}` : project.format === 'sam' ? at : undefined);
  }
  const hubPath = whole.slice(0, -2);
  return origin === undefined || origin === hubPath ? line : `${origin} (${hubPath}): ${line.slice(whole.length)}`;
}
