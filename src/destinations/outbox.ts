import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DlqRecord, DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { buildEnvelope, ENVELOPE_TYPES, type AttemptRecord } from '../router/envelope.js';
import { backoffDelay } from '../sources/kit/backoff.js';
import { deadLetterMessage } from './dead-letter.js';
import { recordBody } from './record-body.js';
import { RetryLog } from './retry-log.js';
import { TargetSenders } from './senders.js';
import { destinationText, parseDestination, type DestinationKind, type DestinationSpec } from './targets.js';
import { BULLMQ_OPTIONS } from '../redis/connection.js';
import { ignoreQueueErrors, workerErrorHandler } from '../redis/outage.js';
import { BackoffWorker } from '../redis/backoff-worker.js';
import { copyWith } from '../own.js';

/** Hub-level `destinationDelivery`: how records to SQS, SNS, HTTP and Redis-stream targets are retried. */
export interface DeliverySettings {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAgeSeconds: number;
  timeoutMs: number;
}

/** What a destination receives: an async invocation record, or a stream mapping's failure record. */
export interface DestinationPayload {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
}

export interface OutboxJob {
  target: DestinationSpec;
  record: DestinationPayload;
  function: string;
  traceparent?: string;
  /** The record's id without redrive suffix: the parked DLQ record is `destination-<recordId>`. */
  recordId?: string;
  firstSeenAt: number;
  redrives: number;
  /** A function's dead-letter queue: the event itself goes (with Lambda's attributes), not the record. */
  deadLetter?: boolean;
  /** The latest failed tries (at most MAX_KEPT_ATTEMPTS), for the DLQ record if it comes to that. */
  attempts: AttemptRecord[];
}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'parked';

export interface OutboxDeps {
  connection: Redis;
  prefix: string;
  dlq: DlqStore;
  settings: DeliverySettings;
  logger: Logger;
  /** Called per delivery try (for metrics). */
  onOutcome?: (outcome: DeliveryOutcome, kind: DestinationKind, fn: string) => void;
}

export const OUTBOX_QUEUE = 'destinations';
const BACKOFF_TYPE = 'destination';
/** BullMQ never gives up on its own: the processor parks a record once maxAgeSeconds has passed. */
const UNLIMITED_ATTEMPTS = 1_000_000;
const MAX_KEPT_ATTEMPTS = 10;
/** Delivered jobs stay this long (at most this many), so a re-send after a crash with the same id is dropped. */
const KEEP_DELIVERED = { age: 3600, count: 10_000 };

/**
 * The durable outbox for destinations outside the hub: a record is in Redis (a BullMQ job with a
 * stable id) before the event that produced it completes, and leaves only once delivered or, after
 * `maxAgeSeconds` of failed tries with capped exponential backoff, parked in the DLQ store.
 */
export class DestinationOutbox {
  private readonly queue: Queue<OutboxJob>;
  private readonly senders: TargetSenders;
  private readonly log: Logger;
  private readonly retryLog: RetryLog;
  private worker?: Worker<OutboxJob>;
  private stopping = false;
  private closed?: Promise<void>;

  constructor(private readonly deps: OutboxDeps) {
    this.queue = new Queue<OutboxJob>(OUTBOX_QUEUE, { ...BULLMQ_OPTIONS, connection: deps.connection, prefix: deps.prefix });
    this.queue.on('error', ignoreQueueErrors);
    this.senders = new TargetSenders(deps.connection, deps.settings.timeoutMs);
    this.log = deps.logger.child({ component: 'destinations' });
    this.retryLog = new RetryLog(this.log);
  }

  /** Resolves once Redis holds the record. The same id twice (a crash re-send) is one delivery. */
  async add(id: string, job: Omit<OutboxJob, 'attempts'>): Promise<void> {
    if (this.stopping) throw new HubError('TH_ERR_HUB_STOPPING', 'the hub is shutting down');
    await this.queue.add('record', copyWith(job, 'attempts', []), {
      jobId: id,
      attempts: UNLIMITED_ATTEMPTS,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: KEEP_DELIVERED,
      removeOnFail: false,
    });
  }

