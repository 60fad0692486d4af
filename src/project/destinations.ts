import type { Stack } from './stack.js';
import type { ProjectModel } from './model.js';
import { declareQueue } from './cfn-resources.js';
import { isObject } from '../own.js';

/**
 * EventInvokeConfig (retries, event age, OnSuccess/OnFailure) and a dead-letter queue → the
 * function's async settings. Destination ARNs of queues, topics and functions become triggerhub
 * destinations as they are; SAM's "Type: SQS without Destination" gets a queue of its own, as SAM
 * creates one. A dead-letter queue stays one (`deadLetterQueue`): it gets the event itself, as on Lambda.
 */
type Props = Record<string, unknown>;

export interface DestinationContext {
  stack: Stack;
  model: ProjectModel;
  fn: string;
  at: string;
}

export function destinationsOf(ctx: DestinationContext, input: { invokeConfig?: unknown; deadLetter?: unknown }): Props {
  const out: Props = {};
  const destinations: Props = {};
  const config = isObject(input.invokeConfig) ? input.invokeConfig : {};
  if (config.MaximumRetryAttempts !== undefined) out.maximumRetryAttempts = Number(config.MaximumRetryAttempts);
  if (config.MaximumEventAgeInSeconds !== undefined) out.maximumEventAgeInSeconds = Number(config.MaximumEventAgeInSeconds);
  const destinationConfig = isObject(config.DestinationConfig) ? config.DestinationConfig : {};
  for (const [key, target] of [['OnSuccess', 'onSuccess'], ['OnFailure', 'onFailure']] as const) {
    const destination = destinationConfig[key];
    if (!isObject(destination)) continue;
    const arn = destinationArn(ctx, destination, `${ctx.at}.EventInvokeConfig.DestinationConfig.${key}`, key);
    if (arn) destinations[target] = arn;
  }
  if (isObject(input.deadLetter) && input.deadLetter.TargetArn !== undefined) out.deadLetterQueue = input.deadLetter.TargetArn;
  if (Object.keys(destinations).length) out.destinations = destinations;
  return out;
}

function destinationArn(ctx: DestinationContext, destination: Props, at: string, key: string): string | undefined {
  const type = destination.Type === undefined ? undefined : String(destination.Type);
  if (type === 'EventBridge' || type === 'S3') {
    ctx.model.warnings.push(`${at}: ${type} destinations are not supported locally; none is used`);
    return undefined;
  }
  if (destination.Destination !== undefined) return String(destination.Destination);
  if (type === 'SQS') return declareQueue(ctx.stack, ctx.model, `${ctx.fn}EventInvokeConfig${key}Queue`);
  throw ctx.stack.resolver.error(at, `Destination is required${type ? ` for Type ${type}` : ''} (an SQS queue, SNS topic or function ARN)`);
}
