import type { FastifyReply } from 'fastify';
import type { InvokeResult } from '../../runtime/types.js';
import { isPlainObject, resultValue, sendJson } from './shape.js';

interface StructuredResponse {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * Maps a handler result to the HTTP response as Lambda function URLs (and HTTP APIs on payload
 * 2.0) do: an object with `statusCode` is used as is (headers, cookies, body, isBase64Encoded);
 * any other value becomes a 200 `application/json` response whose body is the value (a string as
 * is, anything else as JSON); a failed invocation is a 502.
 */
export function sendHttpResult(reply: FastifyReply, result: InvokeResult): FastifyReply {
  reply.header('x-amzn-RequestId', result.requestId);
  const parsed = resultValue(result);
  if (!parsed) {
    reply.header('x-amzn-ErrorType', result.error?.errorType ?? 'Unhandled');
    return sendJson(reply, 502, { Message: 'Internal Server Error' });
  }
  const { value } = parsed;
  if (!isStructured(value)) {
    return reply.code(200).header('content-type', 'application/json').send(typeof value === 'string' ? value : result.payload ?? 'null');
  }
  reply.code(value.statusCode);
  for (const [name, headerValue] of Object.entries(value.headers ?? {})) reply.header(name, String(headerValue));
  if (value.cookies?.length) reply.header('set-cookie', value.cookies);
  if (value.body === undefined || value.body === null) return reply.send();
  if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/json');
  return reply.send(value.isBase64Encoded ? Buffer.from(value.body, 'base64') : String(value.body));
}

function isStructured(value: unknown): value is StructuredResponse {
  return isPlainObject(value) && Number.isInteger(value.statusCode);
}
