import { setTimeout as delay } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { QueueInfo } from './queue.js';
import { toSqsRecord } from './records.js';
import type { VisibilityKeeper } from './visibility.js';
import { loadSqs } from '../../aws/lazy-sdk.js';
import { PayloadBatch } from '../kit/limits.js';

/** SQS's limits: 10 messages per receive, long polls of at most 20 s. */
const RECEIVE_MAX = 10;
export const LONG_POLL_SECONDS = 20;

export interface CollectorOptions {
  client: SQSClient;
  queue: QueueInfo;
  batchSize: number;
  windowSeconds: number;
  /** Lambda's synchronous payload limit: a batch stops growing before its event passes it. */
  maxBytes: number;
  keeper: VisibilityKeeper;
  /** Every successful receive (empty on a long poll that found nothing). */
  onReceive?(records: SQSRecord[]): void;
}

/** Age of the oldest of the records (as SQS's ApproximateAgeOfOldestMessage); 0 for none. */
export function ageOfOldestMs(records: SQSRecord[], now = Date.now()): number {
  return records.length ? now - Math.min(...records.map((record) => Number(record.attributes.SentTimestamp))) : 0;
}

/**
 * Gathers batches as Lambda's poller does: long-polls until messages arrive, then (with a
 * batching window) keeps receiving until the batch is full, the window that started with its first
 * message has passed, or the next record would take the event over the payload limit. Records
 * that did not fit start the next batch.
 */
export class BatchCollector {
  private carried: SQSRecord[] = [];

  constructor(private readonly options: CollectorOptions) {}

  /** The next batch; empty only when `signal` aborted before anything arrived. */
  async collect(signal: AbortSignal): Promise<SQSRecord[]> {
    const { batchSize, windowSeconds } = this.options;
    const filling = new PayloadBatch<SQSRecord>(batchSize, this.options.maxBytes);
    const batch = filling.records;
    filling.take(this.carried.splice(0));
    let windowEndsAt = batch.length ? Date.now() + windowSeconds * 1000 : Infinity;
    while (!filling.full && !signal.aborted) {
      if (batch.length && windowSeconds === 0) break;
      const remainingMs = windowEndsAt - Date.now();
      if (remainingMs <= 0) break;
      const waitSeconds = batch.length ? Math.min(LONG_POLL_SECONDS, Math.floor(remainingMs / 1000)) : LONG_POLL_SECONDS;
      // Long polls wait whole seconds: the window's last fraction is waited out, then polled once.
      if (waitSeconds === 0) await delay(remainingMs, undefined, { signal }).catch(() => undefined);
      let received: SQSRecord[];
      try {
        received = await this.receive(Math.min(RECEIVE_MAX, batchSize - batch.length), waitSeconds, signal);
      } catch (err) {
        if (batch.length) break; // invoke what we have; the next receive reports the error
        throw err;
      }
      if (received.length && !batch.length) windowEndsAt = Date.now() + windowSeconds * 1000;
      filling.take(received);
      if (batch.length && waitSeconds === 0) break;
    }
    this.carried = filling.rest;
    return batch;
  }

  /** Records received but not handed out (taken back when the mapping stops). */
  takeCarried(): SQSRecord[] {
    return this.carried.splice(0);
  }

  /** Whether records of an earlier receive wait for the next batch. */
  get carrying(): boolean {
    return this.carried.length > 0;
  }

  /** Takes out the carried records of these message groups (FIFO: they must not run before their group's failed ones). */
  takeGroups(groups: ReadonlySet<string>): SQSRecord[] {
    const kept: SQSRecord[] = [];
    const taken: SQSRecord[] = [];
    for (const record of this.carried) (groups.has(record.attributes.MessageGroupId ?? '') ? taken : kept).push(record);
    this.carried = kept;
    return taken;
  }

  private async receive(max: number, waitSeconds: number, signal: AbortSignal): Promise<SQSRecord[]> {
    const { client, queue, keeper } = this.options;
    const { ReceiveMessageCommand } = await loadSqs();
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }), { abortSignal: signal });
    const records = Messages.map((message) => toSqsRecord(message, queue));
    keeper.hold(records);
    this.options.onReceive?.(records);
    return records;
  }
}
