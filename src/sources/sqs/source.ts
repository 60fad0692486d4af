import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { FunctionConfig } from '../../config/load.js';
import type { Logger } from '../../log.js';
import { compileFilterCriteria, type RecordFilter } from '../../filters/criteria.js';
import { SYNC_PAYLOAD_LIMIT } from '../kit/limits.js';
import { defineSourceKind, throttledPoller, type Source, type SourceContext } from '../source.js';
import { changeVisibility } from './acks.js';
import { runBatch, type BatchDeps } from './batch.js';
import { ageOfOldestMs, BatchCollector } from './collector.js';
import { createSqsClient, resolveQueue, type QueueInfo } from './queue.js';
import { sqsSettingsSchema, type SqsSettings } from './settings.js';
import { reportsItemFailures } from '../kit/settings.js';
import { VisibilityKeeper } from './visibility.js';
import { pollLoop } from '../kit/poll-loop.js';

/** Concurrent batches per mapping without `maximumConcurrency` (Lambda starts with five pollers). */
const DEFAULT_MAXIMUM_CONCURRENCY = 5;

interface Connection {
  queue: QueueInfo;
  keeper: VisibilityKeeper;
  collector: BatchCollector;
  deps: BatchDeps;
}

/**
 * An SQS event source mapping: one receive loop gathers batches and hands each to the function
 * (synchronously, as Lambda's poller does) while at most `maximumConcurrency` batches are in
 * flight. Poll errors (endpoint down, queue missing, access denied) back off and are retried;
 * nothing here throws into the hub.
 */
export class SqsSource implements Source {
  readonly id: string;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** FIFO: message groups with records a finished batch left in the queue (see holdBackFailedGroups). */
  private readonly failedGroups = new Set<string>();
  private running?: Promise<void>;
  private stopping?: Promise<void>;
  private readonly filter: RecordFilter;
  private log?: Logger;

  constructor(private readonly fn: FunctionConfig, private readonly settings: SqsSettings, index: number) {
    this.id = `sqs:${fn.name}:${index}`;
    this.filter = compileFilterCriteria(settings.filterCriteria, 'body');
  }

  async start(context: SourceContext): Promise<void> {
    const log = context.logger.child({ source: this.id });
    this.log = log;
    if (throttledPoller(context, this.fn, this.id, log, `queue ${this.settings.queue}`)) return;
    const concurrency = this.settings.maximumConcurrency
      ?? Math.min(DEFAULT_MAXIMUM_CONCURRENCY, this.fn.reservedConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY);
    this.running = this.run(context, concurrency, log)
      .catch((err: unknown) => log.error({ event: 'sqs_source_failed', err }, 'sqs poller failed'));
  }

  /** Stops receiving (aborting a long poll), waits for in-flight batches and acknowledges them. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      await this.running;
      this.log?.info({ event: 'sqs_source_stopped' }, 'sqs poller stopped');
    })();
    return this.stopping;
  }

  private async run(context: SourceContext, concurrency: number, log: Logger): Promise<void> {
    const { signal } = this.abort;
    let client: SQSClient | undefined;
    let connection: Connection | undefined;
    await pollLoop({
      signal, log, errorEvent: 'sqs_poll_error', failure: `cannot poll ${this.settings.queue}`,
      onHealth: (err) => { if (err) context.report?.(this.id, { state: 'failing', lastError: `${err.name}: ${err.message}` }); },
    }, async () => {
      client ??= await createSqsClient(this.settings, context.config.region, log);
      connection ??= await this.connect(client, context, log);
      while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
      if (connection.queue.fifo) {
        // Failures of batches finished before this receive do not concern its records (SQS held their groups back).
        if (connection.collector.carrying) await this.holdBackFailedGroups(connection);
        else this.failedGroups.clear();
      }
      const records = await connection.collector.collect(signal);
      if (signal.aborted) await release(connection, records);
      else this.dispatch(records, connection.deps);
    });
    await Promise.all(this.inFlight);
    if (connection) {
      await release(connection, connection.collector.takeCarried());
      connection.keeper.stop();
    }
    client?.destroy();
  }

  private async connect(client: SQSClient, context: SourceContext, log: Logger): Promise<Connection> {
    const queue = await resolveQueue(client, this.settings.queue, this.abort.signal);
    const keeper = new VisibilityKeeper(client, queue.url, queue.visibilityTimeoutSeconds, log);
    const collector = new BatchCollector({
      client, queue, keeper,
      batchSize: this.settings.batchSize,
      windowSeconds: this.settings.maximumBatchingWindowInSeconds,
      maxBytes: SYNC_PAYLOAD_LIMIT,
      // Lag as SQS's ApproximateAgeOfOldestMessage, seen from here: the oldest message received (0 when none).
      onReceive: (records) => context.report?.(this.id, { state: 'running', lagMs: ageOfOldestMs(records) }),
    });
    log.info({ event: 'sqs_source_started', queue: queue.url, queueArn: queue.arn, fifo: queue.fifo }, `polling ${queue.url}`);
    if (queue.visibilityTimeoutSeconds < this.fn.timeout) {
      log.warn({ event: 'sqs_visibility_timeout_short', visibilityTimeout: queue.visibilityTimeoutSeconds, functionTimeout: this.fn.timeout },
        `the queue's visibility timeout (${queue.visibilityTimeoutSeconds} s) is shorter than the function timeout (${this.fn.timeout} s): `
        + 'the hub keeps its messages invisible while they run, but Lambda refuses such a mapping (AWS advises 6 times the function timeout)');
    }
    return {
      queue, keeper, collector,
      deps: {
        fn: this.fn, context, client, queue, keeper, log, filter: this.filter,
        reportItemFailures: reportsItemFailures(this.settings),
        signal: this.abort.signal,
      },
    };
  }

  private dispatch(records: SQSRecord[], deps: BatchDeps): void {
    const batch: Promise<void> = runBatch(records, deps)
      .then((left) => { if (deps.queue.fifo) for (const record of left) this.failedGroups.add(record.attributes.MessageGroupId ?? ''); })
      .finally(() => this.inFlight.delete(batch));
    this.inFlight.add(batch);
  }

  /**
   * FIFO: records carried over from a receive (they did not fit in its batch's 6 MB) come after
   * that batch in their message groups. They wait until the batches in flight are done, and those
   * of a group that failed there are not run: they stay in flight until their visibility timeout
   * and come back after the failed ones, in order (as SQS holds a group back).
   */
  private async holdBackFailedGroups(connection: Connection): Promise<void> {
    await Promise.all(this.inFlight);
    const held = connection.collector.takeGroups(this.failedGroups);
    this.failedGroups.clear();
    if (!held.length) return;
    connection.keeper.drop(held);
    connection.deps.log.info({ event: 'sqs_fifo_records_held', count: held.length }, 'records of a message group that failed wait for their turn in the queue');
  }
}

/** Returns records the mapping received but will not invoke to the queue at once (on stop). */
async function release({ deps, keeper }: Connection, records: SQSRecord[]): Promise<void> {
  if (!records.length) return;
  keeper.drop(records);
  await changeVisibility(deps.client, deps.queue.url, records, 0);
}

export const sqsKind = defineSourceKind({
  name: 'sqs',
  settings: sqsSettingsSchema,
  create: (fn, settings, index) => new SqsSource(fn, settings, index),
});
