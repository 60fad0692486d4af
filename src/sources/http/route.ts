import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { FunctionConfig } from '../../config/load.js';
import { buildEnvelope } from '../../router/envelope.js';
import { traceFromHeaders } from '../../tracing.js';
import type { SourceContext } from '../source.js';
import { authFailure } from './auth.js';
import { applyCors, sendPreflight } from './cors.js';
import { buildHttpEvent } from './event.js';
import { sendHttpResult } from './response.js';
import type { AuthSettings, CorsSettings } from './settings.js';

export const HTTP_ENVELOPE_TYPE = 'aws.apigateway.http.v2';
const ALL_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export interface RouteSpec {
  fn: FunctionConfig;
  /** The path as configured: `/orders/{id}`, `/files/{proxy+}`. */
  path: string;
  methods: string[];
  /** `$default` (function URL) or `METHOD /path`. */
  routeKey: (method: string) => string;
  /** Prefix removed from rawPath before the handler sees it (default function URLs). */
  stripPrefix?: string;
  cors?: CorsSettings;
  auth?: AuthSettings;
}

/** `/orders/{id}` → `/orders/:id`, `/files/{proxy+}` → `/files/*`; returns the param names too. */
export function toFastifyPath(path: string): { url: string; params: Array<{ name: string; greedy: boolean }> } {
  const params: Array<{ name: string; greedy: boolean }> = [];
  const url = path.replace(/\{([\w-]+)(\+?)\}/g, (_m, name: string, plus: string) => {
    params.push({ name, greedy: plus === '+' });
    return plus ? '*' : `:${name}`;
  });
  return { url, params };
}

/** Registers one HTTP route that invokes `spec.fn` synchronously per request. */
export function registerRoute(context: SourceContext, spec: RouteSpec): void {
  const { url, params } = toFastifyPath(spec.path);
  const methods = spec.methods.includes('ANY') ? [...ALL_METHODS] : ([...spec.methods] as HTTPMethods[]);
  const apiId = createHash('sha256').update(spec.fn.name).digest('hex').slice(0, 32);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (spec.cors && request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return sendPreflight(spec.cors, request, reply);
    }
    const denied = authFailure(spec.auth, request);
    if (denied) return reply.code(401).header('content-type', 'application/json').send(JSON.stringify({ message: `Unauthorized: ${denied}` }));
    applyCors(spec.cors, request, reply);
    const routeParams = request.params as Record<string, string>;
    const pathParameters = Object.fromEntries(params.map((p) => [p.name, routeParams[p.greedy ? '*' : p.name]]));
    const envelope = buildEnvelope({
      source: `triggerhub:http:${spec.fn.name}`,
      type: HTTP_ENVELOPE_TYPE,
      subject: spec.path,
      data: null as unknown,
      traceparent: traceFromHeaders(request.headers),
    });
    envelope.data = buildHttpEvent(request, {
      routeKey: spec.routeKey(request.method),
      accountId: context.config.accountId,
      apiId,
      domainName: request.headers.host ?? `${apiId}.lambda-url.${context.config.region}.on.aws`,
      pathParameters,
      stripPrefix: spec.stripPrefix,
    }, envelope.id);
    const result = await context.invokeSync(spec.fn, envelope);
    return sendHttpResult(reply, result);
  };
  context.app.route({ method: methods, url, handler });
  if (spec.cors && !methods.includes('OPTIONS')) context.app.route({ method: 'OPTIONS', url, handler });
}
