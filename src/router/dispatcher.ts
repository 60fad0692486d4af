import { Worker, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import type { DlqRecord, DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InvokeResult, SyncInvokeOptions } from '../runtime/types.js';
import { BULLMQ_OPTIONS } from '../redis/connection.js';
import { withinRedisTimeout, workerErrorHandler } from '../redis/outage.js';
import { BackoffWorker } from '../redis/backoff-worker.js';
import { createProcessor, type Invoker } from './async-worker.js';
import type { ConcurrencyGate } from './concurrency.js';
import { DestinationSender, type SendOptions } from './destinations.js';
import { deadLetterFailedJob } from './failed-jobs.js';
import { FollowUpLog } from './follow-up.js';
import { DestinationOutbox, type DeliveryOutcome, type DestinationPayload } from '../destinations/outbox.js';
import type { DestinationKind, DestinationSpec } from '../destinations/targets.js';
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
  observer: DispatchObserver;
}

/** What the dispatcher tells the hub as it works: metrics and the console's flow edges. */
export interface DispatchObserver {
  /** Reserved concurrency refused (sync) or delayed (async) an invocation. */
  throttled(fn: string, invocationType: 'RequestResponse' | 'Event'): void;
  /** One try of a record to an SQS, SNS, HTTP or Redis-stream destination. */
  destinationTried(outcome: DeliveryOutcome, kind: DestinationKind, fn: string): void;
  /** A synchronous invocation was let through. */
  invokedSync(envelope: Envelope, fn: string): void;
}

/**
 * Jobs a worker holds at least for short invocations. Async events of a no-op handler, two
 * environments, drained 3,000/s with 4 jobs held and 3,500-3,800 with 10-16 (end to end with
 * intake 1.15 x; its environments were idle most of the time, waiting for the next job). Since
 * the next invocation waits inside a busy environment (FunctionPool), they drain faster the more
 * are at hand: 3,730-3,830/s with 10 and 4,440-4,850 with 30 (60: no more).
 */
export const SHORT_FETCH_AHEAD = 30;

/**
 * Jobs a function's worker holds at once: twice the invocations its environments run at once
 * (`environments`: maxEnvironments, or fewer for a handler that computes, see FunctionPool.capacity), so an environment that frees up
 * finds its next event already fetched instead of waiting for a Redis round trip (the async
 * pipeline is latency-bound more than CPU-bound: see README, Performance); for `short`
 * invocations (under 10 ms on average), where that round trip is as long as the invocation, at
 * least SHORT_FETCH_AHEAD (a slow handler's events are not held back from other hubs). With reserved
 * concurrency, exactly the reservation: a job fetched beyond it could only be throttled (its
 * lease is taken when it runs); one for a function throttled to zero, whose worker only parks its
 * events until their maximum age. Fetched jobs waiting for an environment go back to the queue when
 * the hub stops (RuntimeManager.quiesce).
 */
export function workerConcurrency(fn: Pick<FunctionConfig, 'reservedConcurrency'>, environments: number, short = false): number {
  return Math.max(1, fn.reservedConcurrency ?? (short ? Math.max(SHORT_FETCH_AHEAD, 2 * environments) : 2 * environments));
}

/** How often each worker's concurrency follows its function's capacity. */
const CONCURRENCY_TUNING_MS = 1000;

/** An observer that notes nothing (tests, library use). */
export const UNOBSERVED: DispatchObserver = {
  throttled: () => undefined,
  destinationTried: () => undefined,
  invokedSync: () => undefined,
};

/**
 * Runs handlers for queued (async) events with one BullMQ worker per function, and synchronous
 * invocations directly under the same reserved-concurrency limit.
 */
export class Dispatcher {
  private readonly workers = new Map<string, { worker: Worker<QueuedEvent>; fn: FunctionConfig }>();
  private tuning?: NodeJS.Timeout;
  /** Workers of removed or reconfigured functions (hot reload), finishing their running jobs. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly destinations: DestinationSender;
  private readonly outbox: DestinationOutbox;
  private stopping?: Promise<void>;
  /** Aborted when stop() stops waiting for running jobs: their follow-up retries end. */
  private readonly stopped = new AbortController();

  constructor(private readonly deps: DispatcherDeps) {
    const { config, connection, dlq, logger } = deps;
    this.outbox = new DestinationOutbox({
      connection, prefix: config.queuePrefix, dlq, logger, settings: config.destinationDelivery,
      onOutcome: (outcome, kind, fn) => deps.observer.destinationTried(outcome, kind, fn),
    });
    this.destinations = new DestinationSender(deps.queues, this.outbox, config.region, config.accountId);
  }

  start(): void {
    this.outbox.start(this.deps.config.runtime.maxEnvironments, this.deps.config.lockDurationSeconds * 1000);
    for (const fn of Object.values(this.deps.config.functions)) this.startFunction(fn);
    this.tuning = setInterval(() => this.tuneConcurrency(), CONCURRENCY_TUNING_MS).unref();
  }

  /** Each worker fetches ahead for as many environments as its function runs at once now. */
  private tuneConcurrency(): void {
    const { invoker, config } = this.deps;
    for (const { worker, fn } of this.workers.values()) {
      const concurrency = workerConcurrency(fn, invoker.capacity?.(fn.name) ?? config.runtime.maxEnvironments, invoker.short?.(fn.name));
      if (worker.concurrency !== concurrency) worker.concurrency = concurrency;
    }
  }

  /**
   * Starts taking the function's queued events (at start, and when hot reload adds or changes it); a
   * function throttled to zero gets a worker too, which holds its events until their maximum age.
   */
  startFunction(fn: FunctionConfig): void {
    this.workers.set(fn.name, { worker: this.startWorker(fn), fn });
  }

