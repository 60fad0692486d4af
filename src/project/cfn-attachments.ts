import type { Stack } from './stack.js';
import { AttributeFromAws } from './intrinsics.js';
import { fromProject, settingFromProject, type ProjectModel, type RawFunction } from './model.js';
import { mappingFromArn } from './mappings.js';
import { destinationsOf } from './destinations.js';
import { input, schedulerExpression } from './sam-events.js';
import { corsSettings, urlSettings } from './sam-function.js';
import { SUBSCRIPTION_FIELDS } from './cfn-resources.js';
import { isObject } from '../own.js';
import { functionArnElsewhere } from '../arn.js';
import { DEFAULT_STAGE } from '../sources/http/stage.js';

/**
 * Resources that attach to a function declared elsewhere in the template: event source mappings,
 * EventInvokeConfig, function URLs, SNS subscriptions of protocol lambda, EventBridge schedule
 * rules and Scheduler schedules, and S3 bucket notifications to Lambda. One attacher per type.
 */
type Props = Record<string, unknown>;
type Attacher = (stack: Stack, model: ProjectModel, props: Props, at: string) => void;

export const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]*:\d*:function:([^:]+)(:.+)?$/;

/**
 * The project's function a name or ARN names; an error when the template has none, or when the ARN
 * is of another partition, region or account (a function the hub does not run, whatever its name).
 * A function of the template that is not loaded (a Java one, a container image: its warning says
 * why) gives undefined, with a warning that what attaches to it does not run: the rest of the
 * template runs, as it does without that function.
 */
function target(stack: Stack, model: ProjectModel, value: unknown, at: string): [string, RawFunction] | undefined {
  const text = stack.resolver.string(value, at);
  const arn = FUNCTION_ARN.exec(text);
  const elsewhere = arn ? functionArnElsewhere(text, stack.identity) : undefined;
  if (elsewhere) throw stack.resolver.error(at, `${text} is a function of ${elsewhere}, not of this project: the hub runs only its own functions`);
  const name = arn?.[1] ?? text;
  const fn = model.functions.get(name);
  if (fn) return [name, fn];
  const leftOut = [...stack.resources].find(([logicalId, resource]) => FUNCTION_TYPES.has(resource.Type) && stack.name(logicalId) === name);
  if (!leftOut) throw stack.resolver.error(at, `${text} is not a function of this project`);
  model.warnings.push(`${at}: function ${name} (Resources.${leftOut[0]}) is not loaded, so this does not run locally`);
  return undefined;
}

export const FUNCTION_TYPES: ReadonlySet<string> = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

const warn = (model: ProjectModel) => (message: string) => model.warnings.push(message);

const eventSourceMapping: Attacher = (stack, model, props, at) => {
  const [, fn] = target(stack, model, props.FunctionName, `${at}.FunctionName`) ?? [];
  if (!fn) return;
  if (props.Enabled === false || props.Enabled === 'false') return warn(model)(`${at}: Enabled is false: the mapping is not started`);
  const arn = stack.resolver.string(props.EventSourceArn, `${at}.EventSourceArn`);
  fn.events.push(...mappingFromArn({ arn, properties: props, resolver: stack.resolver, at, warn: warn(model), declared: model.resources }).map((m) => fromProject(m, at)));
};

const eventInvokeConfig: Attacher = (stack, model, props, at) => {
  const [name, fn] = target(stack, model, props.FunctionName, `${at}.FunctionName`) ?? [];
  if (!name || !fn) return;
  const settings = destinationsOf({ stack, model, fn: name, at }, { invokeConfig: props });
  const destinations = { ...(fn.destinations as Props | undefined), ...(settings.destinations as Props | undefined) };
  Object.assign(fn, settings, Object.keys(destinations).length ? { destinations } : {});
  for (const setting of Object.keys(settings)) settingFromProject(fn, setting, at);
};

const url: Attacher = (stack, model, props, at) => {
  const [, fn] = target(stack, model, props.TargetFunctionArn, `${at}.TargetFunctionArn`) ?? [];
  if (!fn) return;
  fn.url = urlSettings(props, warn(model), at);
  settingFromProject(fn, 'url', at);
};

function subscribeFunction(stack: Stack, model: ProjectModel, topicArn: string, props: Props, at: string): void {
  const [name, fn] = target(stack, model, props.Endpoint, `${at}.Endpoint`) ?? [];
  if (!name || !fn) return;
  model.subscriptions.push({ topicArn, protocol: 'lambda', endpoint: name, rawMessageDelivery: false, filterPolicy: props.FilterPolicy, filterPolicyScope: props.FilterPolicyScope as never });
  fn.events.push(fromProject({ sns: { topic: topicArn } }, at));
}

const subscription: Attacher = (stack, model, props, at) => {
  if (props.Protocol === 'lambda') subscribeFunction(stack, model, stack.resolver.string(props.TopicArn, `${at}.TopicArn`), props, at);
};

