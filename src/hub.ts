import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { loadConfigFile, type FunctionConfig, type HubConfig } from './config/load.js';
import { DlqStore } from './dlq/store.js';
import { createLogger, type Logger } from './log.js';
import { RedisLogSink } from './logs/redis-sink.js';
import { checkRedis, redisClient } from './redis/connection.js';
import { coalesceWrites } from './redis/coalesce.js';
import { EmbeddedRedis } from './redis/embedded.js';
import { ready, RedisOutage, redisAnswers } from './redis/outage.js';
import { ConcurrencyGate } from './router/concurrency.js';
import { Dispatcher } from './router/dispatcher.js';
import { EventQueues } from './router/queues.js';
import { killRunningChildren } from './runtime/children.js';
import { RuntimeManager } from './runtime/manager.js';
import type { SyncInvokeOptions } from './runtime/types.js';
import { HubMetrics } from './metrics.js';
import { dictionary } from './own.js';
import { answerNotFound, createApp, hubUrl, listen, registerMetrics, registerReadiness } from './server/app.js';
import { registerInvokeApi } from './server/invoke-api.js';
import { registerFunctionUrlApi } from './server/function-url-api.js';
import { registerInvokeStreamApi } from './server/invoke-stream-api.js';
import { registerAdminDlq } from './server/admin-dlq.js';
import { registerSiteGuard } from './server/site-guard.js';
import { HotReload, type ReloadEvent } from './reload/hot-reload.js';
import { LiveFunctions } from './reload/live-functions.js';
import { RouteTable } from './reload/route-table.js';
import { SourceHealth } from './sources/health.js';
import { FunctionStats } from './stats/function-stats.js';
import { HubRegistry } from './stats/hubs.js';
import { flowNode } from './stats/series.js';
import { registerConsole } from './console/register.js';
import { StopSequence } from './stop-sequence.js';
import type { Delivery, Envelope } from './router/envelope.js';

export interface Hub {
  /** Base URL of the HTTP server (Invoke API, health). */
  url: string;
  redisUrl: string;
  config: HubConfig;
  dispatcher: Dispatcher;
  queues: EventQueues;
  dlq: DlqStore;
  redis: Redis;
  app: FastifyInstance;
  /** Stops intake, drains in-flight work under the shutdown deadline, closes everything. Idempotent. */
  stop(): Promise<void>;
  /**
   * A forced stop, synchronous (a second Ctrl-C): kills the execution environments, has the local
   * cloud's emulators write what they hold in memory (the SQS/SNS snapshot), and tells the embedded
   * redis-server to shut down (it writes its AOF). Queued events stay in Redis, messages in their
   * queues; events running now are retried after a restart. Call process.exit after it.
   */
  kill(): void;
}

export interface HubOptions {
  logger?: Logger;
  /** Hot reload (`up --watch`); default: the config's `watch`. */
  watch?: boolean;
  /** How hot reload loads the config again; default: the config file, when there is one. */
  reload?: () => HubConfig;
  /** Called after each hot reload (also logged as `reload`). */
  onReload?: (event: ReloadEvent) => void;
}

/** Where the embedded redis-server keeps its files. */
export function embeddedRedisDir(config: HubConfig): string {
  return path.join(config.dataDir, 'redis');
}

/** A config (and project) without functions starts a hub that runs nothing: said once, naming the files. */
function warnIfNoFunctions(config: HubConfig, logger: Logger): void {
  if (Object.keys(config.functions).length) return;
  const files = [config.configPath, config.project?.file].filter(Boolean);
  const where = files.length ? files.join(' and ') : 'the config';
  logger.warn({ event: 'no_functions', file: files[0] }, `${where} declares no functions: the hub starts with none (add functions: to the config, or point template: / serverless: at a project that has some)`);
}

