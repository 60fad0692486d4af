import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { changeVisibility, deleteRecords } from '../sqs/acks.js';
import { ageOfOldestMs, BatchCollector } from '../sqs/collector.js';
import { createSqsClient, resolveQueue, type QueueInfo } from '../sqs/queue.js';
import { recordTraceparent } from '../sqs/records.js';
import { VisibilityKeeper } from '../sqs/visibility.js';
import { deliverRecords, type DeliveryDeps } from './deliver.js';
import type { SqsViaSettings } from './settings.js';
import { pollLoop } from '../kit/poll-loop.js';
import { parseJson } from '../../json.js';
import { isObject } from '../../own.js';

const RECEIVE_BATCH = 10;

/** What an SQS message from a bucket notification holds. */
type Unwrapped = { kind: 'records'; records: unknown[] } | { kind: 'test' } | { kind: 'invalid'; reason: string };

/**
 * S3 → SQS and S3 → SNS → SQS: polls the queue the bucket notifies (with the SQS mapping's
 * receive loop, client and acknowledgement helpers), unwraps each message to its S3 records and
 * queues them as S3 invokes (asynchronously, one envelope per record). A message is deleted only
 * once its envelopes are in Redis; one that could not be queued returns after the visibility
 * timeout. `s3:TestEvent` messages are deleted unseen; messages that are not S3 notifications stay
 * for the queue's redrive policy. Poll errors back off 1 s … 30 s. Never throws.
 */
export async function pollS3Queue(via: SqsViaSettings, deps: DeliveryDeps, signal: AbortSignal): Promise<void> {
  const { log } = deps;
  let client: SQSClient | undefined;
  let connection: { queue: QueueInfo; keeper: VisibilityKeeper; collector: BatchCollector } | undefined;
  await pollLoop({
    signal, log, errorEvent: 's3_queue_poll_error', failure: `cannot poll ${via.sqs}`,
    onHealth: (err) => { if (err) deps.context.report?.(deps.sourceId, { state: 'failing', lastError: `${err.name}: ${err.message}` }); },
  }, async () => {
    client ??= await createSqsClient({ queue: via.sqs, endpoint: via.endpoint, region: via.region }, deps.context.config.region, log);
    if (!connection) {
      const queue = await resolveQueue(client, via.sqs, signal);
      const keeper = new VisibilityKeeper(client, queue.url, queue.visibilityTimeoutSeconds, log);
      const collector = new BatchCollector({
        client, queue, keeper, batchSize: RECEIVE_BATCH, windowSeconds: 0, maxBytes: Infinity,
        onReceive: (records) => deps.context.report?.(deps.sourceId, { state: 'running', lagMs: ageOfOldestMs(records) }),
      });
      connection = { queue, keeper, collector };
      log.info({ event: 's3_queue_polling', queue: queue.url }, `polling ${queue.url} for S3 notifications`);
    }
    const messages = await connection.collector.collect(signal);
    if (signal.aborted) {
      connection.keeper.drop(messages);
      await changeVisibility(client, connection.queue.url, messages, 0);
      return 'done';
    }
    const done = await handleMessages(messages, deps);
    await deleteRecords(client, connection.queue.url, done, log);
    connection.keeper.drop(messages);
  });
  connection?.keeper.stop();
  client?.destroy();
}

/** Queues the records of each message; returns the messages to delete. */
async function handleMessages(messages: SQSRecord[], deps: DeliveryDeps): Promise<SQSRecord[]> {
  const outcomes = await Promise.all(messages.map(async (message) => {
    const unwrapped = unwrap(message.body);
    if (unwrapped.kind === 'test') {
      deps.log.info({ event: 's3_test_event_dropped', messageId: message.messageId }, 's3:TestEvent dropped');
      return true;
    }
    if (unwrapped.kind === 'invalid') {
      deps.log.warn({ event: 's3_queue_message_invalid', messageId: message.messageId, reason: unwrapped.reason },
        'message is not an S3 notification; left for the queue\'s redrive policy');
      return false;
    }
    try {
      await deliverRecords(unwrapped.records, deps, recordTraceparent(message));
      return true;
    } catch (err) {
      deps.log.warn({ event: 's3_queue_enqueue_failed', messageId: message.messageId, err },
        'could not queue the records of a message; it returns to the queue after the visibility timeout');
      return false;
    }
  }));
  return messages.filter((_message, i) => outcomes[i]);
}

/** An S3 event body, or an SNS notification envelope whose `Message` is one. */
export function unwrap(body: string): Unwrapped {
  let json = parseMessage(body);
  if (isObject(json) && json.Type === 'Notification' && typeof json.Message === 'string') json = parseMessage(json.Message);
  if (!isObject(json)) return { kind: 'invalid', reason: 'the body is not a JSON object' };
  if (json.Event === 's3:TestEvent') return { kind: 'test' };
  if (!Array.isArray(json.Records)) return { kind: 'invalid', reason: 'no Records array' };
  return { kind: 'records', records: json.Records };
}

function parseMessage(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

