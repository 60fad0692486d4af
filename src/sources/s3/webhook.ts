import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ASYNC_PAYLOAD_LIMIT } from '../kit/limits.js';
import { Rejection, type RejectionReason } from '../../errors.js';
import { bodyLimitRoute, rejectRequest } from '../kit/reject.js';
import type { SourceContext } from '../source.js';
import { deliverRecords, S3RecordsInvalid, type DeliveryDeps } from './deliver.js';
import type { WebhookSettings } from './settings.js';
import { JsonTooDeepError, parseJson } from '../../json.js';

/**
 * `POST <path>`: MinIO's webhook target. The body is MinIO's notification
 * (`{ EventName, Key, Records: [...] }`); with `authToken`, `Authorization: Bearer <token>` is
 * required. 200 only once every matching record is queued.
 */
export function registerS3Webhook(context: SourceContext, path: string, settings: WebhookSettings, deps: DeliveryDeps): void {
  // MinIO retries 5xx and network errors.
  const reject = (reply: FastifyReply, reason: RejectionReason, message: string, cause?: unknown): FastifyReply =>
    rejectRequest(reply, deps.log, 's3_webhook_rejected', new Rejection(reason, message, { cause }));
  context.app.route({
    method: 'POST',
    url: path,
    ...bodyLimitRoute(ASYNC_PAYLOAD_LIMIT, (reply) => reject(reply, 'body_too_large', `the request body is over ${ASYNC_PAYLOAD_LIMIT} bytes`)),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (settings.authToken && !bearerMatches(request.headers.authorization, settings.authToken)) {
        return reject(reply, 'unauthorized', 'missing or wrong Authorization: Bearer token');
      }
      let body: unknown;
      try {
        body = parseJson((request.body as Buffer | undefined)?.toString('utf8') ?? '');
      } catch (err) {
        return reject(reply, 'invalid_json', err instanceof JsonTooDeepError ? `the request body is not usable JSON: ${err.message}` : 'the request body is not JSON');
      }
      const records = (body as { Records?: unknown } | null)?.Records;
      if (!Array.isArray(records)) return reject(reply, 'invalid_records', 'Records: must be an array of S3 event records');
      try {
        await deliverRecords(records, deps);
      } catch (err) {
        if (err instanceof S3RecordsInvalid) return reject(reply, 'invalid_records', err.message);
        return reject(reply, 'enqueue_failed', `the event could not be queued: ${(err as Error).message}`, err);
      }
      return reply.code(200).send();
    },
  });
}

/** Constant-time comparison of `Bearer <token>` (hashes first, so lengths do not leak either). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}