/** Thin wiring: redis → queues/dlq → runtime → dispatcher → HTTP server. */
export async function startHub(loaded: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? createLogger();
  for (const warning of loaded.project?.warnings ?? []) logger.warn({ event: 'project_warning', file: loaded.project!.file }, warning);
  warnIfNoFunctions(loaded, logger);
  const watch = options.watch ?? loaded.watch;
  const cleanups = new StopSequence();
  try {
    // The project's resources first: the config the hub runs is bound to their endpoints. The
    // local cloud (emulators and AWS SDK clients) is loaded only for a project that may need it.
    const cloud = loaded.project && loaded.localCloud !== false
      ? await (await import('./cloud/local-cloud.js')).startLocalCloud(loaded, logger)
      : undefined;
    if (cloud) cleanups.push(() => cloud.stop());
    // Hot reload adds and removes functions in this copy's `functions`; everything reads it.
    const bound = cloud?.config ?? loaded;
    const config: HubConfig = { ...bound, functions: Object.assign(dictionary<FunctionConfig>(), bound.functions) };
    let redisUrl = config.redis;
    let embedded: EmbeddedRedis | undefined;
    if (redisUrl) {
      await checkRedis(redisUrl, logger);
    } else {
      embedded = new EmbeddedRedis({ dir: embeddedRedisDir(config), appendfsync: config.embeddedRedis.appendfsync, logger, supervise: true });
      const server = embedded;
      redisUrl = await server.start();
      cleanups.push(() => server.stop());
      await checkRedis(redisUrl, logger);
    }
    const redis = redisClient(redisUrl);
    coalesceWrites(redis);
    const outage = new RedisOutage(logger);
    outage.watch(redis, 'main');
    cleanups.push(() => redis.quit());
    // Its own connection: a batch of log writes must not queue ahead of BullMQ's commands.
    const logRedis = redis.duplicate();
    outage.watch(logRedis, 'logs');
    cleanups.push(() => logRedis.quit());
    const logSink = new RedisLogSink({
      redis: logRedis, prefix: config.queuePrefix, logger,
      maxEntries: config.logs.maxEntriesPerFunction, retentionSeconds: config.logs.retentionSeconds,
    });
    cleanups.push(() => logSink.close());
    const runtime = new RuntimeManager(Object.values(config.functions), {
      region: config.region,
      accountId: config.accountId,
      maxEnvironments: config.runtime.maxEnvironments,
      idleTimeoutMs: config.runtime.idleTimeoutSeconds * 1000,
      scaleUpDelayMs: config.runtime.scaleUpDelayMs,
      cpuBoundEnvironments: config.runtime.cpuBoundEnvironments,
      isolation: config.runtime.isolation,
      logSink,
      buildDir: path.join(config.dataDir, 'build'),
    }, logger);
    // Running invocations get what is left of the shutdown deadline; children still running then
    // are killed when the hub process exits.
    cleanups.push(() => Promise.race([runtime.close(), delay(cleanups.untilDeadline(), undefined, { ref: false })]));
    const stats = new FunctionStats(redis, config.queuePrefix, logger);
    cleanups.push(() => stats.close());
    // The console's live flow: every queued event, sync invocation, DLQ record and delivered destination record is an edge.
    // Async events go in through a connection without an offline queue: during an outage a write
    // fails at once (the caller answers 503) instead of waiting in ioredis to be sent later, after
    // the caller was told it failed. Every function's queue is opened now, for the same reason.
    const producer = redisClient(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    coalesceWrites(producer);
    outage.watch(producer, 'queue');
    cleanups.push(() => producer.quit());
    await ready(producer);
    const queues = new EventQueues(producer, config.queuePrefix, config.functions, (envelope, delivery) =>
      stats.edge(flowNode.origin(envelope, delivery), flowNode.fn(delivery.function)));
    cleanups.push(() => queues.close());
    for (const name of Object.keys(config.functions)) queues.queue(name);
    const dlq = new DlqStore(redis, config.queuePrefix, (record) => stats.edge(flowNode.fn(record.function), flowNode.dlq));
    const metrics = new HubMetrics(() => Object.keys(config.functions), queues, dlq, stats);
    const health = new SourceHealth(redis, config.queuePrefix, logger, (record) => metrics.sourceReported(record));
    cleanups.push(() => health.close());
    const dispatcher = new Dispatcher({
      config, connection: redis, queues, dlq, logger,
      gate: new ConcurrencyGate(redis, config.queuePrefix),
      invoker: metrics.instrument({ invoke: (fn, request) => runtime.pool(fn, request.qualifier).invoke(request), capacity: (fn) => runtime.capacity(fn), short: (fn) => runtime.short(fn) }),
      observer: {
        throttled: (fn, type) => metrics.throttled(fn, type),
        destinationTried: (outcome, kind, fn) => {
          metrics.destinationTried(fn, kind, outcome);
          if (outcome === 'delivered') stats.edge(flowNode.fn(fn), flowNode.destination(fn, kind));
        },
        invokedSync: (envelope, fn) => stats.edge(flowNode.source(envelope.source), flowNode.fn(fn)),
      },
    });
    dispatcher.start();
    const deadlineMs = config.shutdownTimeoutSeconds * 1000;
    cleanups.push(() => dispatcher.stop(cleanups.untilDeadline()));
    // Runs just before it (cleanups run in reverse), once push intake and pollers have stopped:
    // events a worker fetched ahead and that wait for an environment go back to their queue
    // instead of holding the stop until they ran.
    cleanups.push(async () => runtime.quiesce());
    // Healthy once async intake can write again too: the producer (no offline queue) reconnects on
    // its own schedule after an outage, and until it is ready an async event gets 503.
    const redisHealthy = async () => producer.status === 'ready' && redisAnswers(redis);
    const app = createApp(logger, redisHealthy, config.server.requestTimeoutMs);
    registerSiteGuard(app, config.server.host);
    registerInvokeApi(app, config, dispatcher);
    registerFunctionUrlApi(app, config);
    registerInvokeStreamApi(app, config, dispatcher);
    registerAdminDlq(app, config, { dlq, queues, destinations: { redrive: (record) => dispatcher.redriveDestination(record) } });
    registerMetrics(app, metrics);
    registerConsole(app, { config, redis, queues, dlq, destinations: { redrive: (record) => dispatcher.redriveDestination(record) } });
    let sourcesStarted = false;
    registerReadiness(app, async () => sourcesStarted && redisHealthy());
    const sourceContext = {
      config, app, redis, logger,
      enqueue: (envelope: Envelope, delivery: Delivery) => dispatcher.enqueue(envelope, delivery),
      invokeSync: (fn: FunctionConfig, envelope: Envelope, options?: SyncInvokeOptions) => dispatcher.invokeSync(fn, envelope, options),
      sendToDestination: dispatcher.sendToDestination.bind(dispatcher),
    };
    // Fastify takes no routes once listening: with hot reload, push routes live in a RouteTable.
    const routes = watch ? new RouteTable() : undefined;
    app.setNotFoundHandler(routes ? (request, reply) => routes.dispatch(request, reply) : answerNotFound);
    const functions = new LiveFunctions({ config, runtime, dispatcher, context: sourceContext, health, routes });
    cleanups.push(() => functions.stop());
    await functions.start();
    await listen(app, config.server);
    // Pushed now, so that a start that fails from here on (the local cloud refusing a subscription)
    // closes the server too: stopping runs in reverse, the HTTP server (push intake) closing before
    // the pollers stop and the drain.
    cleanups.push(() => app.close());
    if (cloud) {
      cleanups.push(() => cloud.disconnect());
      await cloud.connect({
        post: async (url, payload, token) => (await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } })).statusCode,
        enqueue: (envelope, delivery) => dispatcher.enqueue(envelope, delivery),
        onNotification: (target, outcome) => metrics.cloudNotification(target, outcome),
      });
    }
    sourcesStarted = true;
    if (watch) {
      const read = options.reload ?? (config.configPath ? () => loadConfigFile(config.configPath) : undefined);
      // A reloaded project is bound to the running local cloud, which first creates what it adds.
      const load = read && (async () => {
        const next = read();
        return cloud ? cloud.rebind(next) : next;
      });
      const reload = new HotReload({ config, functions, runtime, load, logger, onReload: options.onReload, queueDepth: (fn) => queues.depth(fn) });
      await reload.start();
      cleanups.push(() => reload.close());
    }
    const url = hubUrl(app, config.server);
    const registry = new HubRegistry({ redis, prefix: config.queuePrefix, id: health.hub, url, functions: () => Object.keys(config.functions), inFlight: () => stats.inFlight(), logger });
    cleanups.push(() => registry.close());
    logger.info({ event: 'hub_started', url, functions: Object.keys(config.functions) }, `triggerhub listening on ${url}`);
    let stopping: Promise<void> | undefined;
    return {
      url, redisUrl, config, dispatcher, queues, dlq, redis, app,
      stop: () => {
        if (!stopping) {
          stopping = cleanups.run(deadlineMs).then(() => logger.info({ event: 'hub_stopped' }, 'triggerhub stopped'));
        }
        return stopping;
      },
      kill: () => {
        killRunningChildren();
        cloud?.kill();
        embedded?.terminate();
      },
    };
  } catch (err) {
    await cleanups.run();
    throw err;
  }
}