const topic = (logicalId: string): Attacher => (stack, model, props, at) => {
  const subscriptions = Array.isArray(props.Subscription) ? props.Subscription : [];
  const topicArn = stack.resolver.string({ Ref: logicalId }, at);
  subscriptions.forEach((sub, i) => {
    if (isObject(sub) && sub.Protocol === 'lambda') subscribeFunction(stack, model, topicArn, sub, `${at}.Subscription[${i}]`);
  });
};

const rule: Attacher = (stack, model, props, at) => {
  const targets = Array.isArray(props.Targets) ? props.Targets : [];
  if (props.ScheduleExpression === undefined) {
    if (targets.length) warn(model)(`${at}: rules with an EventPattern are not supported locally: their targets get no events`);
    return;
  }
  targets.forEach((t, i) => {
    if (!isObject(t) || !FUNCTION_ARN.test(String(t.Arn))) return;
    const [, fn] = target(stack, model, t.Arn, `${at}.Targets[${i}].Arn`) ?? [];
    if (!fn) return;
    fn.events.push(fromProject({ schedule: { expression: props.ScheduleExpression, enabled: props.State !== 'DISABLED', ...input({ stack }, t.Input, `${at}.Targets[${i}].Input`) } }, `${at}.Targets[${i}]`));
  });
};

/** EventBridge Scheduler (what SAM's ScheduleV2 becomes): a schedule event of the function its Target names. */
const scheduler: Attacher = (stack, model, props, at) => {
  const invoked = isObject(props.Target) ? props.Target : {};
  if (!FUNCTION_ARN.test(String(invoked.Arn))) {
    warn(model)(`${at}.Target.Arn: only schedules that invoke a function of this project run locally`);
    return;
  }
  const [, fn] = target(stack, model, invoked.Arn, `${at}.Target.Arn`) ?? [];
  if (!fn) return;
  fn.events.push(fromProject({
    schedule: {
      expression: schedulerExpression(props.ScheduleExpression),
      ...(props.ScheduleExpressionTimezone === undefined ? {} : { timezone: props.ScheduleExpressionTimezone }),
      enabled: props.State !== 'DISABLED',
      ...input({ stack }, invoked.Input, `${at}.Target.Input`),
    },
  }, at));
};

const bucket = (logicalId: string): Attacher => (stack, model, props, at) => {
  const notifications = isObject(props.NotificationConfiguration) ? props.NotificationConfiguration : {};
  const configs = Array.isArray(notifications.LambdaConfigurations) ? notifications.LambdaConfigurations : [];
  const name = stack.name(logicalId);
  configs.forEach((config, i) => {
    if (!isObject(config)) return;
    const [, fn] = target(stack, model, config.Function, `${at}.NotificationConfiguration.LambdaConfigurations[${i}].Function`) ?? [];
    if (!fn) return;
    const rules = isObject(config.Filter) && isObject(config.Filter.S3Key) && Array.isArray(config.Filter.S3Key.Rules) ? config.Filter.S3Key.Rules : [];
    const filter = Object.fromEntries(rules.filter(isObject).map((rule) => [String(rule.Name).toLowerCase(), String(rule.Value)]));
    fn.events.push(fromProject({ s3: { bucket: name, events: [String(config.Event)], filter } }, `${at}.NotificationConfiguration.LambdaConfigurations[${i}]`));
  });
};

/** A Lambda integration URI (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`): the function's ARN. */
const INTEGRATION_URI = /^arn:aws[\w-]*:apigateway:[^:]*:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/;

/**
 * An HTTP API's quick create (`Target`: a function's ARN, or its integration URI): API Gateway makes
 * a Lambda proxy integration (payload 2.0), the route `RouteKey` (default `$default`, the catch-all)
 * and the auto-deployed `$default`
 * stage, with the API's `CorsConfiguration`. A target that is not a function (an HTTP URL) is a warning.
 */
const quickCreateApi: Attacher = (stack, model, props, at) => {
  if (props.Target === undefined || props.ProtocolType !== 'HTTP') return;
  const text = stack.resolver.string(props.Target, `${at}.Target`);
  const arn = INTEGRATION_URI.exec(text)?.[1] ?? text;
  if (!FUNCTION_ARN.test(arn)) {
    return warn(model)(`${at}.Target: ${text} is not a function of this project: only quick-create HTTP APIs that target one are served locally`);
  }
  const [, fn] = target(stack, model, arn, `${at}.Target`) ?? [];
  if (!fn) return;
  const routeKey = props.RouteKey === undefined ? '$default' : stack.resolver.string(props.RouteKey, `${at}.RouteKey`);
  const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : routeKey.split(' ');
  if (path === undefined) throw stack.resolver.error(`${at}.RouteKey`, `must be $default or "<METHOD> <path>" (GET /pets/{id}), not ${JSON.stringify(routeKey)}`);
  const cors = props.CorsConfiguration;
  fn.events.push(fromProject({
    http: { path, stage: DEFAULT_STAGE, methods: [method.toUpperCase()], payloadFormatVersion: '2.0', ...(isObject(cors) ? { cors: corsSettings(cors) } : {}) },
  }, at));
};

