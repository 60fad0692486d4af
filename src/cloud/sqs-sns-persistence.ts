import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import type { FauxqsStores } from './fauxqs-stores.js';
import { SnapshotFile } from './snapshot-file.js';
import { restoreSnapshot, snapshotSchema, takeSnapshot } from './sqs-sns-snapshot.js';

/**
 * The embedded SQS and SNS keep their state in `<dir>/snapshot.json`: restored when the emulator
 * starts (before the hub's sources poll), written within SNAPSHOT_DELAY_MS of every request that may
 * change it, and on stop (after the hub's sources stopped). A kill -9 of the hub loses what changed
 * in the last moments before it: messages sent then are gone, messages deleted then come back. A
 * forced stop (a second Ctrl-C) writes it synchronously before the process exits.
 */
export interface SqsSnsPersistence {
  /** Marks the state changed after each SQS/SNS request that may change it. */
  watch(app: FastifyInstance): void;
  /** Puts the saved state into the (empty) stores; `port` is the emulator's. */
  restore(port: number): void;
  /** The last write. Idempotent. */
  close(): Promise<void>;
  /** The last write, synchronously, at a forced stop (the process exits right after). */
  writeNow(): void;
}

/** Actions that only read (SQS's `x-amz-target` suffix, SNS's `Action`); any other may change state. */
const READ_ONLY = new Set([
  'GetQueueUrl', 'GetQueueAttributes', 'ListQueues', 'ListQueueTags', 'ListDeadLetterSourceQueues',
  'ListTopics', 'GetTopicAttributes', 'ListSubscriptions', 'ListSubscriptionsByTopic', 'GetSubscriptionAttributes',
  'ListTagsForResource', 'GetCallerIdentity',
]);

export function sqsSnsPersistence(stores: FauxqsStores, dir: string, log: Logger): SqsSnsPersistence {
  const file = new SnapshotFile(path.join(dir, 'snapshot.json'), () => takeSnapshot(stores), log);
  const saved = file.read(snapshotSchema);
  return {
    watch: (app) => {
      app.addHook('onResponse', (request, _reply, done) => {
        if (mayChange(request)) file.changed();
        done();
      });
    },
    restore: (port) => {
      if (!saved) return;
      restoreSnapshot(stores, saved, port);
      const messages = saved.queues.reduce((sum, queue) => sum + queue.messages.length, 0);
      log.info({ event: 'cloud_snapshot_restored', file: file.file, queues: saved.queues.length, messages, topics: saved.topics.length, subscriptions: saved.subscriptions.length },
        `SQS/SNS restored from ${file.file}: ${saved.queues.length} queues (${messages} messages), ${saved.topics.length} topics, ${saved.subscriptions.length} subscriptions`);
    },
    close: () => file.close(),
    writeNow: () => file.writeNow(),
  };
}

function mayChange(request: FastifyRequest): boolean {
  if (request.method !== 'POST') return false;
  const target = request.headers['x-amz-target'];
  const action = typeof target === 'string' ? target.slice(target.lastIndexOf('.') + 1) : (request.body as { Action?: unknown } | undefined)?.Action;
  return typeof action !== 'string' || !READ_ONLY.has(action);
}
