import type { FastifyReply } from 'fastify';
import type { InvokeResult } from '../../runtime/types.js';
import { parseProxyResponse, sendProxyResponse } from '../http/response-v1.js';
import { isPlainObject, resultValue } from '../http/shape.js';

/** Lambda targets: at most 1 MB of request body and of response (body and headers). */
export const ALB_LAMBDA_LIMIT = 1024 * 1024;

/** ALB's own error page (it names itself `awselb/2.0`). */
export function sendAlbError(reply: FastifyReply, status: number, title: string): FastifyReply {
  const page = `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return reply.code(status).header('server', 'awselb/2.0').header('content-type', 'text/html').send(page);
}

/**
 * Maps a Lambda target's result as ALB does: `statusCode`, `statusDescription`, `headers` (or, with
 * multi-value headers enabled, `multiValueHeaders`: the other map is ignored), `body`,
 * `isBase64Encoded`. A failed invocation, a malformed response or one over 1 MB is a 502.
 */
export function sendAlbResult(reply: FastifyReply, result: InvokeResult, multiValue: boolean): FastifyReply {
  const parsed = resultValue(result);
  const value = parsed && isPlainObject(parsed.value) ? { ...parsed.value } : undefined;
  if (value) delete value[multiValue ? 'headers' : 'multiValueHeaders'];
  const response = value && parseProxyResponse(value);
  if (!response || Buffer.byteLength(result.payload ?? '') > ALB_LAMBDA_LIMIT) return sendAlbError(reply, 502, 'Bad Gateway');
  if (response.statusDescription) reply.raw.statusMessage = response.statusDescription.replace(/^\d{3}\s*/, '');
  return sendProxyResponse(reply, response);
}