/**
 * Resources that call functions on AWS but do not run here: one warning per type, naming them, so a
 * function that would be called by them is not silently never called.
 */
const STATE_MACHINES = 'state machines are not run locally: the functions they call run only when invoked directly';
const API_RESOURCES = 'API Gateway routes declared as resources are not served locally (a function\'s Api and HttpApi events are)';
const NESTED = 'nested stacks are not loaded: their functions and resources do not run locally';
const APPSYNC = 'AppSync APIs are not served locally: their resolvers\' functions run only when invoked directly';
const NOT_RUN = new Map([
  ['AWS::Serverless::StateMachine', STATE_MACHINES],
  ['AWS::StepFunctions::StateMachine', STATE_MACHINES],
  ['AWS::Serverless::Application', NESTED],
  ['AWS::CloudFormation::Stack', NESTED],
  ['AWS::ApiGateway::Method', API_RESOURCES],
  ['AWS::ApiGatewayV2::Route', API_RESOURCES],
  ['AWS::Serverless::GraphQLApi', APPSYNC],
  ['AWS::AppSync::GraphQLApi', APPSYNC],
  ['AWS::Pipes::Pipe', 'EventBridge Pipes are not run locally: their targets get no events'],
]);

/** APIs whose routes an OpenAPI document declares (API Gateway integrations, Lambda ones included): not served here. */
const OPENAPI = new Map([
  ['AWS::Serverless::Api', ['DefinitionBody', 'DefinitionUri']],
  ['AWS::Serverless::HttpApi', ['DefinitionBody', 'DefinitionUri']],
  ['AWS::ApiGateway::RestApi', ['Body', 'BodyS3Location']],
  ['AWS::ApiGatewayV2::Api', ['Body', 'BodyS3Location']],
]);
const OPENAPI_ROUTES = 'routes of an OpenAPI definition are not served locally (a function\'s Api and HttpApi events are)';

/** Attaches every such resource of the stack to the model's functions (after the functions are loaded). */
export function attachResources(stack: Stack, model: ProjectModel): void {
  const notRun = new Map<string, string[]>();
  for (const [logicalId, resource] of stack.resources) {
    const known = ATTACHERS.get(resource.Type);
    if (known) attach(stack, model, logicalId, known);
    if (NOT_RUN.has(resource.Type)) notRun.set(resource.Type, [...notRun.get(resource.Type) ?? [], logicalId]);
    const definition = OPENAPI.get(resource.Type)?.find((property) => Object.hasOwn(resource.Properties, property));
    if (definition) model.warnings.push(`Resources.${logicalId}.Properties.${definition} (${resource.Type}): ${OPENAPI_ROUTES}`);
  }
  for (const [type, ids] of notRun) model.warnings.push(`Resources.${ids.join(', Resources.')} (${type}): ${NOT_RUN.get(type)}`);
}

/**
 * Attaches one resource. A property it reads that holds an attribute only AWS knows (a rule's
 * target that is an AppSync API's GraphQLEndpointArn, a schedule's input naming an SSM
 * association's id) leaves the resource unattached, with a warning: it targets no function of the
 * project (their ARNs are known), and the rest of the template runs.
 */
function attach(stack: Stack, model: ProjectModel, logicalId: string, [attacher, read]: [(logicalId: string) => Attacher, (readonly string[])?]): void {
  try {
    attacher(logicalId)(stack, model, stack.properties(logicalId, read), `Resources.${logicalId}.Properties`);
  } catch (error) {
    if (!(error instanceof AttributeFromAws)) throw error;
    model.warnings.push(`${error.message.replace(`${stack.resolver.scope.file}: `, '')}: Resources.${logicalId} is not attached locally`);
  }
}

/** Each type's attacher and, for types with properties of their own, the ones it reads (only those are resolved). */
const ATTACHERS = new Map<string, [(logicalId: string) => Attacher, (readonly string[])?]>([
  ['AWS::Lambda::EventSourceMapping', [() => eventSourceMapping]],
  ['AWS::Lambda::EventInvokeConfig', [() => eventInvokeConfig]],
  ['AWS::Lambda::Url', [() => url]],
  ['AWS::SNS::Subscription', [() => subscription, SUBSCRIPTION_FIELDS]],
  ['AWS::SNS::Topic', [topic, ['Subscription']]],
  ['AWS::Events::Rule', [() => rule, ['ScheduleExpression', 'Targets', 'State']]],
  ['AWS::Scheduler::Schedule', [() => scheduler, ['Target', 'ScheduleExpression', 'ScheduleExpressionTimezone', 'State']]],
  ['AWS::S3::Bucket', [bucket, ['NotificationConfiguration']]],
  ['AWS::ApiGatewayV2::Api', [() => quickCreateApi, ['Target', 'RouteKey', 'ProtocolType', 'CorsConfiguration']]],
]);
