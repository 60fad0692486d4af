import type { Stack } from './stack.js';
import { fromProject, type ProjectModel } from './model.js';
import { mappingFromArn, typed, type Mapping } from './mappings.js';
import { declareQueue } from './cfn-resources.js';
import { httpApiStage } from './http-api.js';
import { httpApiCors } from './http-api-cors.js';
import { restApiOf, samBinaryMediaTypes, samRestCors } from './rest-api-cors.js';
import { samAuthorizer, withPreflightAuthorizer } from './sam-authorizers.js';
import { isObject } from '../own.js';

/**
 * A SAM function's `Events:` → triggerhub event mappings, one mapper per SAM event type (SAM's
 * property names). Types with no local equivalent are a warning: the function runs, that trigger
 * does not fire.
 */
export interface EventContext {
  stack: Stack;
  model: ProjectModel;
  /** The hub function name. */
  fn: string;
  warn: (message: string) => void;
}

type Props = Record<string, unknown>;
type Mapper = (ctx: EventContext, props: Props, at: string, name: string) => Mapping[];

const enabled = (props: Props) => props.Enabled !== false && props.Enabled !== 'false' && props.State !== 'DISABLED';

function pollerEvent(addressKey: string): Mapper {
  return (ctx, props, at) => {
    if (!enabled(props)) {
      ctx.warn(`${at}: Enabled is false: the mapping is not started`);
      return [];
    }
    const arn = ctx.stack.resolver.string(props[addressKey], `${at}.${addressKey}`);
    return mappingFromArn({ arn, properties: props, resolver: ctx.stack.resolver, at, warn: ctx.warn, declared: ctx.model.resources });
  };
}

/** The stage of a REST API event: its RestApiId's StageName, else SAM's implicit API stage `Prod`. */
function restStage(ctx: EventContext, raw: Props): string {
  const { id, api } = restApiOf(ctx.stack, raw);
  return api?.Properties.StageName === undefined ? 'Prod' : ctx.stack.resolver.string(api.Properties.StageName, `Resources.${id}.Properties.StageName`);
}

const method = (value: unknown) => (value === undefined ? 'ANY' : String(value).toUpperCase());
/** The event's integration timeout (`TimeoutInMillis`), when it sets one. */
const integrationTimeout = (props: Props) => (props.TimeoutInMillis === undefined ? {} : { timeoutInMillis: typed('TimeoutInMillis', props.TimeoutInMillis) });

/** The route's authorizer (samEvents looks it up in its API's Auth), when it has one. */
const authorizer = (props: Props) => (props.authorizer === undefined ? {} : { authorizer: props.authorizer });

const api: Mapper = (ctx, props, at) => {
  if (typeof props.Path !== 'string') throw ctx.stack.resolver.error(`${at}.Path`, 'must be the resource path (SAM requires it), e.g. /orders/{id}');
  return [{ api: { path: props.Path, method: method(props.Method), stage: props.stage, ...integrationTimeout(props), ...(props.cors === undefined ? {} : { cors: props.cors }), ...(props.binaryMediaTypes === undefined ? {} : { binaryMediaTypes: props.binaryMediaTypes }), ...authorizer(props) } }];
};

const httpApi: Mapper = (_ctx, props) => [{
  http: {
    // No Path: samtranslator's catch-all route `$default`.
    path: props.Path === undefined ? '$default' : String(props.Path),
    stage: props.stage,
    methods: [method(props.Method)],
    ...(props.PayloadFormatVersion === undefined ? {} : { payloadFormatVersion: String(props.PayloadFormatVersion) }),
    ...(props.cors === undefined ? {} : { cors: props.cors }),
    ...integrationTimeout(props),
    ...authorizer(props),
  },
}];

const sns: Mapper = (ctx, props, at, name) => {
  const topic = ctx.stack.resolver.string(props.Topic, `${at}.Topic`);
  const sqsSubscription = props.SqsSubscription;
  if (sqsSubscription === true || isObject(sqsSubscription)) {
    // SAM: a queue subscribed to the topic, and the function an SQS consumer of it.
    const given = isObject(sqsSubscription) ? sqsSubscription : {};
    const queueArn = typeof given.QueueArn === 'string' ? given.QueueArn : declareQueue(ctx.stack, ctx.model, `${ctx.fn}${name}Queue`);
    ctx.model.subscriptions.push({ topicArn: topic, protocol: 'sqs', endpoint: queueArn, rawMessageDelivery: false, filterPolicy: props.FilterPolicy, filterPolicyScope: props.FilterPolicyScope as never });
    return [{ sqs: { queue: queueArn, ...(given.BatchSize === undefined ? {} : { batchSize: Number(given.BatchSize) }) } }];
  }
  ctx.model.subscriptions.push({ topicArn: topic, protocol: 'lambda', endpoint: ctx.fn, rawMessageDelivery: false, filterPolicy: props.FilterPolicy, filterPolicyScope: props.FilterPolicyScope as never });
  return [{ sns: { topic } }];
};

