import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FunctionConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { copyWith, own } from '../own.js';
import { BULLMQ_OPTIONS } from '../redis/connection.js';
import { ignoreQueueErrors } from '../redis/outage.js';
import { newTraceparent, validTraceparent } from '../tracing.js';
import type { Delivery, Envelope, QueuedEvent } from './envelope.js';
import { BACKOFF_TYPE } from './retry.js';

/**
 * Entries kept in each queue's BullMQ events stream (BullMQ's default is 10,000). The hub reads no
 * queue events (no QueueEvents listener): the stream is only written, so keep it short.
 */
export const EVENTS_MAX_LEN = 100;

/**
 * BullMQ attempts of every async job: Lambda's most (1 + MaximumRetryAttempts 2). The processor
 * decides with the function's settings when it runs (retry.ts nextStep), not with those it had when
 * the event was queued: an event queued under `maximumRetryAttempts: 0` that runs after a restart
 * or hot reload with 2 gets 2 retries (with its own attempts, BullMQ failed it after one while the
 * hub logged "retrying").
 */
export const JOB_ATTEMPTS = 3;

export function queueName(fn: string): string {
  return `fn-${fn}`;
}

/** BullMQ job id: the envelope id, suffixed per redrive so a redriven event is a new job. */
export function jobId(envelope: Envelope, delivery: Delivery): string {
  return delivery.redrives ? `${envelope.id}-r${delivery.redrives}` : envelope.id;
}

/**
 * The per-function BullMQ queues: the one door into Redis for async events. `enqueue` resolves
 * once Redis has the job, which is when sources may acknowledge upstream.
 */
export class EventQueues {
  private readonly queues = new Map<string, Queue<QueuedEvent>>();
  private closing?: Promise<void>;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly functions: Readonly<Record<string, FunctionConfig>>,
    /** Told of every event Redis now holds (the hub counts the mesh's edges with it). */
    private readonly onEnqueued: (envelope: Envelope, delivery: Delivery) => void = () => undefined,
  ) {}

  queue(fn: string): Queue<QueuedEvent> {
    let queue = this.queues.get(fn);
    if (!queue) {
      if (!own(this.functions, fn)) throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `function not found: ${fn}`);
      queue = new Queue<QueuedEvent>(queueName(fn), { ...BULLMQ_OPTIONS, connection: this.connection, prefix: this.prefix, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
      queue.on('error', ignoreQueueErrors);
      this.queues.set(fn, queue);
    }
    return queue;
  }

  async enqueue(envelope: Envelope, delivery: Delivery): Promise<void> {
    if (this.closing) throw new HubError('TH_ERR_HUB_STOPPING', 'the hub is shutting down');
    const fn = own(this.functions, delivery.function);
    if (!fn) throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `function not found: ${delivery.function}`);
    // Every queued event has a trace; the envelope's is the source of truth, the delivery a copy.
    const traceparent = validTraceparent(envelope.traceparent) ?? validTraceparent(delivery.traceparent) ?? newTraceparent();
    const event = { envelope: copyWith(envelope, 'traceparent', traceparent), delivery: copyWith(delivery, 'traceparent', traceparent) };
    await this.queue(fn.name).add('event', event, {
      jobId: jobId(envelope, delivery),
      attempts: JOB_ATTEMPTS,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
    this.onEnqueued(envelope, delivery);
  }

  /** Waiting + delayed + active jobs of one function. */
  async depth(fn: string): Promise<number> {
    return this.queue(fn).getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized', 'paused');
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([...this.queues.values()].map((q) => q.close())).then(() => undefined);
    return this.closing;
  }
}
