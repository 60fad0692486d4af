import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import type { FunctionConfig } from '../../config/load.js';
import { HubError, isHubError } from '../../errors.js';
import { buildEnvelope } from '../../router/envelope.js';
import { SYNC_PAYLOAD_LIMIT, withinResponseLimit } from '../kit/limits.js';
import { newTraceparent, toXRayHeader, traceFromHeaders } from '../../tracing.js';
import type { Source, SourceContext } from '../source.js';
import { authFailure } from './auth.js';
import { applyCors, sendPreflight } from './cors.js';
import { claimPreflight } from './preflight.js';
import { readRequest, type IncomingHttp } from './request.js';
import { bodyLimitRoute } from '../kit/reject.js';
import { sendRestPreflight, type RestCors } from './rest-cors.js';
import { ALL_METHODS, type AuthSettings, type CorsSettings } from './settings.js';
import { sendForbidden, type UrlIamCheck } from './url-iam.js';
import { sendJson, type AuthorizerOutcome, type HttpShape, type MatchedRoute } from './shape.js';
import { DEFAULT_STAGE, stagePath } from './stage.js';

export { ALL_METHODS };

/**
 * Gates a request before the function runs (authorizer.ts), given the route's event built without
 * an authorizer: an outcome for the event, or the refusal to send.
 */
export interface RouteAuthorizer {
  check(event: unknown, route: MatchedRoute): Promise<{ outcome: AuthorizerOutcome } | AuthorizerRefusal>;
}

/** An authorizer's refusal: API Gateway's status and document, and (REST APIs) the x-amzn-ErrorType it names. */
export interface AuthorizerRefusal { status: number; document: unknown; errorType?: string }

function sendRefusal(reply: FastifyReply, requestId: string, { status, document, errorType }: AuthorizerRefusal): FastifyReply {
  if (errorType) reply.header('x-amzn-ErrorType', errorType);
  return sendJson(reply.header('x-amzn-RequestId', requestId), status, document);
}

export interface RouteSpec {
  fn: FunctionConfig;
  /** The path as configured: `/orders/{id}`, `/files/{proxy+}`. */
  path: string;
  /**
   * HTTP APIs: a named stage serves the route at `/{stage}{path}`, as its invoke URL has it
   * (`$default`, the default, at `path`). REST routes are served without their stage (as `sam
   * local start-api` serves them), so `api` routes leave it out.
   */
  stage?: string;
  methods: string[];
  shape: HttpShape;
  /** Seeds the apiId (`<fn>:<kind>`), so each kind of API of a function has its own. */
  apiName: string;
  /** The domain name used when the request has no Host header. */
  defaultDomain: (apiId: string, region: string) => string;
  /** Prefix removed from the path before the handler sees it (default function URLs). */
  stripPrefix?: string;
  /** Function URLs: the event has no pathParameters whatever the route template. */
  noPathParameters?: boolean;
  cors?: CorsSettings;
  /** REST API CORS: OPTIONS on the path is answered from it (a MOCK integration), never by the function. */
  restCors?: RestCors;
  auth?: AuthSettings;
  authorizer?: RouteAuthorizer;
  /** REST API CORS with `cors.authorizer`: the OPTIONS method's own authorizer, which gates its answer. */
  preflightAuthorizer?: RouteAuthorizer;
  /** AWS_IAM function URLs: the SigV4 check; a refused request gets Lambda's 403 and never runs the function. */
  iam?: UrlIamCheck;
  /**
   * How the service refuses a request too large for it: a body over `bodyBytes` (ALB's 1 MB for
   * Lambda targets; default the server's 6 MB), or an event over Lambda's 6 MB request limit (a
   * 4.5 MB binary body is 6 MB of base64). Default: the Lambda API's 413 (function URLs).
   */
  tooLarge?: { bodyBytes?: number; refuse: (reply: FastifyReply) => FastifyReply };
  /** Set when the service refuses protocol upgrades (ALB: WebSockets to a Lambda target get 400); others invoke without the Upgrade header. */
  refuseUpgrade?: (reply: FastifyReply) => FastifyReply;
  /**
   * API Gateway's integration timeout: past it the caller gets the API's own answer while the
   * invocation runs on to its end (its result is dropped), as on AWS.
   */
  integrationTimeout?: IntegrationTimeout;
}