const s3: Mapper = (ctx, props, at) => {
  const bucket = ctx.stack.resolver.string(props.Bucket, `${at}.Bucket`);
  const events = Array.isArray(props.Events) ? props.Events.map(String) : [String(props.Events)];
  const filter: Record<string, string> = {};
  const rules = isObject(props.Filter) && isObject(props.Filter.S3Key) ? props.Filter.S3Key.Rules : undefined;
  for (const rule of Array.isArray(rules) ? rules : []) {
    if (isObject(rule)) filter[String(rule.Name).toLowerCase()] = String(rule.Value);
  }
  return [{ s3: { bucket, events, filter } }];
};

const schedule: Mapper = (ctx, props, at) => [{
  schedule: {
    expression: props.Schedule ?? schedulerExpression(props.ScheduleExpression),
    ...(props.ScheduleExpressionTimezone === undefined ? {} : { timezone: props.ScheduleExpressionTimezone }),
    enabled: enabled(props),
    ...input(ctx, props.Input, `${at}.Input`),
  },
}];

/**
 * An EventBridge Scheduler expression (ScheduleV2, AWS::Scheduler::Schedule) as the hub's schedule
 * reads it: Scheduler's reference gives a rate's unit as `minute | minutes | ...` without the rule
 * EventBridge rules enforce, and schedules written `rate(5 minute)` deploy (aws-samples'
 * eventbridge-schedule-to-lambda), so the unit is made to agree with the value.
 */
export function schedulerExpression(expression: unknown): unknown {
  const rate = typeof expression === 'string' ? /^rate\((\s*(\d+)\s+)(minute|hour|day)s?(\s*)\)$/.exec(expression) : null;
  return rate ? `rate(${rate[1]}${rate[3]}${rate[2] === '1' ? '' : 's'}${rate[4]})` : expression;
}

/** EventBridge's `Input`: a JSON text that replaces the event. */
export function input(ctx: { stack: Stack }, value: unknown, at: string): Props {
  if (value === undefined) return {};
  try {
    return { input: JSON.parse(String(value)) };
  } catch {
    throw ctx.stack.resolver.error(at, 'must be JSON text (it replaces the event, as on EventBridge)');
  }
}

const unsupported = (what: string): Mapper => (ctx, _props, at) => {
  ctx.warn(`${at}: ${what} events are not supported locally: this trigger does not fire`);
  return [];
};

const MAPPERS = new Map<string, Mapper>([
  ['Api', api],
  ['HttpApi', httpApi],
  ['SQS', pollerEvent('Queue')],
  ['Kinesis', pollerEvent('Stream')],
  ['DynamoDB', pollerEvent('Stream')],
  ['SNS', sns],
  ['S3', s3],
  ['Schedule', schedule],
  ['ScheduleV2', schedule],
  ['EventBridgeRule', unsupported('EventBridgeRule (event patterns on a bus)')],
  ['CloudWatchEvent', unsupported('CloudWatchEvent (event patterns on a bus)')],
]);

/** Every event of a function, in template order. */
export function samEvents(ctx: EventContext, events: unknown, at: string): Mapping[] {
  if (events === undefined) return [];
  if (!isObject(events)) throw ctx.stack.resolver.error(at, 'must be a map of event name to { Type, Properties }');
  const out: Mapping[] = [];
  for (const [name, event] of Object.entries(events)) {
    const eventAt = `${at}.${name}`;
    if (!isObject(event) || typeof event.Type !== 'string') throw ctx.stack.resolver.error(eventAt, 'must be { Type, Properties }');
    const mapper = MAPPERS.get(event.Type) ?? unsupported(event.Type);
    const props = isObject(event.Properties) ? event.Properties : {};
    const resolved = ctx.stack.resolver.resolve(props, `${eventAt}.Properties`) as Props;
    if (event.Type === 'Api' || event.Type === 'HttpApi') {
      resolved.authorizer = samAuthorizer(ctx.stack, event.Type, props, resolved, `${eventAt}.Properties`, ctx.warn);
    }
    if (event.Type === 'Api') {
      resolved.stage = restStage(ctx, props);
      if (typeof resolved.Path === 'string') resolved.cors = withPreflightAuthorizer(ctx.stack, props, samRestCors(ctx.stack, props, resolved.Path));
      resolved.binaryMediaTypes = samBinaryMediaTypes(ctx.stack, props);
    }
    if (event.Type === 'HttpApi') {
      resolved.stage = httpApiStage(ctx.stack, props);
      resolved.cors = httpApiCors(ctx.stack, props, `${eventAt}.Properties`);
    }
    for (const mapping of mapper(ctx, resolved, `${eventAt}.Properties`, name)) out.push(fromProject(mapping, eventAt));
  }
  return out;
}
