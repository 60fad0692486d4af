import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from './stack.js';
import { LAYER_TYPES } from './physical.js';
import { fromProject, unsupportedRuntime, type ProjectModel, type RawFunction } from './model.js';
import { mergeGlobals } from './globals.js';
import { refuseUnknownFunctionProperties } from './sam-properties.js';
import { samEvents } from './sam-events.js';
import { destinationsOf } from './destinations.js';
import { NO_VALUE } from './intrinsics.js';
import { numeric } from './mappings.js';
import { esbuildHandler } from './esbuild-entry.js';
import { environmentVariables } from './environment.js';
import { isObject } from '../own.js';

/**
 * An AWS::Serverless::Function (Globals merged) or AWS::Lambda::Function with local code → a
 * triggerhub function. SAM properties with no local meaning (IAM, tracing, VPC ...) are listed in one
 * warning per function; a property that would change how it runs but cannot be honoured, or one SAM
 * does not define (a misspelling), is an error.
 */
type Props = Record<string, unknown>;

/** Read here (Events and the Code/CodeUri/Layers family are read by their own helpers). */
const HANDLED = new Set([
  'Handler', 'Runtime', 'CodeUri', 'Code', 'MemorySize', 'Timeout', 'Environment', 'ReservedConcurrentExecutions',
  'DeadLetterQueue', 'DeadLetterConfig', 'EventInvokeConfig', 'Layers', 'AutoPublishAlias', 'FunctionUrlConfig',
  'Architectures', 'Description', 'FunctionName', 'Events', 'PackageType', 'LoggingConfig',
]);


/** CodeUri naming a local .zip (SAM accepts one; the hub runs code from a directory): left out, saying so. */
function archive(codeUri: string): string | undefined {
  if (!existsSync(codeUri) || statSync(codeUri).isDirectory()) return undefined;
  return `not loaded: its code ${codeUri} is a file (a .zip archive), not a directory: unzip it and point CodeUri at that directory`;
}

/**
 * A custom runtime whose bootstrap `sam build` makes (`Metadata: { BuildMethod: go1.x }`,
 * `rust-cargolambda`, `makefile`): the hub does not build it, so without a built bootstrap in CodeUri
 * the function is left out (the rest of the template runs); a bootstrap built there runs.
 */
function unbuilt(buildMethod: unknown, runtime: unknown, codeUri: string): string | undefined {
  if (buildMethod === undefined || !String(runtime).startsWith('provided') || existsSync(path.join(codeUri, 'bootstrap'))) return undefined;
  return `not loaded: its bootstrap is built by sam build (Metadata.BuildMethod ${String(buildMethod)}) and ${codeUri} has none: build it there, or run sam build and then up --template .aws-sam/build/template.yaml`;
}

