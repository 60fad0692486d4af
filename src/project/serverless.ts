import path from 'node:path';
import { HubError } from '../errors.js';
import { declareResources } from './cfn-resources.js';
import { attachResources } from './cfn-attachments.js';
import { dropForeignAuthorizers } from './authorizers.js';
import { emptyModel, fromProject, unsupportedRuntime, type ProjectModel, type RawFunction } from './model.js';
import { readProjectFile } from './read.js';
import { layerDirectories, urlSettings, warnVariablesNotApplied, wrapperScriptHandler } from './sam-function.js';
import { numeric } from './mappings.js';
import { environmentVariables } from './environment.js';
import { frameworkHttpApiCors, restApiCors, serverlessEvents } from './serverless-events.js';
import { FRAMEWORK_DEFAULT_STAGE, Variables } from './serverless-variables.js';
import { withDotenv } from './serverless-dotenv.js';
import { pluginsWarnings } from './serverless-plugins.js';
import { liftConstructs } from './serverless-lift.js';
import { frameworkResources, overResources, stateMachineResources } from './serverless-resources.js';
import { Stack, type CfnTemplate } from './stack.js';
import type { StackIdentity } from './physical.js';
import { isObject, setOwn } from '../own.js';

/**
 * serverless.yml (v3 and v4 syntax) → the project model: variables resolved first, then the
 * `resources:` CloudFormation and each function through the same resolver and mapping code as
 * SAM. Function `<key>` is the hub function `<key>` (what `serverless invoke local -f` takes) and
 * the CloudFormation resource `<Key>LambdaFunction`, so `!GetAtt HelloLambdaFunction.Arn` works.
 */
export interface ServerlessOptions extends Omit<StackIdentity, 'stackName'> {
  stage?: string;
  stackName?: string;
  env: NodeJS.ProcessEnv;
  params: ReadonlyMap<string, string>;
  imports: ReadonlyMap<string, string>;
}

type Props = Record<string, unknown>;

/** Defaults the framework applies to functions (not Lambda's 128 MB / 3 s). */
const FRAMEWORK_DEFAULTS = { memorySize: 1024, timeout: 6 };

