import type { FastifyReply } from 'fastify';
import type { InvokeResult } from '../../runtime/types.js';
import { decodeBase64, isCorsHeader, isHopByHop, isPlainObject, isScalar, isSendableHeader, isStatusCode, resultValue, sendBody, sendJson } from './shape.js';

interface StructuredResponse {
  statusCode: number;
  headers: Array<[name: string, value: string]>;
  cookies: string[];
  body?: string | Buffer;
}

/** How a shape answers a failed invocation or a malformed response. */
export type HttpFailure = (reply: FastifyReply, result: InvokeResult) => FastifyReply;

/** Function URLs: 502 `{"Message":"Internal Server Error"}`, the error type in `x-amzn-ErrorType`. */
const functionUrlFailure: HttpFailure = (reply, result) =>
  sendJson(reply.header('x-amzn-ErrorType', result.error?.errorType ?? 'Unhandled'), 502, { Message: 'Internal Server Error' });

/**
 * Maps a handler result to the HTTP response as Lambda function URLs (and HTTP APIs on payload
 * 2.0) do: an object with `statusCode` is used as is (headers, cookies, body, isBase64Encoded);
 * any other value becomes a 200 `application/json` response whose body is the value (a string as
 * is, anything else as JSON). A failed invocation, or a response no HTTP server can send (a status
 * outside 100-599, a header name that is no token, a value that is not a string, number or boolean
 * or has CR, LF or NUL, a body that is not text, or not base64 when `isBase64Encoded`), is `fail`'s
 * answer.
 * Hop-by-hop headers are the hub's own: a handler's are dropped.
 */
export function sendHttpResult(reply: FastifyReply, result: InvokeResult, fail: HttpFailure = functionUrlFailure, ignoreCors = false): FastifyReply {
  reply.header('x-amzn-RequestId', result.requestId);
  const parsed = resultValue(result);
  if (!parsed) return fail(reply, result);
  const { value } = parsed;
  if (!isPlainObject(value) || !Number.isInteger(value.statusCode)) {
    return sendBody(reply.code(200).header('content-type', 'application/json'), typeof value === 'string' ? value : result.payload ?? 'null');
  }
  const response = structuredResponse(value, ignoreCors);
  if (!response) return fail(reply, result);
  reply.code(response.statusCode);
  for (const [name, headerValue] of response.headers) reply.header(name, headerValue);
  if (response.cookies.length) reply.header('set-cookie', response.cookies);
  if (response.body === undefined) return reply.send();
  if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/json');
  return sendBody(reply, response.body);
}

/** The response to send, or undefined when it cannot be sent as given; `ignoreCors` drops the handler's CORS headers. */
function structuredResponse(value: Record<string, unknown>, ignoreCors: boolean): StructuredResponse | undefined {
  if (!isStatusCode(value.statusCode)) return undefined;
  // "Lambda body contains the wrong type for field body": API Gateway's 500, not the text [object Object].
  const { body } = value;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const headers: Array<[string, string]> = [];
  for (const [name, headerValue] of Object.entries(isPlainObject(value.headers) ? value.headers : {})) {
    const text = String(headerValue);
    if (!isScalar(headerValue) || !isSendableHeader(name, text)) return undefined;
    if (!isHopByHop(name) && !(ignoreCors && isCorsHeader(name))) headers.push([name, text]);
  }
  const cookies = Array.isArray(value.cookies) ? value.cookies.map(String) : typeof value.cookies === 'string' ? [value.cookies] : [];
  if (!cookies.every((cookie) => isSendableHeader('set-cookie', cookie))) return undefined;
  if (typeof body !== 'string') return { statusCode: value.statusCode, headers, cookies };
  const bytes = value.isBase64Encoded ? decodeBase64(body) : body;
  return bytes === undefined ? undefined : { statusCode: value.statusCode, headers, cookies, body: bytes };
}
