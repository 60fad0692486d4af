import { Worker, type Job, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import type { DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InvokeResult } from '../runtime/types.js';
import { createProcessor, type Invoker } from './async-worker.js';
import type { ConcurrencyGate } from './concurrency.js';
import { DestinationSender } from './destinations.js';
import type { Delivery, Envelope, QueuedEvent } from './envelope.js';
import { EventQueues, queueName } from './queues.js';
import { BACKOFF_TYPE, retryDelayMs } from './retry.js';

export interface DispatcherDeps {
  config: HubConfig;
  connection: Redis;
  queues: EventQueues;
  invoker: Invoker;
  gate: ConcurrencyGate;
  dlq: DlqStore;
  logger: Logger;
  /** Called when reserved concurrency refuses (sync) or delays (async) an invocation. */
  onThrottle?: (fn: string, invocationType: 'RequestResponse' | 'Event') => void;
}

/**
 * Runs handlers for queued (async) events with one BullMQ worker per function, and synchronous
 * invocations directly under the same reserved-concurrency limit.
 */
export class Dispatcher {
  private readonly workers: Worker<QueuedEvent>[] = [];
  private readonly destinations: DestinationSender;
  private stopping?: Promise<void>;

  constructor(private readonly deps: DispatcherDeps) {
    this.destinations = new DestinationSender(deps.queues, deps.config.region, deps.config.accountId);
  }

  start(): void {
    for (const fn of Object.values(this.deps.config.functions)) {
      if (fn.reservedConcurrency === 0) continue; // throttled function: events wait in its queue
      this.workers.push(this.startWorker(fn));
    }
  }

  private startWorker(fn: FunctionConfig): Worker<QueuedEvent> {
    const { config, connection, logger } = this.deps;
    const log = logger.child({ component: 'dispatcher', function: fn.name });
    const worker = new Worker<QueuedEvent>(queueName(fn.name), createProcessor({
      fn, invoker: this.deps.invoker, gate: this.deps.gate, dlq: this.deps.dlq, destinations: this.destinations, logger: log,
      onThrottle: () => this.deps.onThrottle?.(fn.name, 'Event'),
    }), {
      connection,
      prefix: config.queuePrefix,
      concurrency: fn.reservedConcurrency ?? config.runtime.maxEnvironments,
      lockDuration: config.lockDurationSeconds * 1000,
      stalledInterval: Math.max(1000, (config.lockDurationSeconds * 1000) / 2),
      maxStalledCount: 3,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string, _err?: Error, job?: MinimalJob) =>
          type === BACKOFF_TYPE && job ? retryDelayMs(fn, attemptsMade, (job.data as QueuedEvent).envelope.id) : 0,
      },
    });
    worker.on('error', (err) => log.error({ event: 'worker_error', err }, 'queue worker error'));
    worker.on('failed', (job, err) => {
      if (job) void this.onBullFailure(fn, job, err, log);
    });
    return worker;
  }

  /** A job BullMQ itself failed for good (stalled too often): dead-letter it so it is not lost. */
  private async onBullFailure(fn: FunctionConfig, job: Job<QueuedEvent>, err: Error, log: Logger): Promise<void> {
    try {
      if (!(await job.isFailed())) return; // BullMQ retries it
      const { envelope, delivery } = job.data;
      const reason = job.attemptsMade >= (job.opts.attempts ?? 1) ? 'RetriesExhausted' : 'Stalled';
      await this.deps.dlq.add({
        id: envelope.id, function: fn.name, source: envelope.source, reason, failedAt: new Date().toISOString(),
        envelope, delivery: { invocationType: delivery.invocationType, firstSeenAt: delivery.firstSeenAt, redrives: delivery.redrives },
        attempts: delivery.attempts,
      });
      await job.remove();
      log.warn({ event: 'event_dead_lettered', requestId: envelope.id, reason, cause: err.message }, 'event dead-lettered by the queue');
    } catch (cause) {
      log.error({ event: 'dead_letter_failed', err: cause }, 'could not dead-letter a failed job; it stays in the failed set');
    }
  }

  /** Queues an async event; resolves once Redis holds it. */
  enqueue(envelope: Envelope, delivery: Delivery): Promise<void> {
    return this.deps.queues.enqueue(envelope, delivery);
  }

  /** Runs a synchronous invocation now, or throws TH_ERR_THROTTLED when reserved concurrency is used up. */
  async invokeSync(fn: FunctionConfig, envelope: Envelope, options: { traceId?: string } = {}): Promise<InvokeResult> {
    if (this.stopping) throw new HubError('TH_ERR_HUB_STOPPING', 'the hub is shutting down');
    const lease = fn.reservedConcurrency === undefined
      ? undefined
      : await this.deps.gate.tryAcquire(fn.name, fn.reservedConcurrency, envelope.id, fn.timeout);
    if (fn.reservedConcurrency !== undefined && !lease) {
      this.deps.onThrottle?.(fn.name, 'RequestResponse');
      throw new HubError('TH_ERR_THROTTLED', 'Rate Exceeded.');
    }
    try {
      return await this.deps.invoker.invoke(fn.name, {
        requestId: envelope.id,
        payload: JSON.stringify(envelope.data),
        traceId: options.traceId,
      });
    } finally {
      await lease?.release();
    }
  }

  /**
   * Stops taking queued work and waits for running handlers up to the deadline; after it, workers
   * close without waiting and their jobs are picked up again (stalled) by the next hub. Idempotent.
   */
  stop(deadlineMs: number): Promise<void> {
    this.stopping ??= (async () => {
      const graceful = Promise.all(this.workers.map((w) => w.close())).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs).unref());
      if (!(await Promise.race([graceful, timedOut]))) {
        this.deps.logger.warn({ event: 'drain_deadline' }, 'drain deadline passed; unfinished events will be retried after restart');
        await Promise.all(this.workers.map((w) => w.close(true)));
      }
    })();
    return this.stopping;
  }
}
