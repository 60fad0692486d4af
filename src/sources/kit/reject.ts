import type { FastifyReply, RouteOptions } from 'fastify';
import { isHubError, type Rejection } from '../../errors.js';
import type { Logger } from '../../log.js';

/**
 * Turns a push request away: logs `event` (error for 5xx, warn otherwise) and answers
 * `{ message, reason }` as JSON with the reason's status.
 */
export function rejectRequest(reply: FastifyReply, log: Logger, event: string, rejection: Rejection): FastifyReply {
  if (isHubError(rejection.cause, 'TH_ERR_REDIS_UNAVAILABLE')) {
    // A Redis outage, reported once by the hub: one line per refused request would flood the log.
    log.debug({ event, reason: rejection.reason, status: rejection.status }, rejection.message);
  } else {
    const level = rejection.status >= 500 ? 'error' : 'warn';
    log[level]({ event, reason: rejection.reason, status: rejection.status, err: rejection.cause }, rejection.message);
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
