import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../../log.js';
import { changeVisibility, logEntryFailures, type EntryFailure } from './acks.js';

/** Extend a message once this share of its visibility timeout has passed. */
const EXTEND_AFTER = 2 / 3;
const MIN_TICK_MS = 100;

/**
 * Keeps the messages a mapping holds (being batched, invoked or acknowledged) invisible: once 2/3
 * of the queue's visibility timeout has passed since a message was received or last extended, its
 * timeout is set again from now (ChangeMessageVisibilityBatch). Dropped messages are left alone,
 * so what is not deleted returns to the queue when its timeout runs out.
 */
export class VisibilityKeeper {
  /** receipt handle → record and when it is due for extension (epoch ms). */
  private readonly held = new Map<string, { record: SQSRecord; dueAt: number }>();
  private readonly timer?: NodeJS.Timeout;
  private extending = false;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly timeoutSeconds: number,
    private readonly log: Logger,
  ) {
    if (timeoutSeconds <= 0) return; // a zero timeout hides nothing: there is nothing to extend
    const tickMs = Math.max(MIN_TICK_MS, (timeoutSeconds * 1000 * (1 - EXTEND_AFTER)) / 2);
    this.timer = setInterval(() => void this.extendDue(), tickMs);
    this.timer.unref();
  }

  hold(records: SQSRecord[]): void {
    if (!this.timer) return;
    const dueAt = Date.now() + this.timeoutSeconds * 1000 * EXTEND_AFTER;
    for (const record of records) this.held.set(record.receiptHandle, { record, dueAt });
  }

  drop(records: SQSRecord[]): void {
    for (const record of records) this.held.delete(record.receiptHandle);
  }

  stop(): void {
    clearInterval(this.timer);
    this.held.clear();
  }

  private async extendDue(): Promise<void> {
    if (this.extending) return;
    const now = Date.now();
    const due = [...this.held.values()].filter((entry) => entry.dueAt <= now).map((entry) => entry.record);
    if (!due.length) return;
    this.extending = true;
    try {
      const failures = new Map((await changeVisibility(this.client, this.queueUrl, due, this.timeoutSeconds))
        .map((failure) => [failure.record.receiptHandle, failure]));
      const dueAt = now + this.timeoutSeconds * 1000 * EXTEND_AFTER;
      const failed: EntryFailure[] = [];
      for (const record of due) {
        const entry = this.held.get(record.receiptHandle);
        if (!entry) continue; // acknowledged meanwhile
        const failure = failures.get(record.receiptHandle);
        if (!failure) {
          entry.dueAt = dueAt;
          continue;
        }
        // A rejected handle (the message was received again elsewhere) is given up; other errors are retried next tick.
        if (failure.senderFault) this.held.delete(record.receiptHandle);
        failed.push(failure);
      }
      logEntryFailures(this.log, 'sqs_visibility_extend_failed', failed,
        'message(s) in progress: could not extend their visibility timeout; they may be delivered again');
      this.log.debug({ event: 'sqs_visibility_extended', count: due.length - failures.size, seconds: this.timeoutSeconds }, 'visibility extended');
    } finally {
      this.extending = false;
    }
  }
}