export function loadServerless(file: string, options: ServerlessOptions): ProjectModel {
  const data = readProjectFile(file);
  const includes = new Set<string>();
  const sources = { file, region: options.region, accountId: options.accountId, env: options.env, included: (read: string) => includes.add(read) };
  const provider = isObject(data.provider) ? data.provider : {};
  // A service for another provider (azure, google, openwhisk, kubeless ...) has no Lambda functions to run.
  if (typeof provider.name === 'string' && provider.name !== 'aws') {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: provider.name: ${provider.name} is not aws: the hub runs AWS Lambda services (provider: { name: aws })`);
  }
  const probe = new Variables(data, { ...sources, stage: options.stage ?? '', stageOption: options.stage, params: options.params });
  // A provider.stage that does not resolve is an error, as in the Framework (v3: "Cannot resolve
  // variable at provider.stage"), a bare ${opt:stage} without --stage included.
  const stage = options.stage ?? String(probe.resolve(provider.stage, 'provider.stage') ?? FRAMEWORK_DEFAULT_STAGE);
  const dotenv = data.useDotenv === true ? withDotenv(options.env, path.dirname(file), stage) : { env: options.env };
  if (dotenv.file) includes.add(dotenv.file);
  const constructs = new Map<string, unknown>();
  const vars = new Variables(data, { ...sources, env: dotenv.env, stage, stageOption: options.stage, params: new Map([...stageParams(data, stage), ...options.params]), constructs });
  const service = vars.resolve(isObject(data.service) ? data.service.name : data.service, 'service');
  // The Framework refuses a service without a name; it names the stack and every resource.
  if (typeof service !== 'string' || service === '') throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: service: is required: the service name (service: my-service)`);
  const region = provider.region === undefined ? options.region : String(vars.resolve(provider.region, 'provider.region'));
  const model = emptyModel('serverless', file, options.stackName ?? `${service}-${stage}`);
  if (region !== options.region) model.warnings.push(`provider.region ${region}: the hub's region ${options.region} is used locally`);
  model.warnings.push(...pluginsWarnings(data.plugins, data.custom));
  const section = (key: string, value: unknown) => mapping(vars.resolve(value, key), key, file);
  const lift = liftConstructs(section('constructs', data.constructs), model.stackName);
  for (const [name, value] of lift.variables) constructs.set(name, value);
  model.warnings.push(...lift.warnings);
  const functions = { ...lift.functions, ...section('functions', data.functions) };
  // The Framework drops a function whose entry is empty (`hello:` with nothing under it, or null from a file).
  for (const [key, value] of Object.entries(functions)) if (value === null) delete functions[key];
  const unattached = lift.attach(functions);
  if (unattached) throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: ${unattached}`);
  const resources = section('resources', data.resources);
  const layers = section('layers', data.layers);
  const template: CfnTemplate = {
    Conditions: resources.Conditions as Props, Mappings: resources.Mappings as Props,
    Resources: overResources({ ...frameworkResources(functions, layers), ...stateMachineResources(data.stepFunctions, vars), ...lift.resources }, resources.Resources as Props),
  };
  const stack = new Stack(template, { ...options, stackName: model.stackName, file, parameters: new Map() });
  declareResources(stack, model);
  const defaults = {
    runtime: vars.resolve(provider.runtime, 'provider.runtime'),
    memorySize: vars.resolve(provider.memorySize, 'provider.memorySize') ?? FRAMEWORK_DEFAULTS.memorySize,
    timeout: vars.resolve(provider.timeout, 'provider.timeout') ?? FRAMEWORK_DEFAULTS.timeout,
    environment: section('provider.environment', provider.environment),
    httpApiPayload: isObject(provider.httpApi) ? vars.resolve(provider.httpApi.payload, 'provider.httpApi.payload') : undefined,
    httpApiCors: isObject(provider.httpApi) ? frameworkHttpApiCors(vars.resolve(provider.httpApi.cors, 'provider.httpApi.cors'), functions) : undefined,
    httpApiAuthorizers: isObject(provider.httpApi) ? section('provider.httpApi.authorizers', provider.httpApi.authorizers) : undefined,
    layers: vars.resolve(provider.layers, 'provider.layers'),
    restCors: restApiCors(stack, functions),
    restBinaryMediaTypes: isObject(provider.apiGateway) ? binaryMediaTypes(vars.resolve(provider.apiGateway.binaryMediaTypes, 'provider.apiGateway.binaryMediaTypes'), file) : undefined,
  };
  for (const [key, value] of Object.entries(functions)) {
    if (!isObject(value)) throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: functions.${key}: must be a mapping with a handler`);
    if (value.image !== undefined && value.handler === undefined) {
      model.warnings.push(`functions.${key}: not loaded: only functions with local code run (image: is a container image)`);
      continue;
    }
    const skipped = unsupportedRuntime(value.runtime ?? defaults.runtime);
    if (skipped) {
      model.warnings.push(`functions.${key}: ${skipped}`);
      continue;
    }
    const wrapped = wrapperScriptHandler(value.handler, { ...defaults.environment, ...(isObject(value.environment) ? value.environment : {}) });
    if (wrapped) {
      model.warnings.push(`functions.${key}: ${wrapped}`);
      continue;
    }
    model.functions.set(key, fromProject(serverlessFunction({ stack, model, key, props: value, defaults, stage, dir: path.dirname(file) }), `functions.${key}`));
  }
  attachResources(stack, model);
  dropForeignAuthorizers(model);
  model.includes.push(...includes);
  return model;
}

