import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Redis } from 'ioredis';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import type { DestinationPayload } from '../destinations/outbox.js';
import type { DestinationSpec, FunctionHome } from '../destinations/targets.js';
import type { SendOptions } from '../router/destinations.js';
import type { Delivery, Envelope } from '../router/envelope.js';
import type { InvokeResult, SyncInvokeOptions } from '../runtime/types.js';
import type { SourceHealthPatch } from './health.js';

/** What a source may use. Sources never touch BullMQ or the runtime directly. */
export interface SourceContext {
  config: HubConfig;
  /** Queues an async event; resolves once Redis holds it (then acknowledge upstream). */
  enqueue(envelope: Envelope, delivery: Delivery): Promise<void>;
  /** Runs a synchronous invocation (pollers, function URLs) under the function's concurrency limit. */
  invokeSync(fn: FunctionConfig, envelope: Envelope, options?: SyncInvokeOptions): Promise<InvokeResult>;
  /** Sends an on-failure record to its destination (any kind); resolves once Redis holds it. Set by the hub. */
  sendToDestination?(target: DestinationSpec, record: DestinationPayload, options: SendOptions): Promise<void>;
  /** The hub's HTTP server, before it listens: push adapters register their routes here. */
  app: FastifyInstance;
  /** The hub's Redis, for leases and checkpoints (keys under `${config.queuePrefix}:`). */
  redis: Redis;
  logger: Logger;
  /** Health of a source (state, lag, last error) for `triggerhub status` and /metrics. */
  report?(sourceId: string, patch: SourceHealthPatch): void;
}

/** One event source mapping of one function (`functions.<fn>.events[i]`). */
export interface Source {
  /** Stable id, e.g. `sqs:resize:0` (kind, function, index in `events`). */
  readonly id: string;
  start(context: SourceContext): Promise<void>;
  /** Stops intake and waits for in-flight work. Idempotent. */
  stop(): Promise<void>;
}

/** A problem a kind finds in its settings against the rest of the config; `path` is under the settings. */
export interface SettingsProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * A source kind (`events: - <name>: {...}`): its settings schema and cross-checks, both run when
 * the config is loaded, and how to build one mapping from valid settings.
 */
export interface SourceKind<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly settings: Schema;
  /** Checks against the rest of the config (e.g. that an on-failure target names a function); none when absent. */
  readonly check?: (settings: z.output<Schema>, functions: ReadonlySet<string>, home?: FunctionHome) => SettingsProblem[];
  create(fn: FunctionConfig, settings: z.output<Schema>, index: number): Source;
}

/** Declares a kind with its settings' types inferred from the schema. */
export const defineSourceKind = <Schema extends z.ZodType>(kind: SourceKind<Schema>): SourceKind<Schema> => kind;

/**
 * Pollers leave a function whose reserved concurrency is 0 alone (Lambda throttles the mapping):
 * this logs and reports it; true when the caller must not start polling.
 */
export function throttledPoller(context: SourceContext, fn: FunctionConfig, sourceId: string, log: Logger, what: string): boolean {
  if (fn.reservedConcurrency !== 0) return false;
  log.warn({ event: 'poller_throttled', function: fn.name }, `reserved concurrency is 0: ${what} is not polled`);
  context.report?.(sourceId, { state: 'throttled' });
  return true;
}
