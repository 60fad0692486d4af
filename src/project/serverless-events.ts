import type { Stack } from './stack.js';
import { fromProject, type ProjectModel } from './model.js';
import { mappingFromArn, type Mapping } from './mappings.js';
import { attributeValue } from './physical.js';
import { FRAMEWORK_HEADERS, frameworkRestCors } from './rest-api-cors.js';
import { input } from './sam-events.js';
import { ALL_METHODS } from '../sources/http/settings.js';
import { frameworkHttpAuthorizer, frameworkRestAuthorizer } from './serverless-authorizers.js';
import { frameworkBoolean } from './serverless-variables.js';
import { s3EventSettings, snsEventSettings } from './serverless-resources.js';
import { isObject } from '../own.js';

/**
 * serverless.yml `functions.<fn>.events` → triggerhub event mappings. Pollers are renamed to
 * Lambda's property names and go through the same mapping code as SAM; `sns: name` and `s3: bucket`
 * declare the topic / bucket, as the framework creates them.
 */
type Props = Record<string, unknown>;

export interface ServerlessEventContext {
  stack: Stack;
  model: ProjectModel;
  fn: string;
  stage: string;
  /** The function's `httpApi.payload`, else the provider's: the payload version of its httpApi events (the Framework's default 2.0). */
  httpApiPayload?: string;
  /** The CORS of the service's HTTP API (`provider.httpApi.cors`), for each httpApi route. */
  httpApiCors?: Props;
  /** The REST API's CORS by path (`http` events' `cors`, merged per path: restApiCors). */
  restCors?: Map<string, Props>;
  /** `provider.httpApi.authorizers`, which httpApi events' `authorizer.name` names. */
  httpApiAuthorizers?: Props;
  /** `provider.apiGateway.binaryMediaTypes`, for each http (REST) route. */
  restBinaryMediaTypes?: string[];
}

type Mapper = (ctx: ServerlessEventContext, value: unknown, at: string) => Mapping[];

const warn = (ctx: ServerlessEventContext) => (message: string) => ctx.model.warnings.push(message);
const slash = (p: unknown) => `/${String(p ?? '').replace(/^\/+/, '')}`;

/** `GET users/{id}` or `{ method, path }`. */
function route(value: unknown): { method: string; path: string; props: Props } {
  if (typeof value === 'string') {
    if (value === '*') return { method: 'ANY', path: '$default', props: {} };
    const [method, path] = value.trim().split(/\s+/);
    return { method: method === '*' ? 'ANY' : method.toUpperCase(), path: slash(path), props: {} };
  }
  const props = isObject(value) ? value : {};
  const method = props.method === undefined || props.method === '*' ? 'ANY' : String(props.method).toUpperCase();
  return { method, path: props.path === undefined || props.path === '*' ? '$default' : slash(props.path), props };
}

/** An http event's route; the Framework drops a trailing slash (`users/` is the resource /users). */
function restRoute(value: unknown): { method: string; path: string; props: Props } {
  const found = route(value);
  return { ...found, path: found.path.length > 1 ? found.path.replace(/\/+$/, '') || '/' : found.path };
}

/** Every function's `http` events' CORS, merged per path as the Framework merges it. */
export function restApiCors(stack: Stack, functions: Props): Map<string, Props> {
  const events: Array<{ path: string; method: string; cors: unknown }> = [];
  for (const [key, fn] of Object.entries(functions)) {
    if (!isObject(fn) || !Array.isArray(fn.events)) continue;
    for (const [i, event] of fn.events.entries()) {
      if (!isObject(event) || event.http === undefined) continue;
      const { path, method, props } = restRoute(stack.resolver.resolve(event.http, `functions.${key}.events[${i}].http`));
      events.push({ path, method, cors: props.cors });
    }
  }
  return frameworkRestCors(events);
}

const http: Mapper = (ctx, value, at) => {
  const { method, path, props } = restRoute(value);
  if (props.integration !== undefined && String(props.integration).toLowerCase() !== 'lambda-proxy' && String(props.integration).toLowerCase() !== 'aws_proxy') {
    const cors = props.cors ? ' (its responses get no Access-Control-Allow-Origin, which the Framework adds to a lambda integration\'s)' : '';
    warn(ctx)(`${at}.integration: ${String(props.integration)} integrations run as lambda-proxy locally${cors}`);
  }
  if (frameworkBoolean(props.private) === true) warn(ctx)(`${at}.private: API keys are not checked locally`);
  const cors = props.cors ? ctx.restCors?.get(path) : undefined;
  const authorizer = props.authorizer === undefined ? undefined : frameworkRestAuthorizer(ctx.stack, props.authorizer, `${at}.authorizer`, warn(ctx));
  const binary = ctx.restBinaryMediaTypes ? { binaryMediaTypes: ctx.restBinaryMediaTypes } : {};
  return [{ api: { path, method, stage: ctx.stage, ...(cors ? { cors } : {}), ...binary, ...(authorizer ? { authorizer } : {}) } }];
};

