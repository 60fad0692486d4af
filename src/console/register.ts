import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { HubConfig } from '../config/load.js';
import { formatIssues, unknownFieldError } from '../config/issues.js';
import { DLQ_REASONS } from '../dlq/filter.js';
import { checkRedriveTarget, redriveOne, type ParkedRecordRedriver } from '../dlq/redrive.js';
import type { DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';
import { parseJson } from '../json.js';
import { isConnectionError } from '../redis/outage.js';
import { toPlainApiError } from '../server/framework-errors.js';
import { methodCheck } from '../server/route-methods.js';
import { ASYNC_PAYLOAD_LIMIT } from '../sources/kit/limits.js';
import { authorizer } from '../server/admin-dlq.js';
import type { EventQueues } from '../router/queues.js';
import { registerAssets } from './assets.js';
import { readDlqList } from './dlq-list.js';
import { functionOf, readFunctionPage } from './function-page.js';
import { registerLogRoutes } from './log-routes.js';
import { readOverview } from './overview.js';
import { readSourcesPage } from './sources-page.js';
import { openSse, type SseStream } from './sse.js';

export interface ConsoleDeps {
  config: HubConfig;
  redis: Redis;
  queues: EventQueues;
  dlq: DlqStore;
  destinations: ParkedRecordRedriver;
}

/**
 * A failed console read as the caller should see it: a lost Redis connection is 503
 * TH_ERR_REDIS_UNAVAILABLE (retry later; the outage itself is logged once, as `redis_down`), not an
 * internal error with ioredis' words.
 */
function consoleError(err: unknown): HubError {
  if (err instanceof HubError || !isConnectionError(err)) return toPlainApiError(err);
  return new HubError('TH_ERR_REDIS_UNAVAILABLE', `Redis is unavailable (${(err as Error).message}); retry later`, { cause: err });
}

/** How often the overview stream sends a fresh overview. */
const OVERVIEW_EVERY_MS = 2000;

/**
 * Sends `read()` as an `overview` event to every stream in `open` every OVERVIEW_EVERY_MS, while
 * there is one; `wake()` starts it (a new stream gets the next reading at once).
 */
function broadcaster(open: Set<SseStream>, read: () => Promise<unknown>): { wake(): void } {
  let running = false;
  const loop = async () => {
    running = true;
    while (open.size) {
      let event: [string, unknown];
      try {
        event = ['overview', await read()];
      } catch (err) {
        const failure = consoleError(err);
        event = ['failure', { error: failure.code, message: failure.message }];
      }
      for (const stream of open) stream.send(...event);
      await new Promise((resolve) => { setTimeout(resolve, OVERVIEW_EVERY_MS).unref(); });
    }
    running = false;
  };
  return { wake: () => { if (!running) void loop(); } };
}

const editSchema = z.strictObject({
  payload: z.unknown().refine((value) => value !== undefined, { error: 'is required: the event to send instead' }),
  to: z.string({ error: 'must be a function name' }).optional(),
}, { error: unknownFieldError });

function parseJsonBody(body: Buffer | undefined): unknown {
  try {
    return parseJson(body?.toString('utf8') || '{}');
  } catch (cause) {
    throw new HubError('TH_ERR_CONSOLE_REQUEST_INVALID', `body: not valid JSON (${(cause as Error).message})`, { cause });
  }
}

/**
 * The web console: the page at `/console` and its JSON API under `/console/api/` (behind the admin
 * token when one is set). Every figure comes from the Redis data `triggerhub status`, `logs` and
 * `dlq` read; the page uses the admin DLQ API and the Invoke API for what they already do.
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const { config, redis, queues } = deps;
  const streams = new Set<SseStream>();
  // One reader of the overview for every open overview stream (not one per browser tab).
  const overviewStreams = new Set<SseStream>();
  const overviews = broadcaster(overviewStreams, () => readOverview(redis, config, queues));
  app.addHook('preClose', async () => { for (const stream of [...streams]) stream.end(); });
  registerAssets(app);
  void app.register(async (api) => {
    api.setErrorHandler((err, request, reply: FastifyReply) => {
      const hubError = consoleError(err);
      if (hubError.status >= 500 && hubError.code !== 'TH_ERR_REDIS_UNAVAILABLE') request.log.error({ event: 'console_api_error', reqId: request.id, url: request.url, err }, 'console request failed');
      if (hubError.code === 'TH_ERR_ADMIN_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
      return reply.code(hubError.status).send({ error: hubError.code, message: hubError.message });
    });
    api.addHook('onRequest', authorizer(config.admin.token));
    const checkMethod = methodCheck(api);
    // While Redis is lost every read would wait for it (the hub's connection queues commands until
    // it is back): answer at once instead, as /healthz does, and the page says so and retries.
    api.addHook('onRequest', async (request) => {
      if (request.routeOptions.url === '/console/api/session') return;
      if (redis.status !== 'ready') throw new HubError('TH_ERR_REDIS_UNAVAILABLE', `Redis is unavailable (the connection is ${redis.status}); retry later`);
    });
    // An unknown API path answers in the API's own error shape (after the token check, so that it
    // does not tell a caller without the token which paths exist).
    api.setNotFoundHandler((request, reply) => {
      checkMethod(request, reply);
      throw new HubError('TH_ERR_CONSOLE_NOT_FOUND', `no console API route ${request.method} ${request.url.split('?')[0]}`);
    });

    api.get('/session', async () => ({ functions: Object.keys(config.functions), dlqReasons: DLQ_REASONS, region: config.region, accountId: config.accountId }));

    api.get('/overview', async () => readOverview(redis, config, queues));

    /** The overview every OVERVIEW_EVERY_MS as an SSE `overview` event, until the client goes. */
    api.get('/overview/stream', async (request, reply) => {
      const stream = openSse(request, reply, overviewStreams);
      streams.add(stream);
      stream.signal.addEventListener('abort', () => streams.delete(stream));
      overviews.wake();
    });

    api.get<{ Params: { name: string } }>('/functions/:name', async (request) => readFunctionPage(redis, config, request.params.name));

    api.get('/sources', async () => readSourcesPage(redis, config));

    api.get<{ Querystring: Record<string, unknown> }>('/dlq', async (request) => readDlqList(deps.dlq, request.query));

    registerLogRoutes(api, { config, redis, streams });

    /** Redrives one record with an edited payload (the one it replaces stays in `delivery.edits`). */
    api.post<{ Params: { id: string }; Body: Buffer }>('/dlq/:id/redrive', async (request) => {
      const parsed = editSchema.safeParse(parseJsonBody(request.body));
      if (!parsed.success) throw new HubError('TH_ERR_CONSOLE_REQUEST_INVALID', formatIssues(parsed.error.issues));
      const bytes = Buffer.byteLength(JSON.stringify(parsed.data.payload));
      if (bytes > ASYNC_PAYLOAD_LIMIT) throw new HubError('TH_ERR_REQUEST_TOO_LARGE', `payload: ${bytes} bytes is too large for the Event invocation type a redrive queues (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`);
      const to = checkRedriveTarget(config.functions, parsed.data.to);
      if (to) functionOf(config, to);
      const record = await redriveOne(deps.dlq, queues, request.params.id, to, deps.destinations, { payload: parsed.data.payload });
      return { redriven: [record.id], failed: [] };
    });
  }, { prefix: '/console/api' });
}
