import type { FastifyReply, RouteOptions } from 'fastify';
import { isHubError, type Rejection } from '../../errors.js';
import type { Logger } from '../../log.js';

/** A source logs one rejection per reason a minute; the others go to debug and are counted. */
const QUIET_MS = 60_000;
const quiet = new WeakMap<Logger, Map<string, { until: number; suppressed: number }>>();

/** Whether this rejection is the one of its minute to log loudly (then `suppressed` counts the ones since the last). */
function loud(log: Logger, reason: string): { suppressed: number } | undefined {
  let reasons = quiet.get(log);
  if (!reasons) quiet.set(log, reasons = new Map());
  const now = Date.now();
  const window = reasons.get(reason);
  if (window && now < window.until) {
    window.suppressed += 1;
    return undefined;
  }
  reasons.set(reason, { until: now + QUIET_MS, suppressed: 0 });
  return { suppressed: window?.suppressed ?? 0 };
}

/**
 * Turns a push request away: logs `event` (error for 5xx, warn otherwise; per source, one line per
 * reason a minute, the next saying how many were `suppressed`, so that a flood of bad requests
 * cannot flood the log) and answers `{ message, reason }` as JSON with the reason's status.
 */
export function rejectRequest(reply: FastifyReply, log: Logger, event: string, rejection: Rejection): FastifyReply {
  const fields = { event, reason: rejection.reason, status: rejection.status };
  const window = isHubError(rejection.cause, 'TH_ERR_REDIS_UNAVAILABLE') ? undefined : loud(log, rejection.reason);
  if (!window) {
    // A Redis outage is reported once by the hub; the rest of a minute's rejections are counted.
    log.debug(fields, rejection.message);
  } else {
    const level = rejection.status >= 500 ? 'error' : 'warn';
    log[level]({ ...fields, err: rejection.cause, ...(window.suppressed ? { suppressed: window.suppressed } : {}) }, rejection.message);
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
