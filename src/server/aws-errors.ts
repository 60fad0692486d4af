import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { HubError } from '../errors.js';

/**
 * Sends an error the way the Lambda API does: `x-amzn-ErrorType` names the exception (the AWS SDK
 * reads it), the JSON body carries `Type` and `message`, plus the hub's own `code`.
 */
export function sendAwsError(reply: FastifyReply, err: HubError): FastifyReply {
  const extra = err.code === 'TH_ERR_THROTTLED' ? { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } : {};
  return reply
    .code(err.status)
    .header('x-amzn-ErrorType', err.awsType)
    .header('x-amzn-RequestId', randomUUID())
    .header('content-type', 'application/json')
    .send(JSON.stringify({ Type: err.status >= 500 ? 'Service' : 'User', message: err.message, code: err.code, ...extra }));
}

/** Maps fastify's own errors (body too large, bad content) and anything unexpected to HubErrors. */
export function toHubError(err: unknown): HubError {
  if (err instanceof HubError) return err;
  const code = (err as { code?: string }).code;
  const message = (err as Error).message ?? String(err);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new HubError('TH_ERR_REQUEST_TOO_LARGE', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new HubError('TH_ERR_REQUEST_INVALID_PARAMETER', message, { cause: err });
  }
  return new HubError('TH_ERR_INTERNAL', message, { cause: err });
}
