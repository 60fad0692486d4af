import type { FastifyReply } from 'fastify';
import type { InvokeResult } from '../../runtime/types.js';

interface StructuredResponse {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * Maps a handler result to the HTTP response as Lambda function URLs do: an object with
 * `statusCode` is used as is (headers, cookies, body, isBase64Encoded); any other value becomes a
 * 200 `application/json` response whose body is the value (a string as is, anything else as
 * JSON); a failed invocation is a 502.
 */
export function sendHttpResult(reply: FastifyReply, result: InvokeResult): FastifyReply {
  reply.header('x-amzn-RequestId', result.requestId);
  if (result.status !== 'success') {
    reply.header('x-amzn-ErrorType', result.error?.errorType ?? 'Unhandled');
    return reply.code(502).header('content-type', 'application/json').send(JSON.stringify({ Message: 'Internal Server Error' }));
  }
  const text = result.payload ?? 'null';
  const value = JSON.parse(text) as unknown;
  if (!isStructured(value)) {
    return reply.code(200).header('content-type', 'application/json').send(typeof value === 'string' ? value : text);
  }
  reply.code(value.statusCode);
  for (const [name, headerValue] of Object.entries(value.headers ?? {})) reply.header(name, String(headerValue));
  if (value.cookies?.length) reply.header('set-cookie', value.cookies);
  if (value.body === undefined || value.body === null) return reply.send();
  if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/json');
  return reply.send(value.isBase64Encoded ? Buffer.from(value.body, 'base64') : String(value.body));
}

function isStructured(value: unknown): value is StructuredResponse {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && Number.isInteger((value as { statusCode?: unknown }).statusCode);
}
