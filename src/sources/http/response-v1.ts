import type { FastifyReply } from 'fastify';
import type { InvokeResult } from '../../runtime/types.js';
import { matchesMediaType } from './event-v1.js';
import { decodeBase64, isCorsHeader, isHopByHop, isPlainObject, isScalar, isSendableHeader, isStatusCode, resultValue, sendJson } from './shape.js';

/** A Lambda proxy response as payload format 1.0 (REST APIs, HTTP APIs on 1.0, ALB) reads it. */
export interface ProxyResponse {
  statusCode: number;
  statusDescription?: string;
  /** Merged: a header's multiValueHeaders values, then its `headers` value unless already among them. */
  headers: Map<string, string[]>;
  body: Buffer;
}

/**
 * Validates a handler result as a proxy response: an object with an integer `statusCode`,
 * `headers` of scalars, `multiValueHeaders` of scalar lists, a string `body` (base64 when
 * `isBase64Encoded`) and a boolean `isBase64Encoded`. Anything else, or what no HTTP server can send (a status outside 100-599, a
 * header name that is no token, a value or `statusDescription` with CR, LF or NUL), is malformed
 * (undefined): API Gateway's 502. Hop-by-hop headers are the hub's own: a handler's are dropped.
 * `decode` false sends a base64 body as the text it is (a REST API whose binary media types do not
 * take the request's Accept).
 */
export function parseProxyResponse(value: unknown, decode = true): ProxyResponse | undefined {
  if (!isPlainObject(value)) return undefined;
  const status = typeof value.statusCode === 'string' && /^\d{3}$/.test(value.statusCode) ? Number(value.statusCode) : value.statusCode;
  if (!isStatusCode(status)) return undefined;
  const { headers = {}, multiValueHeaders = {}, body, isBase64Encoded = false, statusDescription } = value;
  if (!isPlainObject(headers) || !isPlainObject(multiValueHeaders) || typeof isBase64Encoded !== 'boolean') return undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  if (statusDescription !== undefined && (typeof statusDescription !== 'string' || !isSendableHeader('status', statusDescription))) return undefined;
  const merged = new Map<string, string[]>();
  for (const [name, values] of Object.entries(multiValueHeaders)) {
    if (!Array.isArray(values) || !values.every(isScalar)) return undefined;
    merged.set(name, values.map(String));
  }
  for (const [name, single] of Object.entries(headers)) {
    if (!isScalar(single)) return undefined;
    const values = merged.get(name) ?? [];
    if (!values.includes(String(single))) values.push(String(single));
    merged.set(name, values);
  }
  for (const [name, values] of merged) {
    if (!values.every((v) => isSendableHeader(name, v))) return undefined;
    if (isHopByHop(name)) merged.delete(name);
  }
  const text = typeof body === 'string' ? body : '';
  const bytes = isBase64Encoded && decode ? decodeBase64(text) : Buffer.from(text, 'utf8');
  if (!bytes) return undefined;
  return { statusCode: status, statusDescription, headers: merged, body: bytes };
}

/**
 * Writes a parsed proxy response. Without a content type from the handler, API Gateway sends
 * application/json (`defaultContentType`); ALB sends application/octet-stream, which is also what
 * fastify gives bytes.
 */
export function sendProxyResponse(reply: FastifyReply, response: ProxyResponse, defaultContentType?: string): FastifyReply {
  reply.code(response.statusCode);
  for (const [name, values] of response.headers) reply.header(name, values.length === 1 ? values[0] : values);
  if (defaultContentType && !reply.hasHeader('content-type')) reply.header('content-type', defaultContentType);
  return reply.send(response.body);
}

/**
 * REST API (502 `{"message": "Internal server error"}`) and HTTP API 1.0 (500 `{"message":"Internal
 * Server Error"}`) answers for a failed invocation or a malformed response. `ignoreCors`: an HTTP
 * API with CORS configured drops the handler's CORS headers.
 */
export function sendV1Result(reply: FastifyReply, result: InvokeResult, flavour: 'rest' | 'http', ignoreCors = false, binaryMediaTypes?: string[]): FastifyReply {
  reply.header('x-amzn-RequestId', result.requestId);
  const parsed = resultValue(result);
  const response = parsed && parseProxyResponse(parsed.value, binaryMediaTypes === undefined || acceptsBinary(reply.request.headers.accept, binaryMediaTypes));
  if (response) {
    if (ignoreCors) for (const name of [...response.headers.keys()].filter(isCorsHeader)) response.headers.delete(name);
    return sendProxyResponse(reply, response, 'application/json');
  }
  if (flavour === 'http') return sendJson(reply, 500, { message: 'Internal Server Error' });
  reply.header('x-amzn-ErrorType', 'InternalServerErrorException');
  return sendJson(reply, 502, { message: 'Internal server error' });
}

/**
 * Whether a REST API turns a base64 (`isBase64Encoded`) response into bytes: when the first media
 * type of the request's Accept is one of its binary media types ("API Gateway uses the first Accept
 * header from clients to determine if a response should return binary media"), or they hold
 * `*\/*`, AWS's advice for clients whose Accept it cannot control. Otherwise the client gets the
 * base64 text, as from API Gateway.
 */
function acceptsBinary(accept: string | undefined, binaryMediaTypes: string[]): boolean {
  if (binaryMediaTypes.includes('*/*')) return true;
  const first = accept?.split(',')[0] ?? '';
  return matchesMediaType(first, binaryMediaTypes);
}
