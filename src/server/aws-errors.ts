import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { LogWindow } from '../log-window.js';
import { redisRefusal } from '../redis/outage.js';

/**
 * The exceptions whose Lambda model member is `Message`, which is the key of their JSON body on the
 * wire (boto3 gives it as the error response's `Message`); every other one says `message`.
 */
const CAPITAL_MESSAGE = new Set(['ResourceNotFoundException', 'ServiceException']);

/**
 * Sends an error the way the Lambda API does: `x-amzn-ErrorType` names the exception (the AWS SDK
 * reads it), the JSON body carries `Type` and the message (under the key Lambda's model gives the
 * exception), plus the hub's own `code`.
 */
export function sendAwsError(reply: FastifyReply, err: HubError): FastifyReply {
  const extra = err.code === 'TH_ERR_THROTTLED' ? { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } : {};
  const messageKey = CAPITAL_MESSAGE.has(err.awsType) ? 'Message' : 'message';
  return reply
    .code(err.status)
    .header('x-amzn-ErrorType', err.awsType)
    .header('x-amzn-RequestId', randomUUID())
    .header('content-type', 'application/json')
    .send(JSON.stringify({ Type: err.status >= 500 ? 'Service' : 'User', [messageKey]: err.message, code: err.code, ...extra }));
}

/** Maps fastify's own errors (body too large, bad content, a path it cannot route) and anything unexpected to HubErrors. */
export function toHubError(err: unknown): HubError {
  if (err instanceof HubError) return err;
  const code = (err as { code?: string }).code;
  const message = (err as Error).message ?? String(err);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new HubError('TH_ERR_REQUEST_TOO_LARGE', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
  }
  if (code === 'FST_ERR_BAD_URL') {
    return new HubError('TH_ERR_REQUEST_URL_INVALID', 'the request path cannot be decoded (a % must be followed by two hex digits, and decode to UTF-8)', { cause: err });
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new HubError('TH_ERR_REQUEST_INVALID_PARAMETER', message, { cause: err });
  }
  return new HubError('TH_ERR_INTERNAL', message, { cause: err });
}

/** The client went away mid-request (ECONNRESET / "aborted"): nothing to answer, nothing wrong here. */
export function isClientAbort(err: unknown, request: FastifyRequest): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  // Node's own error for a request body cut short: `Error: aborted` with code ECONNRESET.
  if (code === 'ECONNRESET' && message === 'aborted') return true;
  return request.raw.aborted || request.raw.socket?.destroyed === true;
}

/** Redis refusals on requests: one warning per kind (OOM, NOPERM, READONLY) a minute. */
const REFUSAL_WINDOW = new LogWindow(60_000);

/**
 * Logs a failed request by what it says about the hub: a client abort or a Redis outage (reported
 * once by the outage watcher) at debug without a stack (to `debugLog`: the request's own logger
 * keeps warnings and errors only), so that no client can flood the log; a command Redis refused
 * as a warning once a minute per kind of refusal (debug in between); anything else at 5xx as an
 * error with its stack.
 */
export function logRequestFailure(request: FastifyRequest, err: unknown, hubError: HubError, debugLog: Logger = request.log as Logger): void {
  if (isClientAbort(err, request)) {
    debugLog.debug({ event: 'client_aborted', url: request.url, message: (err as Error).message }, 'client closed the connection mid-request');
  } else if (hubError.code === 'TH_ERR_REDIS_UNAVAILABLE') {
    // No outage watcher reports a refusal (Redis answers): the next warning says how many were quiet.
    const refusal = redisRefusal(hubError);
    const loud = refusal === undefined ? undefined : REFUSAL_WINDOW.loud(refusal.split(' ', 1)[0]);
    if (loud) request.log.warn({ event: 'redis_refused', url: request.url, reply: refusal, ...(loud.quiet ? { suppressed: loud.quiet } : {}) }, hubError.message);
    else debugLog.debug({ event: 'request_redis_unavailable', url: request.url }, hubError.message);
  } else if (hubError.status >= 500) {
    request.log.error({ event: 'http_error', reqId: request.id, url: request.url, err }, 'request failed');
  }
}
