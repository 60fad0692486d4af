import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { followLog, lastLogId, readLogTail, type StoredLogEntry } from '../logs/reader.js';
import { logStreamKey } from '../logs/redis-sink.js';
import { functionOf } from './function-page.js';
import { openSse, type SseStream } from './sse.js';

/** Each follower holds its own Redis connection (XREAD BLOCK): at most this many per hub. */
const MAX_FOLLOWERS = 16;
const MAX_LINES = 1000;

interface LogQuery { limit?: string; requestId?: string; after?: string }

function parseQuery(query: LogQuery): { limit: number; requestId?: string; after?: string } {
  const limit = query.limit === undefined ? 200 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LINES) throw new HubError('TH_ERR_CONSOLE_REQUEST_INVALID', `limit: must be a whole number from 1 to ${MAX_LINES}`);
  if (query.after !== undefined && !/^\d+-\d+$/.test(query.after)) throw new HubError('TH_ERR_CONSOLE_REQUEST_INVALID', 'after: must be a log entry id like 1700000000000-0');
  return { limit, requestId: query.requestId || undefined, after: query.after };
}

/**
 * `GET /console/api/functions/:name/logs` (the newest lines, `?requestId=` to keep one invocation's)
 * and `/logs/stream` (SSE: each new line as a `log` event, as `triggerhub logs --follow`).
 */
export function registerLogRoutes(api: FastifyInstance, deps: { config: HubConfig; redis: Redis; streams: Set<SseStream> }): void {
  const { config, redis, streams } = deps;
  let followers = 0;

  api.get<{ Params: { name: string }; Querystring: LogQuery }>('/functions/:name/logs', async (request) => {
    const fn = functionOf(config, request.params.name);
    const { limit, requestId } = parseQuery(request.query);
    const key = logStreamKey(config.queuePrefix, fn.name);
    const wanted = (entry: StoredLogEntry) => requestId === undefined || entry.requestId === requestId;
    return readLogTail(redis, key, fn.name, limit, wanted);
  });

  api.get<{ Params: { name: string }; Querystring: LogQuery }>('/functions/:name/logs/stream', async (request, reply) => {
    const fn = functionOf(config, request.params.name);
    const { requestId, after } = parseQuery(request.query);
    if (followers >= MAX_FOLLOWERS) throw new HubError('TH_ERR_CONSOLE_BUSY', `${MAX_FOLLOWERS} log streams are open on this hub; close one and retry`);
    const key = logStreamKey(config.queuePrefix, fn.name);
    const from = after ?? await lastLogId(redis, key);
    followers += 1;
    const reader = redis.duplicate();
    reader.on('error', () => undefined);
    const stream = openSse(request, reply, streams);
    stream.signal.addEventListener('abort', () => reader.disconnect());
    try {
      for await (const entry of followLog(reader, key, fn.name, from, stream.signal)) {
        if (requestId === undefined || entry.requestId === requestId) stream.send('log', entry, entry.id);
      }
    } catch (err) {
      if (!stream.signal.aborted) stream.send('failure', { message: (err as Error).message });
    } finally {
      followers -= 1;
      reader.disconnect();
      stream.end();
    }
  });
}
