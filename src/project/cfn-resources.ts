import type { Stack } from './stack.js';
import type { CloudResource, ProjectModel } from './model.js';
import { attributeValue, generatedName } from './physical.js';
import { bucketNotifications } from './bucket-notifications.js';
import { isObject } from '../own.js';

/**
 * The cloud resources a template declares (queues, topics, buckets, streams, tables), with what
 * creating them locally needs: one declarer per type. Resources of other types are not created
 * (the functions' ignored-property warnings already say what does not apply locally).
 */
type Props = Record<string, unknown>;
type Declarer = (stack: Stack, logicalId: string, props: Props) => CloudResource;

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** SQS CreateQueue attributes, as strings; RedrivePolicy becomes its JSON text. */
const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'MaximumMessageSize', 'ReceiveMessageWaitTimeSeconds',
  'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit', 'RedrivePolicy', 'RedriveAllowPolicy',
];

function attributes(props: Props, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (props[name] !== undefined) out[name] = text(name === 'RedrivePolicy' ? redrivePolicy(props[name]) : props[name]);
  return out;
}

/** `maxReceiveCount` is a number in SQS's policy (a `!Ref` of a Number parameter arrives as text). */
function redrivePolicy(policy: unknown): unknown {
  return isObject(policy) && typeof policy.maxReceiveCount === 'string' ? { ...policy, maxReceiveCount: Number(policy.maxReceiveCount) } : policy;
}

const arnOf = (stack: Stack, type: string, logicalId: string, attribute = 'Arn') =>
  attributeValue(type, attribute, stack.name(logicalId), stack.identity)!;

const queue: Declarer = (stack, logicalId, props) => ({
  kind: 'sqs', logicalId, name: stack.name(logicalId), arn: arnOf(stack, 'AWS::SQS::Queue', logicalId), attributes: attributes(props, QUEUE_ATTRIBUTES),
});

const topic: Declarer = (stack, logicalId, props) => ({
  kind: 'sns', logicalId, name: stack.name(logicalId), arn: arnOf(stack, 'AWS::SNS::Topic', logicalId, 'TopicArn'),
  attributes: attributes(props, ['FifoTopic', 'ContentBasedDeduplication']),
});

const bucket: Declarer = (stack, logicalId, props) => ({
  kind: 's3', logicalId, name: stack.name(logicalId), arn: arnOf(stack, 'AWS::S3::Bucket', logicalId), notifications: bucketNotifications(stack, logicalId, props),
});

const stream: Declarer = (stack, logicalId, props) => ({
  kind: 'kinesis', logicalId, name: stack.name(logicalId), arn: arnOf(stack, 'AWS::Kinesis::Stream', logicalId), shardCount: Number(props.ShardCount ?? 1),
});

/** CreateTable's own fields; the rest (TTL, PITR, tags, ...) does not apply to a local table. */
const TABLE_FIELDS = ['KeySchema', 'AttributeDefinitions', 'BillingMode', 'ProvisionedThroughput', 'StreamSpecification', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'];

const table: Declarer = (stack, logicalId, props) => {
  const definition: Props = {};
  for (const field of TABLE_FIELDS) if (props[field] !== undefined) definition[field] = props[field];
  return { kind: 'dynamodb', logicalId, name: stack.name(logicalId), arn: arnOf(stack, 'AWS::DynamoDB::Table', logicalId), definition };
};

/** SAM's SimpleTable: a hash key `PrimaryKey` (default `id` String). */
const simpleTable: Declarer = (stack, logicalId, props) => {
  const key = isObject(props.PrimaryKey) ? props.PrimaryKey : { Name: 'id', Type: 'String' };
  const type = ({ String: 'S', Number: 'N', Binary: 'B' } as Record<string, string>)[String(key.Type)] ?? 'S';
  return table(stack, logicalId, {
    KeySchema: [{ AttributeName: key.Name, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: type }],
    ...(props.ProvisionedThroughput ? { ProvisionedThroughput: props.ProvisionedThroughput } : { BillingMode: 'PAY_PER_REQUEST' }),
  });
};

/** Each type's declarer and the properties it reads (only those are resolved). */
const DECLARERS = new Map<string, [Declarer, readonly string[]]>([
  ['AWS::SQS::Queue', [queue, QUEUE_ATTRIBUTES]],
  ['AWS::SNS::Topic', [topic, ['FifoTopic', 'ContentBasedDeduplication', 'Subscription']]],
  ['AWS::S3::Bucket', [bucket, ['NotificationConfiguration']]],
  ['AWS::Kinesis::Stream', [stream, ['ShardCount']]],
  ['AWS::DynamoDB::Table', [table, TABLE_FIELDS]],
  ['AWS::Serverless::SimpleTable', [simpleTable, ['PrimaryKey', 'ProvisionedThroughput']]],
]);

/** What an AWS::SNS::Subscription's readers use (here, and cfn-attachments.ts). */
export const SUBSCRIPTION_FIELDS = ['Protocol', 'TopicArn', 'Endpoint', 'RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope'];

/** Adds every declared cloud resource, and the SQS subscriptions of declared topics, to the model. */
export function declareResources(stack: Stack, model: ProjectModel): void {
  for (const [logicalId, resource] of stack.resources) {
    if (resource.Type === 'AWS::SNS::Subscription') subscription(stack.properties(logicalId, SUBSCRIPTION_FIELDS), model);
    const known = DECLARERS.get(resource.Type);
    if (!known) continue;
    const [declare, read] = known;
    const props = stack.properties(logicalId, read);
    model.resources.push(declare(stack, logicalId, props));
    if (resource.Type === 'AWS::SNS::Topic' && Array.isArray(props.Subscription)) {
      const topicArn = arnOf(stack, 'AWS::SNS::Topic', logicalId, 'TopicArn');
      for (const sub of props.Subscription) {
        if (isObject(sub) && sub.Protocol === 'sqs') model.subscriptions.push({ topicArn, protocol: 'sqs', endpoint: String(sub.Endpoint), rawMessageDelivery: false });
      }
    }
  }
}

/** An AWS::SNS::Subscription to a queue (one to a function becomes that function's `sns` event). */
function subscription(props: Props, model: ProjectModel): void {
  if (props.Protocol !== 'sqs') return;
  model.subscriptions.push({
    topicArn: String(props.TopicArn), protocol: 'sqs', endpoint: String(props.Endpoint),
    rawMessageDelivery: String(props.RawMessageDelivery) === 'true', filterPolicy: props.FilterPolicy, filterPolicyScope: props.FilterPolicyScope as never,
  });
}

/** A queue the project implies (SAM's SqsSubscription, an EventInvokeConfig destination without ARN): declared like any other. */
export function declareQueue(stack: Stack, model: ProjectModel, logicalId: string): string {
  const name = generatedName('AWS::SQS::Queue', logicalId, stack.identity);
  const arn = attributeValue('AWS::SQS::Queue', 'Arn', name, stack.identity)!;
  if (!model.resources.some((r) => r.arn === arn)) model.resources.push({ kind: 'sqs', logicalId, name, arn, attributes: {} });
  return arn;
}