/** `provider.apiGateway.binaryMediaTypes`: the REST API's binary media types (the Framework's list of strings). */
function binaryMediaTypes(value: unknown, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((type) => typeof type === 'string')) {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: provider.apiGateway.binaryMediaTypes: must be a list of media types (image/png, */*)`);
  }
  return value;
}

interface FunctionInput {
  stack: Stack; model: ProjectModel; key: string; props: Props; stage: string; dir: string;
  defaults: { runtime: unknown; memorySize: unknown; timeout: unknown; environment: Props; httpApiPayload: unknown; httpApiCors?: Props; httpApiAuthorizers?: Props; layers: unknown; restCors: Map<string, Props>; restBinaryMediaTypes?: string[] };
}

function serverlessFunction({ stack, model, key, props, defaults, stage, dir }: FunctionInput): RawFunction {
  const at = `functions.${key}`;
  const r = stack.resolver;
  // A variable set to null (`X:`, `\${env:X, null}`) is left out, as the Framework strips null properties from the template.
  const declared = Object.entries({ ...defaults.environment, ...(isObject(props.environment) ? props.environment : {}) }).filter(([, value]) => value !== null);
  const environment = environmentVariables(r, Object.fromEntries(declared), `${at}.environment`, (message) => model.warnings.push(message));
  warnVariablesNotApplied(environment, `${at}.environment`, (message) => model.warnings.push(message));
  const fn: RawFunction = {
    handler: props.handler,
    codeUri: dir,
    memorySize: numeric(props.memorySize ?? defaults.memorySize),
    timeout: numeric(props.timeout ?? defaults.timeout),
    environment,
    events: [],
  };
  if (props.runtime ?? defaults.runtime) fn.runtime = props.runtime ?? defaults.runtime;
  if (props.description !== undefined) fn.description = props.description;
  if (props.reservedConcurrency !== undefined) fn.reservedConcurrency = numeric(props.reservedConcurrency);
  if (props.maximumRetryAttempts !== undefined) fn.maximumRetryAttempts = numeric(props.maximumRetryAttempts);
  if (props.maximumEventAge !== undefined) fn.maximumEventAgeInSeconds = numeric(props.maximumEventAge);
  const destinations = isObject(props.destinations) ? props.destinations : {};
  const targets: Props = {};
  for (const kind of ['onSuccess', 'onFailure']) {
    const target = isObject(destinations[kind]) ? (destinations[kind] as Props).arn : destinations[kind];
    if (target !== undefined) targets[kind] = r.string(target, `${at}.destinations.${kind}`);
  }
  if (Object.keys(targets).length) fn.destinations = targets;
  // The Framework's onError is the function's DeadLetterConfig (an SNS ARN, or an SQS one via a CloudFormation function).
  if (props.onError !== undefined) fn.deadLetterQueue = r.string(props.onError, `${at}.onError`);
  const warn = (message: string) => model.warnings.push(message);
  // The function's own list replaces provider.layers, as in the Framework.
  const layers = props.layers === undefined
    ? layerDirectories(stack, model, r.resolve(defaults.layers, 'provider.layers'), dir, 'provider.layers')
    : layerDirectories(stack, model, r.resolve(props.layers, `${at}.layers`), dir, `${at}.layers`);
  if (layers) fn.layers = layers;
  if (props.url) fn.url = urlSettings(serverlessUrl(props.url, warn, `${at}.url`), warn, `${at}.url`);
  const payload = (isObject(props.httpApi) ? props.httpApi.payload : undefined) ?? defaults.httpApiPayload;
  const httpApiPayload = payload === undefined ? undefined : String(payload);
  fn.events = serverlessEvents({ stack, model, fn: key, stage, httpApiPayload, httpApiCors: defaults.httpApiCors, httpApiAuthorizers: defaults.httpApiAuthorizers, restCors: defaults.restCors, restBinaryMediaTypes: defaults.restBinaryMediaTypes }, props.events, `${at}.events`);
  const ignored = Object.keys(props).filter((name) => !FUNCTION_PROPERTIES.has(name));
  if (ignored.length) warn(`${at}: ${ignored.join(', ')} not applied locally`);
  return fn;
}

/** The function properties read above; others (vpc, role, provisionedConcurrency, package …) are named in a warning, as SAM's are. */
const FUNCTION_PROPERTIES = new Set([
  'handler', 'memorySize', 'timeout', 'environment', 'runtime', 'description', 'reservedConcurrency', 'maximumRetryAttempts',
  'maximumEventAge', 'destinations', 'onError', 'layers', 'url', 'httpApi', 'events',
]);

/** v3 `params: { default, <stage> }`, v4 `stages: { default: { params }, <stage>: { params } }`. */
function stageParams(data: Props, stage: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  // A param keeps its YAML type (`batch: 10` is the number 10), as in the Framework.
  const add = (values: unknown) => {
    if (isObject(values)) for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) out.set(k, v);
  };
  const v3 = isObject(data.params) ? data.params : {};
  const v4 = isObject(data.stages) ? data.stages : {};
  for (const name of ['default', stage]) {
    add(v3[name]);
    if (isObject(v4[name])) add((v4[name] as Props).params);
  }
  return out;
}

/** What the Framework puts in AWS::Lambda::Url.Cors for `cors: true`, and under the fields an object leaves out. */
const URL_CORS_DEFAULTS: Props = {
  allowedOrigins: ['*'],
  allowedHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token'],
  allowedMethods: ['*'],
};

/** `url: true | { authorizer: aws_iam, cors: true | {...}, invokeMode }` → a FunctionUrlConfig, as the Framework compiles it. */
function serverlessUrl(url: unknown, warn: (m: string) => void, at: string): Props {
  if (!isObject(url)) return { AuthType: 'NONE' };
  if (url.authorizer !== undefined && url.authorizer !== 'aws_iam') warn(`${at}.authorizer: only aws_iam is known; the URL is open (NONE)`);
  const config: Props = { AuthType: url.authorizer === 'aws_iam' ? 'AWS_IAM' : 'NONE' };
  if (url.invokeMode !== undefined) config.InvokeMode = url.invokeMode;
  if (url.cors) {
    // An explicit null removes a default, as in the Framework.
    const cors: Props = { ...URL_CORS_DEFAULTS, ...(isObject(url.cors) ? url.cors : {}) };
    const list = (value: unknown) => (value == null ? undefined : Array.isArray(value) ? value : [value]);
    config.Cors = {
      AllowOrigins: list(cors.allowedOrigins), AllowHeaders: list(cors.allowedHeaders), AllowMethods: list(cors.allowedMethods),
      ExposeHeaders: list(cors.exposedResponseHeaders), MaxAge: cors.maxAge, AllowCredentials: cors.allowCredentials,
    };
  }
  return config;
}

/**
 * A top-level section once its variables are resolved (`functions: ${file(./functions.yml)}`): a
 * mapping, or a list of mappings merged in order as the Framework merges `functions` and
 * `resources` lists; absent or null is empty.
 */
function mapping(value: unknown, at: string, file: string): Props {
  if (value === undefined || value === null) return {};
  const parts = Array.isArray(value) ? value : [value];
  return parts.reduce<Props>((merged, part, i) => {
    if (part === null || part === undefined) return merged;
    if (!isObject(part)) throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: ${Array.isArray(value) ? `${at}[${i}]` : at}: must be a mapping`);
    return deepMerge(merged, part);
  }, {});
}

function deepMerge(into: Props, from: Props): Props {
  const out: Props = { ...into };
  for (const [key, value] of Object.entries(from)) {
    const merged = isObject(value) && Object.hasOwn(into, key) && isObject(into[key]) ? deepMerge(into[key] as Props, value) : value;
    setOwn(out, key, merged);
  }
  return out;
}