const httpApi: Mapper = (ctx, value, at) => {
  const { method, path, props } = route(value);
  const authorizer = props.authorizer === undefined ? undefined : frameworkHttpAuthorizer(ctx.stack, props.authorizer, {
    authorizers: ctx.httpApiAuthorizers, routePayload: ctx.httpApiPayload ?? '2.0', at: `${at}.authorizer`, warn: warn(ctx),
  });
  return [{
    http: {
      path, methods: [method],
      ...(ctx.httpApiPayload === undefined ? {} : { payloadFormatVersion: ctx.httpApiPayload }),
      ...(ctx.httpApiCors === undefined ? {} : { cors: ctx.httpApiCors }),
      ...(authorizer ? { authorizer } : {}),
    },
  }];
};


/**
 * `provider.httpApi.cors` (`true` or `{ allowedOrigins, allowedHeaders, allowedMethods,
 * allowCredentials, exposedResponseHeaders, maxAge }`) → the routes' `cors`, as the Framework
 * compiles it: origins `*` and its header list by default, methods OPTIONS plus every httpApi
 * route's method (ANY: all) unless given.
 */
export function frameworkHttpApiCors(cors: unknown, functions: Props): Props | undefined {
  if (!cors) return undefined;
  const given = isObject(cors) ? cors : {};
  const list = (value: unknown) => (value === undefined || value === null ? undefined : [value].flat().map(String));
  return {
    allowOrigins: list(given.allowedOrigins) ?? ['*'],
    allowHeaders: list(given.allowedHeaders) ?? FRAMEWORK_HEADERS,
    allowMethods: list(given.allowedMethods) ?? routeMethods(functions),
    exposeHeaders: list(given.exposedResponseHeaders) ?? [],
    allowCredentials: frameworkBoolean(given.allowCredentials) === true,
    ...(given.maxAge === undefined ? {} : { maxAge: Number(given.maxAge) }),
  };
}

function routeMethods(functions: Props): string[] {
  const methods = new Set(['OPTIONS']);
  for (const fn of Object.values(functions)) {
    const events = isObject(fn) && Array.isArray(fn.events) ? fn.events : [];
    for (const event of events) {
      if (!isObject(event) || event.httpApi === undefined) continue;
      const { method } = route(event.httpApi);
      for (const m of method === 'ANY' ? ALL_METHODS : [method]) methods.add(m);
    }
  }
  return [...methods];
}

/** serverless's poller settings → Lambda's names, for the shared mapping code. */
function lambdaProperties(props: Props, streamDefaults: boolean): Props {
  const out: Props = {};
  const rename: Array<[string, string]> = [
    ['batchSize', 'BatchSize'], ['maximumBatchingWindow', 'MaximumBatchingWindowInSeconds'], ['batchWindow', 'MaximumBatchingWindowInSeconds'],
    ['startingPosition', 'StartingPosition'], ['startingPositionTimestamp', 'StartingPositionTimestamp'],
    ['maximumRetryAttempts', 'MaximumRetryAttempts'], ['bisectBatchOnFunctionError', 'BisectBatchOnFunctionError'],
    ['parallelizationFactor', 'ParallelizationFactor'], ['maximumRecordAgeInSeconds', 'MaximumRecordAgeInSeconds'],
    ['tumblingWindowInSeconds', 'TumblingWindowInSeconds'],
  ];
  for (const [from, to] of rename) if (props[from] !== undefined) out[to] = props[from];
  if (props.functionResponseType !== undefined) out.FunctionResponseTypes = [props.functionResponseType];
  if (Array.isArray(props.filterPatterns)) out.FilterCriteria = { Filters: props.filterPatterns.map((p) => ({ Pattern: JSON.stringify(p) })) };
  if (props.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: props.maximumConcurrency };
  const onFailure = isObject(props.destinations) ? props.destinations.onFailure : undefined;
  if (onFailure !== undefined) out.DestinationConfig = { OnFailure: { Destination: isObject(onFailure) ? onFailure.arn : onFailure } };
  if (streamDefaults && out.StartingPosition === undefined) out.StartingPosition = 'TRIM_HORIZON';
  return out;
}

/** The properties the Framework's sqs and stream events have (its schema; others it warns about). */
const SQS_PROPERTIES = new Set(['arn', 'batchSize', 'maximumBatchingWindow', 'enabled', 'functionResponseType', 'filterPatterns', 'maximumConcurrency']);
const STREAM_PROPERTIES = new Set([
  'arn', 'type', 'batchSize', 'batchWindow', 'maximumRetryAttempts', 'parallelizationFactor', 'startingPosition', 'startingPositionTimestamp',
  'enabled', 'functionResponseType', 'destinations', 'bisectBatchOnFunctionError', 'maximumRecordAgeInSeconds', 'tumblingWindowInSeconds',
  'filterPatterns', 'consumer',
]);