  start(concurrency: number, lockDurationMs: number): void {
    const { baseDelayMs, maxDelayMs } = this.deps.settings;
    this.worker = new BackoffWorker<OutboxJob>(OUTBOX_QUEUE, (job) => this.process(job), {
      ...BULLMQ_OPTIONS,
      connection: this.deps.connection,
      prefix: this.deps.prefix,
      concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: Math.max(1000, lockDurationMs / 2),
      maxStalledCount: UNLIMITED_ATTEMPTS, // a hub died mid-delivery: deliver again
      settings: {
        backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, baseDelayMs, maxDelayMs),
      },
    }, this.log);
    this.worker.on('error', workerErrorHandler(this.log, 'worker_error'));
  }

  private async process(job: Job<OutboxJob>): Promise<string> {
    const data = job.data;
    const target = parseDestination(data.target);
    const text = destinationText(data.target);
    const log = this.log.child({ function: data.function, destination: text, id: job.id });
    const startedAt = new Date();
    try {
      if (typeof target === 'string') throw new Error(target); // queued by a hub version that read targets differently
      const message = data.deadLetter ? deadLetterMessage(data.record) : { body: recordBody(target, data.record) };
      await this.senders.deliver(target, { id: job.id!, function: data.function, traceparent: data.traceparent, ...message });
      this.deps.onOutcome?.('delivered', target.kind, data.function);
      this.retryLog.delivered(text);
      log.debug({ event: 'destination_delivered', attempt: job.attemptsMade + 1 }, `record delivered to ${text}`);
      return 'delivered';
    } catch (cause) {
      const kind = typeof target === 'string' ? 'dlq' : target.kind;
      const error = cause as Error;
      const attempts = [...data.attempts, {
        attempt: job.attemptsMade + 1, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(),
        status: 'error', errorType: 'DestinationUnavailable', errorMessage: error.message, redrive: data.redrives,
      }].slice(-MAX_KEPT_ATTEMPTS);
      if (typeof target === 'string' || Date.now() - data.firstSeenAt >= this.deps.settings.maxAgeSeconds * 1000) {
        await this.park(job, attempts);
        this.deps.onOutcome?.('parked', kind, data.function);
        log.error({ event: 'destination_parked', attempts: job.attemptsMade + 1, err: error }, `record for ${text} parked in the DLQ`);
        return 'parked';
      }
      await job.updateData({ ...data, attempts });
      this.deps.onOutcome?.('retrying', kind, data.function);
      this.retryLog.failed(text, { id: job.id!, function: data.function, attempt: job.attemptsMade + 1, err: error });
      throw new HubError('TH_ERR_DESTINATION_UNAVAILABLE', `cannot deliver to ${text}: ${error.message}`, { cause });
    }
  }

  /** The record goes to the DLQ store (reason DestinationFailed), so it is never lost. */
  private async park(job: Job<OutboxJob>, attempts: AttemptRecord[]): Promise<void> {
    const { record, target, traceparent, firstSeenAt, redrives, deadLetter } = job.data;
    const source = record.requestContext.functionArn;
    const id = job.data.recordId ?? job.id!;
    await this.deps.dlq.add({
      id: `destination-${id}`,
      function: job.data.function,
      source,
      reason: 'DestinationFailed',
      failedAt: new Date().toISOString(),
      envelope: buildEnvelope({ id, source, type: deadLetter ? ENVELOPE_TYPES.deadLetter : ENVELOPE_TYPES.destination, subject: typeof target === 'string' ? target : JSON.stringify(target), data: record, traceparent }),
      delivery: { invocationType: 'Event', firstSeenAt, redrives, traceparent },
      attempts,
    });
  }

  /**
   * Puts a parked record (reason DestinationFailed) back in the outbox for the target it was parked
   * from, as the next redrive round with a fresh age clock. The caller removes it from the DLQ.
   */
  async redrive(parked: DlqRecord): Promise<void> {
    const subject = parked.envelope.subject ?? '';
    const target = (subject.startsWith('{') ? JSON.parse(subject) : subject) as DestinationSpec;
    const redrives = parked.delivery.redrives + 1;
    await this.add(`${parked.envelope.id}-r${redrives}`, {
      target, record: parked.envelope.data as DestinationPayload, function: parked.function, traceparent: parked.delivery.traceparent,
      recordId: parked.envelope.id, firstSeenAt: Date.now(), redrives, deadLetter: parked.envelope.type === ENVELOPE_TYPES.deadLetter,
    });
  }

  /** Refuses new records, waits for deliveries in flight (cut short with `force`), then closes. Idempotent. */
  async stop(force = false): Promise<void> {
    this.stopping = true;
    await this.worker?.close(force);
    this.closed ??= this.queue.close().then(() => this.senders.close());
    await this.closed;
  }
}
