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
type Declarer = (stack: Stack, logicalId: string, props: Props, warn: (message: string) => void) => CloudResource;

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

/** A global table's own CreateTable fields; Replicas are read by the declarer (only their Region and read capacity). */
const GLOBAL_TABLE_FIELDS = ['KeySchema', 'AttributeDefinitions', 'BillingMode', 'StreamSpecification', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes', 'WriteProvisionedThroughputSettings'];
const REPLICA_FIELDS = ['Region', 'ReadProvisionedThroughputSettings', 'GlobalSecondaryIndexes'];

const intrinsic = (value: Props) => Object.keys(value).length === 1 && /^(Ref|Fn::.*|Condition)$/.test(Object.keys(value)[0]);

/** The replicas' Region and read settings, resolved (TableClass, Tags, SSE, PITR, ... do not apply locally: left unread, as a Table's). */
function replicas(stack: Stack, logicalId: string): Props[] {
  const declared = stack.resources.get(logicalId)!.Properties.Replicas;
  const read = (replica: unknown) => (isObject(replica) && !intrinsic(replica)
    ? Object.fromEntries(REPLICA_FIELDS.filter((name) => Object.hasOwn(replica, name)).map((name) => [name, replica[name]]))
    : replica);
  const list = stack.resolver.resolve(Array.isArray(declared) ? declared.map(read) : declared, `Resources.${logicalId}.Properties.Replicas`);
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/** Capacity units of CloudFormation's `{ ReadCapacityUnits }` or `{ Read|WriteCapacityAutoScalingSettings: { SeedCapacity, MinCapacity } }`. */
function capacity(settings: unknown, kind: 'Read' | 'Write'): number {
  if (!isObject(settings)) return 1;
  const scaling = settings[`${kind}CapacityAutoScalingSettings`];
  const value = settings[`${kind}CapacityUnits`] ?? (isObject(scaling) ? scaling.SeedCapacity ?? scaling.MinCapacity : undefined);
  return value === undefined ? 1 : Number(value);
}

/**
 * AWS::DynamoDB::GlobalTable: locally one table, the replica of the hub's region (without one,
 * the first replica's settings, warned: a template made for another region still runs here).
 * Provisioned capacity (BillingMode PROVISIONED, or none and WriteProvisionedThroughputSettings;
 * neither is on demand, as for a Table) becomes CreateTable's ProvisionedThroughput, the table's and
 * each index's: writes from the write auto scaling's seed or minimum capacity, reads from the
 * replica's, else 1 (DynamoDB Local wants both, and enforces neither).
 */
const globalTable: Declarer = (stack, logicalId, props, warn) => {
  const { WriteProvisionedThroughputSettings: write, GlobalSecondaryIndexes: indexes, ...definition } = props;
  const all = replicas(stack, logicalId);
  const { region } = stack.identity;
  const replica = all.find((r) => r.Region === region) ?? all[0] ?? {};
  if (replica.Region !== region) {
    const regions = all.map((r) => String(r.Region)).join(', ') || 'none';
    warn(`Resources.${logicalId}.Properties.Replicas: no replica in the hub's region ${region} (replicas: ${regions}): the table is created locally all the same${all.length ? ', with the first replica\'s settings' : ''}`);
  }
  const provisioned = props.BillingMode === 'PROVISIONED' || (props.BillingMode === undefined && write !== undefined);
  const throughput = (writes: unknown, reads: unknown) => ({ ReadCapacityUnits: capacity(reads, 'Read'), WriteCapacityUnits: capacity(writes, 'Write') });
  if (provisioned) Object.assign(definition, { BillingMode: 'PROVISIONED', ProvisionedThroughput: throughput(write, replica.ReadProvisionedThroughputSettings) });
  const replicaIndexes = Array.isArray(replica.GlobalSecondaryIndexes) ? replica.GlobalSecondaryIndexes.filter(isObject) : [];
  if (Array.isArray(indexes)) {
    definition.GlobalSecondaryIndexes = indexes.map((index) => {
      if (!isObject(index)) return index;
      const { IndexName, KeySchema, Projection, WriteProvisionedThroughputSettings: writes } = index;
      const reads = replicaIndexes.find((r) => r.IndexName === IndexName)?.ReadProvisionedThroughputSettings;
      return { IndexName, KeySchema, Projection, ...(provisioned ? { ProvisionedThroughput: throughput(writes, reads) } : {}) };
    });
  }
  return { kind: 'dynamodb', logicalId, name: stack.name(logicalId), arn: arnOf(stack, 'AWS::DynamoDB::GlobalTable', logicalId), definition };
};

/** SAM's SimpleTable: a hash key `PrimaryKey` (default `id` String). */
const simpleTable: Declarer = (stack, logicalId, props, warn) => {
  const key = isObject(props.PrimaryKey) ? props.PrimaryKey : { Name: 'id', Type: 'String' };
  const type = ({ String: 'S', Number: 'N', Binary: 'B' } as Record<string, string>)[String(key.Type)] ?? 'S';
  return table(stack, logicalId, {
    KeySchema: [{ AttributeName: key.Name, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: type }],
    ...(props.ProvisionedThroughput ? { ProvisionedThroughput: props.ProvisionedThroughput } : { BillingMode: 'PAY_PER_REQUEST' }),
  }, warn);
};

/** Each type's declarer and the properties it reads (only those are resolved). */
const DECLARERS = new Map<string, [Declarer, readonly string[]]>([
  ['AWS::SQS::Queue', [queue, QUEUE_ATTRIBUTES]],
  ['AWS::SNS::Topic', [topic, ['FifoTopic', 'ContentBasedDeduplication', 'Subscription']]],
  ['AWS::S3::Bucket', [bucket, ['NotificationConfiguration']]],
  ['AWS::Kinesis::Stream', [stream, ['ShardCount']]],
  ['AWS::DynamoDB::Table', [table, TABLE_FIELDS]],
  ['AWS::DynamoDB::GlobalTable', [globalTable, GLOBAL_TABLE_FIELDS]],
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
    model.resources.push(declare(stack, logicalId, props, (message) => model.warnings.push(message)));
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