export interface IntegrationTimeout {
  ms: number;
  answer: (reply: FastifyReply) => FastifyReply;
}

const TIMED_OUT = Symbol('integration timed out');

/** The invocation's result, or TIMED_OUT once `ms` passed first (a later failure of the invocation is then dropped too). */
async function within<T>(invocation: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), ms); });
  try {
    const first = await Promise.race([invocation, timedOut]);
    if (first === TIMED_OUT) invocation.catch(() => undefined);
    return first;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the event is over Lambda's synchronous request limit (6 MB), as measured on AWS: the
 * event's JSON. Only a body of over 1/8 of it can take it there (JSON escapes at most sextuple a
 * byte, headers are at most 16 KB), so smaller requests are not measured.
 */
function overLambdaLimit(incoming: IncomingHttp, event: unknown): boolean {
  return incoming.body.length > SYNC_PAYLOAD_LIMIT / 8 && Buffer.byteLength(JSON.stringify(event)) > SYNC_PAYLOAD_LIMIT;
}

/** A source that only adds routes to the hub's server (intake stops when the server closes). */
export function routeSource(kind: string, fn: FunctionConfig, index: number, register: (context: SourceContext) => void): Source {
  return { id: `${kind}:${fn.name}:${index}`, start: async (context) => register(context), stop: async () => {} };
}

/** Per server: who registered each method and url, to name them when another route takes the same. */
const routeOwners = new WeakMap<object, Map<string, string>>();

/**
 * Registers a route, or fails with the hub's config error naming both routes when one of its
 * methods is already on the same path (fastify's own error names neither: two APIs of a template
 * with `GET /health` each share the hub's one path space).
 */
function addRoute(context: SourceContext, options: RouteOptions, owner: string): void {
  let owners = routeOwners.get(context.app.server);
  if (!owners) routeOwners.set(context.app.server, owners = new Map());
  const methods = [options.method].flat();
  try {
    context.app.route(options);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'FST_ERR_DUPLICATED_ROUTE') throw err;
    const first = methods.map((method) => owners.get(`${method} ${options.url}`)).find((o) => o !== undefined);
    throw new HubError('TH_ERR_CONFIG_INVALID', `${owner}: ${methods.join(',')} on this path is already served${first ? ` by ${first}` : ''}: the hub serves every API on one port, so two routes may not share a method and path (give one another path or stage)`, { cause: err });
  }
  for (const method of methods) owners.set(`${method} ${options.url}`, owner);
}

/** A `{name}` or greedy `{name+}` parameter of a path template. */
const PATH_PARAM = /\{([\w.-]+)(\+?)\}/g;

/** A path template's parameter: its name in the template, and the key fastify's params hold it under. */
interface RouteParam { name: string; greedy: boolean; key: string }

/**
 * `/orders/{id}` → `/orders/:p0`, `/files/{proxy+}` → `/files/*`; returns the params too. Fastify
 * (find-my-way) reads `-` and `.` as the end of a parameter's name and `:` as the start of one, so
 * parameters get positional keys and literal colons are escaped (`::`): API Gateway allows
 * `{user.id}`, `{my-id}` and `/items:search`.
 */
export function toFastifyPath(path: string): { url: string; params: RouteParam[] } {
  const params: RouteParam[] = [];
  const literal = (text: string) => text.replaceAll(':', '::');
  let url = '';
  let from = 0;
  for (const match of path.matchAll(PATH_PARAM)) {
    const greedy = match[2] === '+';
    const key = greedy ? '*' : `p${params.length}`;
    params.push({ name: match[1], greedy, key });
    url += literal(path.slice(from, match.index)) + (greedy ? '*' : `:${key}`);
    from = match.index + match[0].length;
  }
  return { url: url + literal(path.slice(from)), params };
}

