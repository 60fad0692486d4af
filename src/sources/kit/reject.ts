import type { FastifyReply, RouteOptions } from 'fastify';
import { isHubError, type Rejection } from '../../errors.js';
import type { Logger } from '../../log.js';
import { LogWindow } from '../../log-window.js';
import { redisRefusal } from '../../redis/outage.js';

/** A source logs one rejection per reason a minute; the others go to debug and are counted. */
const QUIET_MS = 60_000;
const windows = new WeakMap<Logger, LogWindow>();

function windowOf(log: Logger): LogWindow {
  let window = windows.get(log);
  if (!window) windows.set(log, window = new LogWindow(QUIET_MS));
  return window;
}

/**
 * Turns a push request away: logs `event` (error for 5xx, warn otherwise; per source, one line per
 * reason a minute, the next saying how many were `suppressed`, so that a flood of bad requests
 * cannot flood the log) and answers `{ message, reason }` as JSON with the reason's status.
 */
export function rejectRequest(reply: FastifyReply, log: Logger, event: string, rejection: Rejection): FastifyReply {
  const fields = { event, reason: rejection.reason, status: rejection.status };
  // A Redis outage is reported once by the hub; a refusal (OOM at maxmemory, NOPERM) only here.
  const outage = isHubError(rejection.cause, 'TH_ERR_REDIS_UNAVAILABLE') && redisRefusal(rejection.cause) === undefined;
  const loud = outage ? undefined : windowOf(log).loud(rejection.reason);
  if (!loud) {
    // An outage, or a repeat of this reason within the minute (counted for the next loud line).
    log.debug(fields, rejection.message);
  } else {
    const level = rejection.status >= 500 ? 'error' : 'warn';
    log[level]({ ...fields, err: rejection.cause, ...(loud.quiet ? { suppressed: loud.quiet } : {}) }, rejection.message);
  }
  return reply.code(rejection.status).header('content-type', 'application/json')
    .send(JSON.stringify({ message: rejection.message, reason: rejection.reason }));
}

/**
 * A route's own body limit: fastify stops reading at `bytes` and `refuse` answers the request its
 * source's way; any other error goes on to the hub's error handler.
 */
export function bodyLimitRoute(bytes: number, refuse: (reply: FastifyReply) => FastifyReply): Pick<RouteOptions, 'bodyLimit' | 'errorHandler'> {
  return {
    bodyLimit: bytes,
    errorHandler: (err, _request, reply) => {
      if ((err as { code?: string }).code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
      return refuse(reply);
    },
  };
}
