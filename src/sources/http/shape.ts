import type { FastifyReply } from 'fastify';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { parseJson } from '../../json.js';
import type { InvokeResult } from '../../runtime/types.js';
import type { IncomingHttp } from './request.js';
import type { StreamingResponder } from './stream-response.js';
import type { IamIdentity } from './url-iam.js';
import { isObject } from '../../own.js';

/** What an authorizer established for a request (see authorizer.ts); each shape places it its own way. */
export type AuthorizerOutcome =
  | { kind: 'claims'; claims: Record<string, unknown>; scopes?: string[] }
  | { kind: 'lambda'; principalId?: string; context: Record<string, unknown>; integrationLatency: number };

/** The route a request matched, as the event builders need it. */
export interface MatchedRoute {
  /** The configured path template: `/items/{id}`, `/files/{proxy+}`. */
  resource: string;
  /**
   * The request path within the API's stage (still percent-encoded): a function URL's without its
   * `/urls/<fn>`, an HTTP API named stage's without `/{stage}` (its event builder puts that back).
   */
  path: string;
  /** Undefined when the template has none. */
  pathParameters?: Record<string, string>;
  accountId: string;
  region: string;
  apiId: string;
  domainName: string;
  authorizer?: AuthorizerOutcome;
  /** The verified caller of an AWS_IAM function URL (`requestContext.authorizer.iam`). */
  iam?: IamIdentity;
}

/**
 * One of the HTTP event shapes AWS has (function URL / HTTP API 2.0, REST and HTTP API 1.0,
 * ALB): how a request becomes the event and how the handler's result becomes the response.
 */
export interface HttpShape {
  envelopeType: string;
  build(incoming: IncomingHttp, route: MatchedRoute, requestId: string, now: Date): unknown;
  send(reply: FastifyReply, result: InvokeResult): FastifyReply;
  /** Set when the response streams (RESPONSE_STREAM function URLs): replaces `send`. */
  streaming?(reply: FastifyReply): StreamingResponder;
  /**
   * The service's answer when Lambda throttles the function (reserved concurrency used up): API
   * Gateway and ALB send their own failure, not Lambda's 429. Unset (function URLs): Lambda's 429.
   */
  throttled?(reply: FastifyReply): FastifyReply;
}

/**
 * Sends a JSON error document the way API Gateway and ALB answer for themselves
 * (`application/json`, as `sendBody` sends it).
 */
export function sendJson(reply: FastifyReply, status: number, document: unknown): FastifyReply {
  return sendBody(reply.code(status).header('content-type', 'application/json'), JSON.stringify(document));
}

/**
 * Sends a body with the headers as set: as bytes, so that fastify leaves the content type alone
 * (given a string, it would append `; charset=utf-8` to any JSON type, a handler's own
 * `application/hal+json` included; AWS sends the handler's header as it is).
 */
export function sendBody(reply: FastifyReply, body: string | Buffer): FastifyReply {
  return reply.send(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
}

/** The handler's result parsed, or undefined when it failed (or its text is not JSON). */
export function resultValue(result: InvokeResult): { value: unknown } | undefined {
  if (result.status !== 'success') return undefined;
  try {
    return { value: parseJson(result.payload ?? 'null') };
  } catch {
    return undefined;
  }
}

export const isPlainObject = isObject;

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) frame the hub's own connection: a gateway never takes them
 * from a handler's response (a handler's `Transfer-Encoding: chunked` over a body sent with a
 * length would corrupt the response).
 */
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP_RESPONSE.has(name.toLowerCase());
}

/**
 * The CORS response headers: an HTTP API with a CORS configuration ignores a handler's, and sends
 * its own (AWS: "API Gateway ignores CORS headers returned from your backend integration").
 */
export function isCorsHeader(name: string): boolean {
  return name.toLowerCase().startsWith('access-control-');
}

/** Whether a header line can be sent as a handler gave it: a token name, a value without CR, LF or NUL. */
export function isSendableHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/** An HTTP status code a response line can carry. */
export function isStatusCode(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599;
}

/** A header value a proxy response may carry: API Gateway and ALB take strings, numbers and booleans. */
export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * A response body marked `isBase64Encoded`, decoded; undefined when it is not base64 (Node's own
 * decoder would skip what it cannot read and send the rest as garbage). Line breaks are allowed,
 * as MIME encoders (Python's `base64.encodebytes`) put them.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\r?\n/g, '');
  return BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}
