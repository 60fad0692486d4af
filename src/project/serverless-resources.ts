import { isObject, setOwn } from '../own.js';
import type { Variables } from './serverless-variables.js';

/**
 * The resources the Serverless Framework (and serverless-step-functions) generate for a service,
 * under the logical ids they give them, so `Ref` / `Fn::GetAtt` in `resources` and environment
 * variables find them; and `resources.Resources` merged over them as the Framework merges it.
 */
type Props = Record<string, unknown>;

/** The framework's logical-id normalization: `my-fn_x` → `MyDashfnUnderscorex`. */
export const normalizedName = (name: string) => (name[0].toUpperCase() + name.slice(1)).replaceAll('-', 'Dash').replaceAll('_', 'Underscore');

/** The name's letters and digits, the first upper-cased: the Framework's normalizeNameToAlphaNumericOnly. */
const alphanumericName = (name: string) => {
  const kept = name.replace(/[^0-9A-Za-z]/g, '');
  return kept.charAt(0).toUpperCase() + kept.slice(1);
};

/** An `sns:` event's settings: an ARN alone is `{ arn }`, a name alone `{ topicName }` (a topic the Framework creates). */
export function snsEventSettings(value: unknown): Props {
  return isObject(value) ? value : String(value).startsWith('arn:') ? { arn: value } : { topicName: value };
}

/** An `s3:` event's settings: a bucket alone is `{ bucket }` (one the Framework creates unless `existing: true`). */
export function s3EventSettings(value: unknown): Props {
  return isObject(value) ? value : { bucket: value };
}

/**
 * Each function as `<Key>LambdaFunction`, each `layers:` entry as `<Key>LambdaLayer` (named `name`,
 * else its key), and the topic and bucket an `sns: <name>` / `s3: <bucket>` event creates, as
 * `SNSTopic<Name>` / `S3Bucket<Name>` (the Framework's getTopicLogicalId / getBucketLogicalId).
 */
export function frameworkResources(functions: Props, layers: Props): Props {
  const out: Props = {};
  for (const key of Object.keys(functions)) out[`${normalizedName(key)}LambdaFunction`] = { Type: 'AWS::Lambda::Function', Properties: { FunctionName: key } };
  for (const [key, layer] of Object.entries(layers)) {
    out[`${normalizedName(key)}LambdaLayer`] = { Type: 'AWS::Lambda::LayerVersion', Properties: { LayerName: isObject(layer) && layer.name !== undefined ? layer.name : key, Content: isObject(layer) ? layer.path : undefined } };
  }
  for (const fn of Object.values(functions)) {
    for (const event of isObject(fn) && Array.isArray(fn.events) ? fn.events : []) {
      if (!isObject(event)) continue;
      const sns = Object.hasOwn(event, 'sns') ? snsEventSettings(event.sns) : {};
      if (sns.arn === undefined && typeof sns.topicName === 'string') {
        out[`SNSTopic${alphanumericName(sns.topicName)}`] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: sns.topicName, ...(sns.topicName.endsWith('.fifo') ? { FifoTopic: true } : {}) } };
      }
      const s3 = Object.hasOwn(event, 's3') ? s3EventSettings(event.s3) : {};
      if (s3.existing !== true && typeof s3.bucket === 'string') out[`S3Bucket${alphanumericName(s3.bucket)}`] = { Type: 'AWS::S3::Bucket', Properties: { BucketName: s3.bucket } };
    }
  }
  return out;
}

/**
 * The state machines serverless-step-functions declares (`stepFunctions.stateMachines`):
 * `<Id or Name>` (normalized as a function name), else `<Key>StepFunctionsStateMachine`, as the
 * plugin names them. They do not run here (a warning names them); functions reading their ARN do.
 */
export function stateMachineResources(stepFunctions: unknown, vars: Variables): Props {
  const machines = isObject(stepFunctions) && isObject(stepFunctions.stateMachines) ? stepFunctions.stateMachines : {};
  const out: Props = {};
  for (const [key, machine] of Object.entries(machines)) {
    const at = `stepFunctions.stateMachines.${key}`;
    const name = isObject(machine) ? vars.resolve(machine.name, `${at}.name`) : undefined;
    const id = isObject(machine) ? vars.resolve(machine.id, `${at}.id`) : undefined;
    const custom = typeof id === 'string' && id ? id : typeof name === 'string' && name ? name : undefined;
    setOwn<unknown>(out, custom ? normalizedName(custom) : `${normalizedName(key)}StepFunctionsStateMachine`, {
      Type: 'AWS::StepFunctions::StateMachine', Properties: typeof name === 'string' && name ? { StateMachineName: name } : {},
    });
  }
  return out;
}

/**
 * `resources.Resources` over the generated ones: a resource of the same logical id extends the
 * generated one (its Properties merged over them, as the Framework merges it), so
 * `S3BucketPhotos: { Properties: { CorsConfiguration } }` adds to the bucket an `s3` event made.
 */
export function overResources(generated: Props, declared: Props | undefined): Props {
  const out: Props = { ...generated };
  for (const [logicalId, resource] of Object.entries(declared ?? {})) {
    const base = Object.hasOwn(generated, logicalId) ? generated[logicalId] : undefined;
    setOwn(out, logicalId, isObject(base) && isObject(resource)
      ? { ...base, ...resource, Properties: { ...(base.Properties as Props), ...(isObject(resource.Properties) ? resource.Properties : {}) } }
      : resource);
  }
  return out;
}