/**
 * The request path as the event builders take it (MatchedRoute.path): a named stage's route without
 * its first segment (`/dev/items/1` → `/items/1`, `/dev` → `/`), a function URL's without
 * `/urls/<fn>`, however the client encoded them (`/urls/ech%6F/x` routes to `echo`: `/x`).
 */
function pathWithin(spec: RouteSpec, rawPath: string): string {
  if ((spec.stage ?? DEFAULT_STAGE) !== DEFAULT_STAGE) return withoutSegments(rawPath, 1);
  return spec.stripPrefix ? withoutSegments(rawPath, spec.stripPrefix.split('/').length - 1) : rawPath;
}

/** `rawPath` without its first `count` segments (`/` when nothing is left). */
function withoutSegments(rawPath: string, count: number): string {
  let at = 0;
  for (let i = 0; i < count; i++) {
    const next = rawPath.indexOf('/', at + 1);
    if (next === -1) return '/';
    at = next;
  }
  return rawPath.slice(at);
}

/** Registers one HTTP route that invokes `spec.fn` synchronously per request, in `spec.shape`. */
export function registerRoute(context: SourceContext, spec: RouteSpec): void {
  const servedAt = stagePath(spec.stage ?? DEFAULT_STAGE, spec.path);
  const { url, params } = toFastifyPath(servedAt);
  const served = (spec.methods.includes('ANY') ? [...ALL_METHODS] : [...spec.methods]) as HTTPMethods[];
  // A REST API's CORS OPTIONS method takes OPTIONS from an ANY route, as on API Gateway.
  const methods = spec.restCors ? served.filter((m) => m !== 'OPTIONS') : served;
  const apiId = createHash('sha256').update(spec.apiName).digest('hex').slice(0, 10);
  const { accountId, region } = context.config;
  /** The route and its event for a request, before any authorizer ran. */
  const eventOf = (request: FastifyRequest, incoming: IncomingHttp, { id, time, iam }: { id: string; time: Date; iam?: MatchedRoute['iam'] }) => {
    const routeParams = request.params as Record<string, string>;
    const route: MatchedRoute = {
      resource: spec.path,
      path: pathWithin(spec, incoming.rawPath),
      pathParameters: params.length && !spec.noPathParameters
        ? Object.fromEntries(params.map((p) => [p.name, routeParams[p.key]]))
        : undefined,
      accountId,
      region,
      apiId,
      domainName: request.headers.host ?? spec.defaultDomain(apiId, region),
      iam,
    };
    return { route, data: spec.shape.build(incoming, route, id, time) };
  };
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (spec.refuseUpgrade && request.headers.upgrade) return spec.refuseUpgrade(reply);
    if (spec.cors && request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return sendPreflight(spec.cors, request, reply);
    }
    applyCors(spec.cors, request, reply);
    const denied = authFailure(spec.auth, request);
    if (denied) return sendJson(reply, 401, { message: `Unauthorized: ${denied}` });
    const incoming = readRequest(request);
    // The load balancer / gateway adds X-Amzn-Trace-Id when the client sent none (Powertools reads
    // an ALB event's correlation id there): the Root of the trace the invocation gets.
    const traceparent = traceFromHeaders(request.headers) ?? newTraceparent();
    if (request.headers['x-amzn-trace-id'] === undefined) incoming.headers.push(['X-Amzn-Trace-Id', toXRayHeader(traceparent)!.split(';')[0]]);
    const id = randomUUID();
    const signer = spec.iam && await spec.iam(incoming);
    if (signer && 'reason' in signer) {
      context.logger.debug({ event: 'function_url_auth_denied', function: spec.fn.name, reason: signer.reason }, 'function URL request refused (AWS_IAM)');
      return sendForbidden(reply, id);
    }
    const time = new Date();
    const { route, data } = eventOf(request, incoming, { id, time, iam: signer?.identity });
    if (overLambdaLimit(incoming, data)) {
      if (spec.tooLarge) return spec.tooLarge.refuse(reply);
      throw new HubError('TH_ERR_REQUEST_TOO_LARGE', `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
    }
    if (spec.authorizer) {
      const verdict = await spec.authorizer.check(data, route);
      if (!('outcome' in verdict)) return sendRefusal(reply, id, verdict);
      route.authorizer = verdict.outcome;
    }
    const envelope = buildEnvelope({
      id,
      time,
      source: `triggerhub:http:${spec.fn.name}`,
      type: spec.shape.envelopeType,
      subject: spec.path,
      data: route.authorizer ? spec.shape.build(incoming, route, id, time) : data,
      traceparent,
    });
    const responder = spec.shape.streaming?.(reply.header('x-amzn-RequestId', id));
    const invocation = context.invokeSync(spec.fn, envelope, { stream: responder });
    const timeout = responder ? undefined : spec.integrationTimeout;
    let result: Awaited<typeof invocation> | typeof TIMED_OUT;
    try {
      result = timeout ? await within(invocation, timeout.ms) : await invocation;
    } catch (err) {
      // Reserved concurrency used up (the invocation never ran): the service's own failure answer.
      if (spec.shape.throttled && isHubError(err, 'TH_ERR_THROTTLED')) return spec.shape.throttled(reply.header('x-amzn-RequestId', id));
      throw err;
    }
    if (result === TIMED_OUT) {
      context.logger.info({ event: 'integration_timeout', function: spec.fn.name, requestId: id, timeoutMs: timeout!.ms },
        `${spec.path}: the function did not answer within the integration timeout (${timeout!.ms} ms); it runs on, its result is dropped`);
      return timeout!.answer(reply.header('x-amzn-RequestId', id));
    }
    // Lambda fails a buffered response over its limit (Function.ResponseSizeTooLarge): each service's failure answer.
    return responder ? responder.finish(result.streamed ? result : withinResponseLimit(result)) : spec.shape.send(reply, withinResponseLimit(result));
  };
  // A route serves the methods it names: HEAD only when it names HEAD (or ANY), as API Gateway and
  // ALB listener rules match methods (fastify would otherwise serve HEAD with a GET route's handler).
  // A route's own body limit (ALB's 1 MB) stops reading there and answers its way, whatever the size.
  const { tooLarge } = spec;
  const limit: Partial<RouteOptions> = tooLarge?.bodyBytes ? bodyLimitRoute(tooLarge.bodyBytes, tooLarge.refuse) : {};
  const by = `${spec.apiName} ${servedAt}`;
  addRoute(context, { method: methods, url, handler, exposeHeadRoute: false, ...limit }, `function ${spec.fn.name} (${by})`);
  const { restCors, cors, preflightAuthorizer } = spec;
  if (restCors) {
    // The OPTIONS method's authorizer (SAM's DefaultAuthorizer) runs first, on the OPTIONS request's own event and method ARN.
    const answer = async (request: FastifyRequest, reply: FastifyReply, pathMethods: string[]) => {
      if (preflightAuthorizer) {
        const id = randomUUID();
        const { route, data } = eventOf(request, readRequest(request), { id, time: new Date() });
        const verdict = await preflightAuthorizer.check(data, route);
        if (!('outcome' in verdict)) return sendRefusal(reply, id, verdict);
      }
      return sendRestPreflight(restCors, pathMethods, request, reply);
    };
    claimPreflight(context.app, url, { by, methods: spec.methods, settings: restCors, answer }, limit);
  } else if (cors && !methods.includes('OPTIONS')) {
    claimPreflight(context.app, url, { by, methods: spec.methods, settings: cors, answer: (request, reply) => handler(request, reply) }, limit);
  }
}