  /** How many of the function's queued events its worker holds at once now (see tuneConcurrency). */
  concurrencyOf(name: string): number | undefined {
    return this.workers.get(name)?.worker.concurrency;
  }

  /**
   * Hot reload: stops taking the function's queued events; its running jobs finish in the
   * background (stop() still waits for them). Events stay queued for the next startFunction.
   */
  stopFunction(name: string): void {
    const worker = this.workers.get(name)?.worker;
    if (!worker) return;
    this.workers.delete(name);
    const closed = worker.close().finally(() => this.retiring.delete(closed));
    this.retiring.add(closed);
  }

  private startWorker(fn: FunctionConfig): Worker<QueuedEvent> {
    const { config, connection, logger } = this.deps;
    const log = logger.child({ component: 'dispatcher', function: fn.name });
    const worker = new BackoffWorker<QueuedEvent>(queueName(fn.name), createProcessor({
      fn, invoker: this.deps.invoker, gate: this.deps.gate, dlq: this.deps.dlq, destinations: this.destinations, logger: log,
      onThrottle: () => this.deps.observer.throttled(fn.name, 'Event'),
      followUps: new FollowUpLog(log), stopped: this.stopped.signal,
    }), {
      ...BULLMQ_OPTIONS,
      connection,
      prefix: config.queuePrefix,
      concurrency: workerConcurrency(fn, config.runtime.maxEnvironments),
      lockDuration: config.lockDurationSeconds * 1000,
      stalledInterval: Math.max(1000, (config.lockDurationSeconds * 1000) / 2),
      maxStalledCount: 3,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string, _err?: Error, job?: MinimalJob) =>
          type === BACKOFF_TYPE && job ? retryDelayMs(fn, attemptsMade, (job.data as QueuedEvent).envelope.id) : 0,
      },
    }, log);
    worker.on('error', workerErrorHandler(log, 'worker_error'));
    worker.on('failed', (job, err) => {
      if (job) void deadLetterFailedJob(fn, job, err, log, this.deps.dlq, this.destinations);
    });
    return worker;
  }

  /** Sends a record to a destination (stream mappings' on-failure records); resolves once Redis holds it. */
  sendToDestination(target: DestinationSpec, record: DestinationPayload, options: SendOptions): Promise<void> {
    return this.destinations.send(target, record, options);
  }

  /** Sends a parked destination record (DLQ reason DestinationFailed) to its target again. */
  redriveDestination(parked: DlqRecord): Promise<void> {
    return this.outbox.redrive(parked);
  }

  /** Queues an async event; resolves once Redis holds it. */
  enqueue(envelope: Envelope, delivery: Delivery): Promise<void> {
    return this.#redisBound(`event ${envelope.id} was not queued`, () => this.deps.queues.enqueue(envelope, delivery));
  }

  /** A Redis operation a caller waits on, bounded by server.durableWriteTimeoutMs (see withinRedisTimeout). */
  #redisBound<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return withinRedisTimeout(this.deps.connection, this.deps.config.server.durableWriteTimeoutMs, what, operation);
  }

  /**
   * Runs a synchronous invocation now (of the version or alias `qualifier` names, if given), or
   * throws TH_ERR_THROTTLED when reserved concurrency is used up. A streaming handler's bytes go
   * to `stream` as they are written.
   */
  async invokeSync(fn: FunctionConfig, envelope: Envelope, { qualifier, stream, clientContext, payload }: SyncInvokeOptions = {}): Promise<InvokeResult> {
    if (this.stopping) throw new HubError('TH_ERR_HUB_STOPPING', 'the hub is shutting down');
    const lease = fn.reservedConcurrency === undefined
      ? undefined
      : await this.#redisBound(`no concurrency lease for ${fn.name}`, () => this.deps.gate.tryAcquire(fn.name, fn.reservedConcurrency!, envelope.id, fn.timeout));
    if (fn.reservedConcurrency !== undefined && !lease) {
      this.deps.observer.throttled(fn.name, 'RequestResponse');
      throw new HubError('TH_ERR_THROTTLED', 'Rate Exceeded.');
    }
    this.deps.observer.invokedSync(envelope, fn.name);
    try {
      return await this.deps.invoker.invoke(fn.name, {
        requestId: envelope.id,
        ...(payload === undefined ? { event: envelope.data } : { payload }),
        traceId: envelope.traceparent,
        qualifier,
        stream,
        clientContext,
      });
    } finally {
      // Without Redis the lease is not released but expires (function timeout + grace).
      await lease?.release().catch(() => undefined);
    }
  }

  /**
   * Stops taking queued work and waits for running handlers up to the deadline; after it, workers
   * close without waiting and their jobs are picked up again (stalled) by the next hub. Idempotent.
   */
  stop(deadlineMs: number): Promise<void> {
    this.stopping ??= (async () => {
      // Handlers finish first (they may add destination records), then the outbox drains.
      clearInterval(this.tuning);
      const workers = [...this.workers.values()].map(({ worker }) => worker);
      const graceful = Promise.all([...workers.map((w) => w.close()), ...this.retiring]).then(() => this.outbox.stop()).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs).unref());
      if (!(await Promise.race([graceful, timedOut]))) {
        this.deps.logger.warn({ event: 'drain_deadline' }, 'drain deadline passed; unfinished events will be retried after restart');
        this.stopped.abort();
        await Promise.all(workers.map((w) => w.close(true)));
        await this.outbox.stop(true);
      }
    })();
    return this.stopping;
  }
}