export function loadFunction(stack: Stack, model: ProjectModel, logicalId: string, globals: unknown, templateDir: string): void {
  const resource = stack.resources.get(logicalId)!;
  const sam = resource.Type === 'AWS::Serverless::Function';
  const at = `Resources.${logicalId}.Properties`;
  if (sam) refuseUnknownFunctionProperties(stack, resource.Properties, at);
  const raw = sam ? mergeGlobals(globals, resource.Properties) : resource.Properties;
  // A property that resolves to AWS::NoValue (`!If [Cond, 30, !Ref AWS::NoValue]`) is absent, as in CloudFormation.
  const get = (key: string) => {
    const value = raw[key] === undefined ? undefined : stack.resolver.resolve(raw[key], `${at}.${key}`);
    return value === NO_VALUE ? undefined : value;
  };
  const name = stack.name(logicalId);
  const warn = (message: string) => model.warnings.push(message);

  const codeUri = codeDirectory(get(sam ? 'CodeUri' : 'Code'), templateDir);
  if (get('PackageType') === 'Image' || raw.ImageUri !== undefined || raw.InlineCode !== undefined || codeUri === undefined) {
    warn(`Resources.${logicalId}: not loaded: only functions with local code run (CodeUri/Code a directory; no image, InlineCode, ZipFile or S3 code)`);
    return;
  }
  const skipped = unsupportedRuntime(get('Runtime')) ?? archive(codeUri) ?? unbuilt(resource.Metadata?.BuildMethod, get('Runtime'), codeUri);
  if (skipped) {
    warn(`Resources.${logicalId}: ${skipped}`);
    return;
  }
  const handler = esbuildHandler(resource.Metadata, get('Handler'));
  // Lambda requires a handler for a .zip function of a language runtime (a custom runtime's bootstrap may go without).
  if (handler === undefined && !String(get('Runtime')).startsWith('provided')) throw stack.resolver.error(`${at}.Handler`, 'is required: the module and function Lambda calls (app.handler)');
  const fn: RawFunction = { handler, codeUri, events: [] };
  const copy: Array<[string, string]> = [['Runtime', 'runtime'], ['Description', 'description'], ['MemorySize', 'memorySize'], ['Timeout', 'timeout'], ['ReservedConcurrentExecutions', 'reservedConcurrency']];
  for (const [from, to] of copy) {
    const value = get(from);
    if (value !== undefined) fn[to] = numeric(value);
  }
  const environment = isObject(raw.Environment) && raw.Environment.Variables !== undefined
    ? { Variables: environmentVariables(stack.resolver, raw.Environment.Variables, `${at}.Environment.Variables`, warn) }
    : get('Environment');
  if (isObject(environment) && environment.Variables !== undefined) {
    const wrapped = wrapperScriptHandler(handler, environment.Variables);
    if (wrapped) {
      warn(`Resources.${logicalId}: ${wrapped}`);
      return;
    }
    fn.environment = environment.Variables;
    warnVariablesNotApplied(environment.Variables, `${at}.Environment.Variables`, warn);
  }
  Object.assign(fn, destinationsOf({ stack, model, fn: name, at }, {
    invokeConfig: get('EventInvokeConfig'),
    deadLetter: sam ? get('DeadLetterQueue') : deadLetterConfig(get('DeadLetterConfig')),
  }));
  const layers = layerDirectories(stack, model, get('Layers'), templateDir, `${at}.Layers`);
  if (layers) fn.layers = layers;
  // SAM publishes a version and points the alias at it: one alias of that name here.
  const alias = get('AutoPublishAlias');
  if (alias !== undefined) fn.aliases = { [String(alias)]: {} };
  const logging = get('LoggingConfig');
  if (isObject(logging)) fn.loggingConfig = loggingSettings(logging, warn, `${at}.LoggingConfig`);
  const url = get('FunctionUrlConfig');
  if (isObject(url)) fn.url = urlSettings(url, warn, `${at}.FunctionUrlConfig`);
  fn.events = samEvents({ stack, model, fn: name, warn }, raw.Events, `${at}.Events`);
  const ignored = Object.keys(raw).filter((key) => !HANDLED.has(key));
  if (ignored.length) warn(`Resources.${logicalId}: ${ignored.join(', ')} not applied locally`);
  // Lambda names are unique per account and region: CloudFormation fails the second; here it would replace the first.
  if (model.functions.has(name)) throw stack.resolver.error(`Resources.${logicalId}`, `function name ${name} is already the name of another function of this template`);
  model.functions.set(name, fromProject(fn, at));
}

/**
 * Variables whose effect on AWS does not happen here, said in a warning: `{{resolve:ssm:/name}}`,
 * `{{resolve:secretsmanager:...}}` (CloudFormation puts the value from AWS there at deploy time;
 * locally the variable holds the reference text) and AWS_LAMBDA_EXEC_WRAPPER (a wrapper script the
 * runtime starts through, usually from a layer: the hub runs the handler without it).
 */
export function warnVariablesNotApplied(variables: unknown, at: string, warn: (message: string) => void): void {
  if (!isObject(variables)) return;
  for (const [name, value] of Object.entries(variables)) {
    const reference = typeof value === 'string' ? /\{\{resolve:[^}]*\}\}/.exec(value)?.[0] : undefined;
    if (reference) warn(`${at}.${name}: ${reference} is resolved by CloudFormation from AWS; locally the variable holds that text`);
    if (name === EXEC_WRAPPER) warn(`${at}.${name}: wrapper scripts are not run locally: the handler runs without ${String(value)}`);
  }
}

const EXEC_WRAPPER = 'AWS_LAMBDA_EXEC_WRAPPER';

/**
 * Why a function whose handler is a script its wrapper starts (the Lambda Web Adapter's
 * `Handler: run.sh` with `AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap`) is left out: without the
 * wrapper nothing can run it. Undefined for any other function.
 */
export function wrapperScriptHandler(handler: unknown, variables: unknown): string | undefined {
  if (!isObject(variables) || variables[EXEC_WRAPPER] === undefined || typeof handler !== 'string' || !handler.endsWith('.sh')) return undefined;
  return `not loaded: its handler ${handler} is a script its ${EXEC_WRAPPER} (${String(variables[EXEC_WRAPPER])}, such as the Lambda Web Adapter's) starts, and the hub runs no wrapper scripts`;
}


