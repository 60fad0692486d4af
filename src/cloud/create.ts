import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CloudResource, Subscription } from '../project/model.js';
import type { CloudClients } from './clients.js';

/**
 * Creates each declared resource where its service lives, if it is missing (every call is
 * idempotent or its "already exists" answer is accepted): queues (dead-letter targets first, then
 * redrive policies), topics and their queue subscriptions, buckets, streams (until ACTIVE), tables.
 */
type Creator<R extends CloudResource> = (clients: CloudClients, resource: R) => Promise<void>;

const ALREADY_EXISTS = new Set(['BucketAlreadyOwnedByYou', 'ResourceInUseException', 'QueueAlreadyExists', 'QueueNameExists']);

function need<T>(client: T | undefined, resource: CloudResource): T {
  if (!client) throw new HubError('TH_ERR_CLOUD_START_FAILED', `no ${resource.kind} endpoint for ${resource.name}`);
  return client;
}

const createQueue: Creator<Extract<CloudResource, { kind: 'sqs' }>> = async (clients, queue) => {
  const { RedrivePolicy, ...attributes } = queue.attributes;
  const sqs = need(clients.sqs, queue);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
  // After every queue exists: a redrive policy names its dead-letter queue.
  if (RedrivePolicy) await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy } }));
};

const createTopic: Creator<Extract<CloudResource, { kind: 'sns' }>> = async (clients, topic) => {
  await need(clients.sns, topic).send(new CreateTopicCommand({ Name: topic.name, Attributes: topic.attributes }));
};

/** A bucket we can already read is kept (s3rver answers BucketAlreadyExists, AWS that only when someone else owns it). */
const createBucket: Creator<Extract<CloudResource, { kind: 's3' }>> = async (clients, bucket) => {
  const s3 = need(clients.s3, bucket);
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket.name })).then(() => true, () => false);
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
};

const STREAM_ACTIVE_MS = 30_000;

const createStream: Creator<Extract<CloudResource, { kind: 'kinesis' }>> = async (clients, stream) => {
  const kinesis = need(clients.kinesis, stream);
  await ignoreExisting(kinesis.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount })));
  for (const until = Date.now() + STREAM_ACTIVE_MS; ;) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > until) throw new HubError('TH_ERR_CLOUD_START_FAILED', `Kinesis stream ${stream.name} was not ACTIVE after ${STREAM_ACTIVE_MS / 1000} s`);
    await delay(100);
  }
};

const createTable: Creator<Extract<CloudResource, { kind: 'dynamodb' }>> = async (clients, table) => {
  const definition = { ...table.definition } as Omit<CreateTableCommandInput, 'TableName'>;
  // DynamoDB Local needs a billing mode or throughput; PAY_PER_REQUEST is what templates usually mean.
  if (!definition.BillingMode && !definition.ProvisionedThroughput) definition.BillingMode = 'PAY_PER_REQUEST';
  // CloudFormation's StreamSpecification has only StreamViewType; the API also wants StreamEnabled.
  if (definition.StreamSpecification?.StreamViewType && definition.StreamSpecification.StreamEnabled === undefined) {
    definition.StreamSpecification = { ...definition.StreamSpecification, StreamEnabled: true };
  }
  await ignoreExisting(need(clients.dynamodb, table).send(new CreateTableCommand({ ...definition, TableName: table.name })));
};

async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  await call.catch((err: { name?: string }) => {
    if (!ALREADY_EXISTS.has(err.name ?? '')) throw err;
  });
}

const CREATORS: { [K in CloudResource['kind']]: Creator<Extract<CloudResource, { kind: K }>> } = {
  sqs: createQueue, sns: createTopic, s3: createBucket, kinesis: createStream, dynamodb: createTable,
};

export async function createResources(clients: CloudClients, resources: readonly CloudResource[], subscriptions: readonly Subscription[], log: Logger): Promise<void> {
  for (const resource of resources) {
    try {
      await ignoreExisting((CREATORS[resource.kind] as Creator<CloudResource>)(clients, resource));
    } catch (cause) {
      throw new HubError('TH_ERR_CLOUD_START_FAILED', `creating ${resource.kind} ${resource.name} (${resource.logicalId}): ${(cause as Error).message}`, { cause });
    }
    log.info({ event: 'cloud_resource_ready', kind: resource.kind, name: resource.name }, `${resource.kind} ${resource.name} ready`);
  }
  for (const sub of subscriptions.filter((s) => s.protocol === 'sqs')) {
    await subscribeQueue(clients, sub.topicArn, sub.endpoint, sub);
  }
}

/** A queue subscribed to a topic (idempotent: SNS returns the existing subscription). */
export async function subscribeQueue(clients: CloudClients, topicArn: string, queueArn: string, options: Pick<Subscription, 'rawMessageDelivery' | 'filterPolicy' | 'filterPolicyScope'>): Promise<void> {
  if (!clients.sns) throw new HubError('TH_ERR_CLOUD_START_FAILED', `no sns endpoint to subscribe ${queueArn} to ${topicArn}`);
  const attributes: Record<string, string> = {};
  if (options.rawMessageDelivery) attributes.RawMessageDelivery = 'true';
  if (options.filterPolicy !== undefined) attributes.FilterPolicy = typeof options.filterPolicy === 'string' ? options.filterPolicy : JSON.stringify(options.filterPolicy);
  if (options.filterPolicyScope) attributes.FilterPolicyScope = options.filterPolicyScope;
  try {
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: attributes, ReturnSubscriptionArn: true }));
  } catch (cause) {
    throw new HubError('TH_ERR_CLOUD_START_FAILED', `subscribing ${queueArn} to ${topicArn}: ${(cause as Error).message}`, { cause });
  }
}
