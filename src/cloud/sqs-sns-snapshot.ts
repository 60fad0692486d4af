import { z } from 'zod';
import type { FauxqsStores, SqsQueue } from './fauxqs-stores.js';

/**
 * The state of the embedded SQS and SNS (fauxqs) as JSON, and back: every queue (attributes, tags,
 * timestamps, FIFO sequence counter and deduplication window) with its messages, every topic and
 * subscription (ARNs, attributes). Read from fauxqs's inspection API (`listQueues`,
 * `inspectMessages`, `listTopics`, `listSubscriptions`); restored through its store methods.
 *
 * Messages keep their id, body, attributes, send time, receive count and FIFO group, deduplication id
 * and sequence number. Delayed ones keep the time they become visible; one received but not deleted
 * (in flight) comes back visible, ahead of the others (as after its visibility timeout: the receipt
 * handle it was given no longer counts). Names map to values as `[name, value]` pairs, so that any
 * name (`__proto__` too) survives.
 */
const entries = z.array(z.tuple([z.string(), z.string()]));

const messageSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  md5OfBody: z.string(),
  messageAttributes: z.array(z.tuple([z.string(), z.object({ DataType: z.string(), StringValue: z.string().optional(), BinaryValue: z.string().optional() })])),
  md5OfMessageAttributes: z.string(),
  sentTimestamp: z.number(),
  approximateReceiveCount: z.number().int().nonnegative(),
  approximateFirstReceiveTimestamp: z.number().optional(),
  delayUntil: z.number().optional(),
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
  sequenceNumber: z.string().optional(),
});

const queueSchema = z.object({
  name: z.string().min(1),
  arn: z.string().regex(/^arn:[^:]+:sqs:[^:]+:\d+:[^:]+$/),
  attributes: entries,
  tags: entries,
  createdTimestamp: z.number(),
  lastModifiedTimestamp: z.number(),
  sequenceCounter: z.number().int().nonnegative(),
  /** In flight first (by send order), then visible, then delayed. */
  messages: z.array(messageSchema),
  /** FIFO deduplication ids still inside their 5-minute window. */
  deduplication: z.array(z.object({ id: z.string(), messageId: z.string(), sequenceNumber: z.string().optional(), expiresAt: z.number() })),
});

export const snapshotSchema = z.object({
  version: z.literal(1),
  queues: z.array(queueSchema),
  topics: z.array(z.object({ arn: z.string().regex(/^arn:[^:]+:sns:[^:]+:\d+:[^:]+$/), name: z.string().min(1), attributes: entries, tags: entries })),
  subscriptions: z.array(z.object({
    arn: z.string(), topicArn: z.string(), protocol: z.string(), endpoint: z.string(), confirmed: z.boolean(), attributes: entries,
  })),
});

export type SqsSnsSnapshot = z.infer<typeof snapshotSchema>;
type Message = SqsQueue['messages'][number];
type Dedup = { messageId: string; sequenceNumber?: string };

export function takeSnapshot({ sqsStore, snsStore }: FauxqsStores): SqsSnsSnapshot {
  return {
    version: 1,
    queues: sqsStore.listQueues().map((queue) => {
      const { ready, delayed, inflight } = queue.inspectMessages();
      const inFlight = inflight.map((entry) => entry.message).sort(sendOrder);
      return {
        name: queue.name,
        arn: queue.arn,
        attributes: Object.entries(queue.attributes),
        tags: [...queue.tags],
        createdTimestamp: queue.createdTimestamp,
        lastModifiedTimestamp: queue.lastModifiedTimestamp,
        sequenceCounter: queue.sequenceCounter,
        messages: [...inFlight, ...ready, ...delayed].map((message) => ({ ...message, messageAttributes: Object.entries(message.messageAttributes) })),
        deduplication: deduplication(queue),
      };
    }),
    topics: snsStore.listTopics().map((topic) => ({ arn: topic.arn, name: topic.name, attributes: Object.entries(topic.attributes), tags: [...topic.tags] })),
    subscriptions: snsStore.listSubscriptions().map((sub) => ({ ...sub, attributes: Object.entries(sub.attributes) })),
  };
}

/** Fills empty stores from a snapshot; `port` is the emulator's port now (queue URLs name it). */
export function restoreSnapshot({ sqsStore, snsStore }: FauxqsStores, snapshot: SqsSnsSnapshot, port: number): void {
  for (const saved of snapshot.queues) {
    const region = saved.arn.split(':')[3];
    const url = sqsStore.buildQueueUrl(saved.name, String(port), `127.0.0.1:${port}`, region);
    const queue = sqsStore.createQueue(saved.name, url, saved.arn, Object.fromEntries(saved.attributes));
    queue.tags = new Map(saved.tags);
    Object.assign(queue, { createdTimestamp: saved.createdTimestamp, lastModifiedTimestamp: saved.lastModifiedTimestamp, sequenceCounter: saved.sequenceCounter });
    for (const message of saved.messages) queue.enqueue({ ...message, messageAttributes: Object.fromEntries(message.messageAttributes) });
    restoreDeduplication(queue, saved.deduplication);
  }
  for (const saved of snapshot.topics) {
    const topic = snsStore.createTopic(saved.name, Object.fromEntries(saved.attributes), undefined, saved.arn.split(':')[3]);
    topic.tags = new Map(saved.tags);
  }
  // The subscription's own ARN (callers may have kept it), so into the store's maps directly.
  for (const saved of snapshot.subscriptions) {
    const topic = snsStore.getTopic(saved.topicArn);
    if (!topic) continue;
    snsStore.subscriptions.set(saved.arn, { ...saved, attributes: Object.fromEntries(saved.attributes) });
    topic.subscriptionArns.push(saved.arn);
  }
}

/** FIFO order (sequence numbers are zero-padded), else send time. */
function sendOrder(a: Message, b: Message): number {
  return a.sequenceNumber && b.sequenceNumber ? a.sequenceNumber.localeCompare(b.sequenceNumber) : a.sentTimestamp - b.sentTimestamp;
}

function deduplication(queue: SqsQueue): SqsSnsSnapshot['queues'][number]['deduplication'] {
  const cache = queue.deduplicationCache;
  return [...cache.keys()].flatMap((id) => {
    const value = cache.get(id);
    const expiresAt = cache.expiresAt(id);
    return value && expiresAt ? [{ id, messageId: value.messageId, sequenceNumber: value.sequenceNumber, expiresAt }] : [];
  });
}

/**
 * Each id keeps the end of its window: toad-cache's FifoMap sets a fresh TTL on `set`, so the
 * item's expiry is put back (its items map is not in its types).
 */
function restoreDeduplication(queue: SqsQueue, saved: SqsSnsSnapshot['queues'][number]['deduplication']): void {
  const items = (queue.deduplicationCache as unknown as { items: Map<string, { expiry: number }> }).items;
  for (const { id, expiresAt, ...value } of saved) {
    if (expiresAt <= Date.now()) continue;
    queue.deduplicationCache.set(id, value as Dedup);
    const item = items.get(id);
    if (item) item.expiry = expiresAt;
  }
}