/** LoggingConfig → `loggingConfig`; SystemLogLevel (the platform's START/END/REPORT records) is not applied. */
function loggingSettings(config: Props, warn: (message: string) => void, at: string): Props {
  const settings: Props = {};
  for (const [from, to] of [['LogFormat', 'logFormat'], ['ApplicationLogLevel', 'applicationLogLevel'], ['LogGroup', 'logGroup']]) {
    if (config[from] !== undefined) settings[to] = config[from];
  }
  if (config.SystemLogLevel !== undefined) warn(`${at}.SystemLogLevel not applied locally`);
  return settings;
}

/** The local code directory (relative to the template), or undefined for code in S3 or inline. */
function codeDirectory(code: unknown, templateDir: string): string | undefined {
  if (code === undefined) return templateDir;
  return typeof code === 'string' && !code.startsWith('s3://') ? path.resolve(templateDir, code) : undefined;
}

function deadLetterConfig(value: unknown): unknown {
  return isObject(value) && value.TargetArn !== undefined ? { TargetArn: value.TargetArn } : undefined;
}

/**
 * Layer ARNs → the local ContentUri of the template's layer with that ARN (recorded in the model
 * under the layer's name); any other ARN is left out with a warning.
 */
export function layerDirectories(stack: Stack, model: ProjectModel, layers: unknown, templateDir: string, at: string): string[] | undefined {
  if (!Array.isArray(layers) || layers.length === 0) return undefined;
  // By each layer's Ref (its version ARN), so layers of one LayerName (versions 1, 2, ...) keep their own content.
  const local = new Map<string, { name: string; dir: string }>();
  for (const [logicalId, resource] of stack.resources) {
    if (!LAYER_TYPES.has(resource.Type)) continue;
    const content = resource.Properties.ContentUri ?? resource.Properties.Content;
    // Content in S3 ({ S3Bucket, S3Key }, perhaps a custom resource's output): not local, whatever it resolves to.
    if (isObject(content) && (Object.hasOwn(content, 'S3Bucket') || Object.hasOwn(content, 'Bucket'))) continue;
    const dir = stack.resolver.resolve(content, `Resources.${logicalId}.Properties.ContentUri`);
    if (typeof dir === 'string' && !dir.startsWith('s3://')) {
      const version = stack.layerVersion(logicalId);
      const name = version === 1 ? stack.name(logicalId) : `${stack.name(logicalId)}:${version}`;
      local.set(stack.resolver.string({ Ref: logicalId }, `Resources.${logicalId}`), { name, dir: path.resolve(templateDir, dir) });
    }
  }
  return layers.flatMap((arn, i) => {
    const layer = local.get(String(arn));
    if (!layer) {
      // A published layer (Powertools, the Lambda Web Adapter, an extension): the hub cannot fetch it.
      // The function runs without it, as the code may bring what it needs itself.
      model.warnings.push(`${at}[${i}]: layer ${String(arn)} is not attached locally (the hub cannot fetch a published layer): install what it provides in the project, or declare it as AWS::Serverless::LayerVersion with a local ContentUri`);
      return [];
    }
    if (!model.layers.has(layer.name)) model.layers.set(layer.name, layer.dir);
    return [layer.dir];
  });
}

const CORS_PROPERTIES: Array<[string, string]> = [
  ['AllowOrigins', 'allowOrigins'], ['AllowMethods', 'allowMethods'], ['AllowHeaders', 'allowHeaders'],
  ['ExposeHeaders', 'exposeHeaders'], ['MaxAge', 'maxAge'], ['AllowCredentials', 'allowCredentials'],
];
const CORS_LISTS = new Set(['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders']);

/** AWS's CORS fields (`Cors` of a function URL, `CorsConfiguration` of an HTTP API) → a `cors` setting; absent lists are empty, as on AWS. */
export function corsSettings(cors: Props): Props {
  const out: Props = {};
  for (const [from, to] of CORS_PROPERTIES) {
    if (cors[from] !== undefined) out[to] = numeric(cors[from]);
    else if (CORS_LISTS.has(to)) out[to] = [];
  }
  return out;
}

/**
 * FunctionUrlConfig / AWS::Lambda::Url → the function's `url` settings (every function has its URL
 * at /urls/<fn>): AuthType (SAM requires it; NONE when absent, with a warning), Cors, InvokeMode.
 * Values are passed on as written: the config schema names what is wrong.
 */
export function urlSettings(config: Props, warn: (m: string) => void, at: string): Props {
  if (config.AuthType === undefined) warn(`${at}.AuthType: missing (SAM requires it); NONE assumed`);
  const url: Props = { authType: config.AuthType ?? 'NONE' };
  if (config.InvokeMode !== undefined) url.invokeMode = config.InvokeMode;
  if (isObject(config.Cors)) {
    url.cors = corsSettings(config.Cors);
  } else if (config.Cors !== undefined) {
    url.cors = config.Cors;
  }
  return url;
}
