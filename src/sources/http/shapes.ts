import type { FastifyReply } from 'fastify';
import { SYNC_PAYLOAD_LIMIT } from '../kit/limits.js';
import { buildHttpEvent } from './event.js';
import { buildV1Event, type V1Options } from './event-v1.js';
import { sendHttpResult } from './response.js';
import { sendV1Result } from './response-v1.js';
import { sendJson, type HttpShape, type MatchedRoute } from './shape.js';
import { DEFAULT_STAGE } from './stage.js';
import { DEFAULT_ROUTE } from './settings.js';
import { functionUrlStream } from './stream-response.js';

export const ENVELOPE_TYPES = {
  url: 'aws.lambda.url',
  httpV2: 'aws.apigateway.http.v2',
  httpV1: 'aws.apigateway.http.v1',
  rest: 'aws.apigateway.rest',
} as const;

/**
 * Function URLs: payload 2.0, route key `$default`, no path parameters; results mapped as function
 * URLs do. An open URL's (auth type NONE) `requestContext.accountId` is `anonymous`, as Lambda sends
 * it (its documentation names the owner's account; the events it sends do not).
 */
export const functionUrlShape: HttpShape = {
  envelopeType: ENVELOPE_TYPES.url,
  build: (incoming, route, requestId, now) =>
    buildHttpEvent(incoming, route.iam ? route : { ...route, accountId: 'anonymous' }, { routeKey: '$default', stage: DEFAULT_STAGE }, requestId, now),
  send: sendHttpResult,
};

/** A function URL whose invoke mode is RESPONSE_STREAM. */
export const streamingFunctionUrlShape: HttpShape = { ...functionUrlShape, streaming: functionUrlStream };

/** `METHOD /path` (or `ANY /path` for a route of every method; `$default` for the catch-all), as HTTP APIs name routes. */
export function routeKeyOf(methods: string[], path: string, method: string): string {
  if (path === DEFAULT_ROUTE) return DEFAULT_ROUTE;
  return `${methods.includes('ANY') ? 'ANY' : method} ${path}`;
}

/**
 * HTTP APIs send the request path decoded (`/a b`, `/100%` for `/a%20b`, `/100%25`) in `rawPath` and
 * `requestContext.http.path` (1.0: `path` and `requestContext.path`), where function URLs and REST
 * APIs keep it as the client sent it (captured events; AWS documents neither).
 */
function decodedPath(route: MatchedRoute): MatchedRoute {
  try {
    return { ...route, path: decodeURIComponent(route.path) };
  } catch {
    return route; // the router decodes a path before it routes one: not reached
  }
}

/**
 * An HTTP API route on payload format 2.0 or 1.0, on `stage` (its route key is the path without the
 * stage). With `cors` configured, the handler's CORS headers are ignored (the route sends its own).
 */
export function httpApiShape(methods: string[], path: string, version: '1.0' | '2.0', stage: string, cors = false): HttpShape {
  if (version === '2.0') {
    return {
      envelopeType: ENVELOPE_TYPES.httpV2,
      build: (incoming, route, requestId, now) =>
        buildHttpEvent(incoming, decodedPath(route), { routeKey: routeKeyOf(methods, path, incoming.method), stage }, requestId, now),
      // A failed invocation or a malformed response is HTTP APIs' 500, not function URLs' 502.
      send: (reply, result) => sendHttpResult(reply, result, (failed) => sendJson(failed, 500, { message: 'Internal Server Error' }), cors),
      throttled: httpApiThrottled,
    };
  }
  return {
    envelopeType: ENVELOPE_TYPES.httpV1,
    build: (incoming, route, requestId, now) =>
      buildV1Event(incoming, decodedPath(route), { stage, routeKey: routeKeyOf(methods, path, incoming.method) }, requestId, now),
    send: (reply, result) => sendV1Result(reply, result, 'http', cors),
    throttled: httpApiThrottled,
  };
}

/** An HTTP API whose function Lambda throttles answers its integration failure, 500. */
const httpApiThrottled = (reply: FastifyReply) => sendJson(reply, 500, { message: 'Internal Server Error' });

/** A REST API (API Gateway v1) proxy integration. */
export function restShape(options: V1Options): HttpShape {
  return {
    envelopeType: ENVELOPE_TYPES.rest,
    build: (incoming, route, requestId, now) => buildV1Event(incoming, route, options, requestId, now),
    send: (reply, result) => sendV1Result(reply, result, 'rest', false, options.binaryMediaTypes ?? []),
    // A REST API turns Lambda's 429 into 500 {"message": "Internal server error"}: a proxy
    // integration cannot pass a throttle on (AWS re:Post, "API Gateway proxy integration does not forward Lambda throttling").
    throttled: (reply) => sendJson(reply.header('x-amzn-ErrorType', 'InternalServerErrorException'), 500, { message: 'Internal server error' }),
  };
}

/** HTTP APIs answer an integration that took too long with 503 (both payload versions). */
export const httpApiTimeout = (ms: number) => ({ ms, answer: (reply: FastifyReply) => sendJson(reply, 503, { message: 'Service Unavailable' }) });

/** REST APIs answer an integration that took too long with 504. */
export const restTimeout = (ms: number) => ({ ms, answer: (reply: FastifyReply) => sendJson(reply, 504, { message: 'Endpoint request timed out' }) });

/**
 * API Gateway's answer to a request Lambda would refuse as too large (an event over 6 MB): 413
 * `{"message": "Request Too Long"}`, as REST APIs answer it (HTTP APIs document none; the hub gives
 * theirs the same).
 */
export const apiGatewayTooLarge = {
  bodyBytes: SYNC_PAYLOAD_LIMIT,
  refuse: (reply: FastifyReply) => sendJson(reply.header('x-amzn-ErrorType', 'BadRequestException'), 413, { message: 'Request Too Long' }),
};
