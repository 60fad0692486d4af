import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HubError, type ErrorCode } from '../errors.js';
import { SYNC_PAYLOAD_LIMIT } from '../sources/kit/limits.js';
import { toHubError } from './aws-errors.js';

/** The APIs whose errors are plain `{ error, message }` documents, and the code a bad path gets there. */
const PLAIN_APIS: ReadonlyArray<[prefix: string, code: ErrorCode]> = [
  ['/console', 'TH_ERR_CONSOLE_REQUEST_INVALID'],
  ['/admin/', 'TH_ERR_DLQ_REQUEST_INVALID'],
];
const SHOWN_PATH_CHARS = 200;

/**
 * A path fastify cannot decode (a bad percent-escape), answered before any route: under the
 * console and admin APIs in their own error shape, a 400 naming the path. False elsewhere (the
 * caller answers in the AWS shape).
 */
export function sendPlainApiPathError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): boolean {
  const path = request.url.split('?')[0];
  const plain = PLAIN_APIS.find(([prefix]) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  if (!plain) return false;
  const shown = JSON.stringify(path.length > SHOWN_PATH_CHARS ? `${path.slice(0, SHOWN_PATH_CHARS)}…` : path);
  void reply.code(400).send({ error: plain[1], message: `path: ${shown}: ${toHubError(err).message}` });
  return true;
}

/**
 * toHubError for the console and admin APIs: a body over the server's limit is named as theirs
 * (toHubError words it as Lambda does, for the InvokeFunction operation).
 */
export function toPlainApiError(err: unknown): HubError {
  if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new HubError('TH_ERR_REQUEST_TOO_LARGE', `body: larger than the ${SYNC_PAYLOAD_LIMIT} bytes the hub takes in a request`, { cause: err });
  }
  return toHubError(err);
}
