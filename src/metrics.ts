import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DlqStore } from './dlq/store.js';
import type { Invoker } from './router/async-worker.js';
import type { EventQueues } from './router/queues.js';
import type { SourceHealthRecord } from './sources/health.js';
import { ZERO_COUNTS, type MappingCounts } from './sources/kit/journal.js';

/** Sources whose lag is an iterator age (Lambda's IteratorAge). */
const STREAM_KINDS = new Set(['kinesis', 'dynamodb', 'stream']);
const COUNT_LABELS: Array<[keyof MappingCounts, string]> = [
  ['polled', 'polled'], ['filteredOut', 'filtered_out'], ['invoked', 'invoked'], ['failed', 'failed'], ['dropped', 'dropped'],
];
import type { FunctionStats } from './stats/function-stats.js';

/**
 * The hub's Prometheus metrics (served at /metrics): invocations, errors, throttles, duration,
 * concurrent executions per function, and queue and DLQ depth read from Redis at scrape time.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly invocations = new Counter({
    name: 'triggerhub_invocations_total', help: 'Invocations by function and outcome (success, error, timeout, out_of_memory, exited)',
    labelNames: ['function', 'status'], registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'triggerhub_errors_total', help: 'Failed invocations by function and error type',
    labelNames: ['function', 'error_type'], registers: [this.registry],
  });
  private readonly throttles = new Counter({
    name: 'triggerhub_throttles_total', help: 'Invocations refused or delayed by reserved concurrency',
    labelNames: ['function', 'invocation_type'], registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'triggerhub_duration_seconds', help: 'Handler duration (as in the REPORT line)',
    labelNames: ['function'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  private readonly destinationTries = new Counter({
    name: 'triggerhub_destination_deliveries_total',
    help: 'Tries to deliver a destination record to SQS, SNS, HTTP or a Redis stream, by outcome (delivered, retrying, parked in the DLQ)',
    labelNames: ['function', 'kind', 'outcome'], registers: [this.registry],
  });
  private readonly cloudNotifications = new Counter({
    name: 'triggerhub_cloud_notifications_total',
    help: "The local cloud's bucket notifications by target kind (webhook, sqs, sns) and outcome (delivered, retried, failed)",
    labelNames: ['target', 'outcome'], registers: [this.registry],
  });
  private readonly sourceLag = new Gauge({
    name: 'triggerhub_source_lag_seconds',
    help: 'Poller lag: age of the oldest message of the last SQS batch (ApproximateAgeOfOldestMessage), or the iterator age of a Kinesis / Redis Streams source',
    labelNames: ['function', 'source'], registers: [this.registry],
  });
  private readonly iteratorAge = new Gauge({
    name: 'triggerhub_iterator_age_milliseconds', help: "Kinesis, DynamoDB Streams and Redis Streams sources: age of the last record of the last batch when it was read (Lambda's IteratorAge)",
    labelNames: ['function', 'source'], registers: [this.registry],
  });
  private readonly mappingRecords = new Counter({
    name: 'triggerhub_mapping_records_total',
    help: "Kinesis and DynamoDB Streams mappings: records polled, filtered_out, invoked, failed (in failed invocations) and dropped (given up), as Lambda's PolledEventCount, FilteredOutEventCount, InvokedEventCount, FailedInvokeEventCount and DroppedEventCount",
    labelNames: ['function', 'source', 'outcome'], registers: [this.registry],
  });
  /** The counts of each source last seen, to turn its running totals into counter increments. */
  private readonly lastCounts = new Map<string, MappingCounts>();
  private readonly sourceLastEvent = new Gauge({
    name: 'triggerhub_source_last_event_timestamp_seconds', help: 'When the source last queued or invoked an event (Unix time)',
    labelNames: ['function', 'source'], registers: [this.registry],
  });
  private readonly sourceUp = new Gauge({
    name: 'triggerhub_source_up', help: '1 while the source runs, 0 while it is starting, throttled, failing or stopped',
    labelNames: ['function', 'source'], registers: [this.registry],
  });

  /** `functions` names the configured functions now (hot reload changes them). */
  constructor(functions: () => string[], queues: EventQueues, dlq: DlqStore, private readonly stats: FunctionStats) {
    collectDefaultMetrics({ register: this.registry, prefix: 'triggerhub_' });
    // Read at scrape time from the stats' own count (no labelled update per invocation).
    new Gauge({
      name: 'triggerhub_concurrent_executions', help: 'Invocations running in this hub now',
      labelNames: ['function'], registers: [this.registry],
      collect() {
        const running = stats.runningByFunction();
        for (const fn of new Set([...functions(), ...running.keys()])) this.set({ function: fn }, running.get(fn) ?? 0);
      },
    });
    new Gauge({
      name: 'triggerhub_queue_depth', help: 'Async events waiting, delayed or running, per function',
      labelNames: ['function'], registers: [this.registry],
      async collect() {
        const names = functions();
        const depths = await Promise.all(names.map((fn) => queues.depth(fn)));
        names.forEach((fn, i) => this.set({ function: fn }, depths[i]));
      },
    });
    new Gauge({
      name: 'triggerhub_dlq_records', help: 'Dead-letter records (all functions)', registers: [this.registry],
      async collect() { this.set(await dlq.count()); },
    });
  }

  /** Wraps the runtime so every invocation, sync or async, is counted and timed. */
  instrument(invoker: Invoker): Invoker {
    return {
      capacity: invoker.capacity && ((fn) => invoker.capacity!(fn)),
      short: invoker.short && ((fn) => invoker.short!(fn)),
      invoke: async (fn, request) => {
        this.stats.started(fn);
        try {
          const result = await invoker.invoke(fn, request);
          this.stats.record(fn, result, request);
          this.invocations.inc({ function: fn, status: result.status });
          this.duration.observe({ function: fn }, result.durationMs / 1000);
          if (result.error) this.errors.inc({ function: fn, error_type: result.error.errorType });
          return result;
        } finally {
          this.stats.ended(fn);
        }
      },
    };
  }

  throttled(fn: string, invocationType: 'RequestResponse' | 'Event'): void {
    this.throttles.inc({ function: fn, invocation_type: invocationType });
    this.stats.throttled(fn);
  }

  /** One try of the destination outbox (Dispatcher's onDestination). */
  destinationTried(fn: string, kind: string, outcome: 'delivered' | 'retrying' | 'parked'): void {
    this.destinationTries.inc({ function: fn, kind, outcome });
  }

  cloudNotification(target: string, outcome: 'delivered' | 'retried' | 'failed'): void {
    this.cloudNotifications.inc({ target, outcome });
  }

  /** Source health reports (from SourceHealth) as gauges. */
  sourceReported(record: SourceHealthRecord): void {
    const labels = { function: record.function, source: record.source };
    this.sourceUp.set(labels, record.state === 'running' ? 1 : 0);
    if (record.lastEventAt) this.sourceLastEvent.set(labels, Date.parse(record.lastEventAt) / 1000);
    if (record.counts) this.countMapping(labels, record.counts);
    if (record.lagMs === null) return;
    this.sourceLag.set(labels, record.lagMs / 1000);
    if (STREAM_KINDS.has(record.kind)) this.iteratorAge.set(labels, record.lagMs);
  }

  private countMapping(labels: { function: string; source: string }, counts: MappingCounts): void {
    const last = this.lastCounts.get(labels.source) ?? ZERO_COUNTS;
    this.lastCounts.set(labels.source, counts);
    for (const [key, outcome] of COUNT_LABELS) {
      const delta = counts[key] - last[key];
      if (delta > 0) this.mappingRecords.inc({ ...labels, outcome }, delta);
    }
  }
}