function poller(stream: boolean): Mapper {
  return (ctx, value, at) => {
    const props = isObject(value) ? value : { arn: value };
    // The Framework warns about a property its schema does not have (configValidationMode: warn); it
    // would also be dropped here, so a typo (batchsize) is named instead of running with the default.
    const unknown = Object.keys(props).filter((key) => !(stream ? STREAM_PROPERTIES : SQS_PROPERTIES).has(key));
    if (unknown.length) warn(ctx)(`${at}: ${unknown.join(', ')} not a property of a ${stream ? 'stream' : 'sqs'} event: ignored`);
    if (frameworkBoolean(props.enabled) === false) {
      warn(ctx)(`${at}: enabled is false: the mapping is not started`);
      return [];
    }
    const arn = ctx.stack.resolver.string(props.arn, `${at}.arn`);
    return mappingFromArn({ arn, properties: lambdaProperties(props, stream), resolver: ctx.stack.resolver, at, warn: warn(ctx), declared: ctx.model.resources });
  };
}

const sns: Mapper = (ctx, value, at) => {
  const props = snsEventSettings(value);
  const topicArn = props.arn !== undefined
    ? ctx.stack.resolver.string(props.arn, `${at}.arn`)
    : declare(ctx, 'sns', String(props.topicName), attributeValue('AWS::SNS::Topic', 'TopicArn', String(props.topicName), ctx.stack.identity)!);
  ctx.model.subscriptions.push({ topicArn, protocol: 'lambda', endpoint: ctx.fn, rawMessageDelivery: false, filterPolicy: props.filterPolicy, filterPolicyScope: props.filterPolicyScope as never });
  return [{ sns: { topic: topicArn } }];
};

const s3: Mapper = (ctx, value) => {
  const props = s3EventSettings(value);
  const bucket = String(props.bucket);
  declare(ctx, 's3', bucket, attributeValue('AWS::S3::Bucket', 'Arn', bucket, ctx.stack.identity)!);
  const filter: Record<string, string> = {};
  for (const rule of Array.isArray(props.rules) ? props.rules : []) if (isObject(rule)) Object.assign(filter, rule);
  return [{ s3: { bucket, events: [String(props.event ?? 's3:ObjectCreated:*')], filter } }];
};

/**
 * `rate(...)`/`cron(...)` or `{ rate, enabled, input, method, timezone }`. The Framework makes `input`
 * the target's Input: an object as its JSON, a string as the JSON text it is (the event is what it
 * parses to). `timezone` applies with `method: scheduler` (EventBridge Scheduler); rules run in UTC.
 */
const schedule: Mapper = (ctx, value, at) => {
  const props = isObject(value) ? value : { rate: value };
  const rates = Array.isArray(props.rate) ? props.rate : [props.rate];
  const timezone = props.method === 'scheduler' && props.timezone !== undefined ? { timezone: props.timezone } : {};
  if (props.method !== 'scheduler' && props.timezone !== undefined) warn(ctx)(`${at}.timezone: applies with method: scheduler only; the rule runs in UTC`);
  const event = typeof props.input === 'string' ? input(ctx, props.input, `${at}.input`) : props.input === undefined ? {} : { input: props.input };
  return rates.map((expression) => ({ schedule: { expression, ...timezone, enabled: frameworkBoolean(props.enabled) !== false, ...event } }));
};

/** A topic or bucket the framework would create for an event: declared unless the project already has it. */
function declare(ctx: ServerlessEventContext, kind: 'sns' | 's3', name: string, arn: string): string {
  if (!ctx.model.resources.some((r) => r.arn === arn)) {
    ctx.model.resources.push(kind === 'sns' ? { kind, logicalId: name, name, arn, attributes: {} } : { kind, logicalId: name, name, arn, notifications: [] });
  }
  return arn;
}

const MAPPERS = new Map<string, Mapper>([
  ['http', http], ['httpApi', httpApi], ['sqs', poller(false)], ['stream', poller(true)],
  ['sns', sns], ['s3', s3], ['schedule', schedule],
]);

export function serverlessEvents(ctx: ServerlessEventContext, events: unknown, at: string): Mapping[] {
  if (events === undefined || events === null) return [];
  if (!Array.isArray(events)) throw ctx.stack.resolver.error(at, 'must be a list of events');
  return events.flatMap((event, i) => {
    // `- alexaSkill`: an event named alone, without settings.
    const [type] = isObject(event) ? Object.keys(event) : typeof event === 'string' ? [event] : [];
    const mapper = type === undefined ? undefined : MAPPERS.get(type);
    if (!mapper) {
      warn(ctx)(`${at}[${i}]: ${type ?? 'this'} events are not supported locally: this trigger does not fire`);
      return [];
    }
    if (!isObject(event)) throw ctx.stack.resolver.error(`${at}[${i}]`, `a ${type} event needs its settings: { ${type}: ... }`);
    const value = ctx.stack.resolver.resolve((event as Props)[type], `${at}[${i}].${type}`);
    return mapper(ctx, value, `${at}[${i}].${type}`).map((mapping) => fromProject(mapping, `${at}[${i}]`));
  });
}
