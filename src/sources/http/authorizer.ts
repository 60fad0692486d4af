import { randomUUID } from 'node:crypto';
import { arnOf } from '../../arn.js';
import type { FunctionConfig } from '../../config/load.js';
import { buildEnvelope } from '../../router/envelope.js';
import type { SourceContext } from '../source.js';
import type { AuthorizerSettings } from './authorizer-settings.js';
import { evaluatePolicy } from './iam-policy.js';
import type { AuthorizerRefusal, RouteAuthorizer } from './route.js';
import { isPlainObject, isScalar, resultValue, type MatchedRoute } from './shape.js';

const AUTHORIZER_ENVELOPE_TYPE = 'aws.apigateway.authorizer';
type Flavour = 'rest' | 'http';
type ProxyEvent = Record<string, unknown> & { requestContext: Record<string, unknown> };
type Verdict = Awaited<ReturnType<RouteAuthorizer['check']>>;

/** API Gateway's answers when an authorizer refuses, per API flavour (REST names the gateway response's exception in x-amzn-ErrorType; HTTP APIs send none). */
const REFUSALS: Record<Flavour, Record<'unauthorized' | 'explicitDeny' | 'implicitDeny' | 'failed', AuthorizerRefusal>> = {
  rest: {
    unauthorized: { status: 401, document: { message: 'Unauthorized' }, errorType: 'UnauthorizedException' },
    explicitDeny: { status: 403, document: { Message: 'User is not authorized to access this resource with an explicit deny' }, errorType: 'AccessDeniedException' },
    implicitDeny: { status: 403, document: { Message: 'User is not authorized to access this resource' }, errorType: 'AccessDeniedException' },
    failed: { status: 500, document: { message: null }, errorType: 'AuthorizerConfigurationException' },
  },
  http: {
    unauthorized: { status: 401, document: { message: 'Unauthorized' } },
    explicitDeny: { status: 403, document: { message: 'Forbidden' } },
    implicitDeny: { status: 403, document: { message: 'Forbidden' } },
    failed: { status: 500, document: { message: 'Internal Server Error' } },
  },
};

/** An authorizer's answer kept for `resultTtlInSeconds`, per API and authorizer, by identity source values. */
interface CachedAnswer { answer: Record<string, unknown>; expires: number }
type AnswerCache = Map<string, CachedAnswer>;
/** At most this many identities per authorizer are remembered (the oldest go first): callers choose the keys. */
const CACHE_ENTRIES = 10_000;
/** Per server (so per hub): the routes of one API with one authorizer share its cache, as on API Gateway. */
const caches = new WeakMap<object, Map<string, AnswerCache>>();

function cacheFor(server: object, key: string): AnswerCache {
  let byKey = caches.get(server);
  if (!byKey) caches.set(server, byKey = new Map());
  let cache = byKey.get(key);
  if (!cache) byKey.set(key, cache = new Map());
  return cache;
}

/**
 * The route's authorizer: fixed claims, or a Lambda authorizer invoked synchronously with the
 * REQUEST or TOKEN event API Gateway sends (derived from the route's own event, so it has the
 * route's payload format), whose IAM policy or simple response gates the call. With
 * `resultTtlInSeconds`, an answer (policy and context, or simple response) is reused for the same
 * identity source values on every route of the API with this authorizer, its policy evaluated
 * against each request's own method ARN, as API Gateway's cache does; refusals and failures are
 * not kept.
 */
export function createAuthorizer(settings: AuthorizerSettings, flavour: Flavour, context: SourceContext): RouteAuthorizer {
  if ('claims' in settings) {
    return { check: async () => ({ outcome: { kind: 'claims', claims: settings.claims, scopes: settings.scopes } }) };
  }
  const refusals = REFUSALS[flavour];
  const type = settings.type ?? (flavour === 'rest' ? 'TOKEN' : 'REQUEST');
  const sources = settings.identitySource ?? (type === 'TOKEN' || flavour === 'http' ? ['$request.header.Authorization'] : []);
  /** The answer's verdict for one request: its simple response, or its policy on the request's method ARN. */
  const judge = (answer: Record<string, unknown>, methodArn: string, integrationLatency: number): Verdict => {
    const authContext = answer.context ?? {};
    if (!isPlainObject(authContext) || (flavour === 'rest' && !Object.values(authContext).every(isScalar))) return refusals.failed;
    if (settings.enableSimpleResponses && flavour === 'http') {
      if (typeof answer.isAuthorized !== 'boolean') return refusals.failed;
      return answer.isAuthorized ? { outcome: { kind: 'lambda', context: authContext, integrationLatency } } : refusals.explicitDeny;
    }
    const decision = evaluatePolicy(answer.policyDocument, methodArn);
    if (decision === undefined || (flavour === 'rest' && typeof answer.principalId !== 'string')) return refusals.failed;
    if (decision !== 'allow') return decision === 'deny' ? refusals.explicitDeny : refusals.implicitDeny;
    const principalId = typeof answer.principalId === 'string' ? answer.principalId : undefined;
    return { outcome: { kind: 'lambda', principalId, context: authContext, integrationLatency } };
  };
  return {
    async check(event, route) {
      const proxy = event as ProxyEvent;
      const identity = sources.map((source) => identityValue(proxy, source));
      if (identity.some((value) => value === undefined || value === '')) return refusals.unauthorized;
      const token = identity[0] as string;
      if (type === 'TOKEN' && settings.validationExpression && !new RegExp(settings.validationExpression).test(token)) return refusals.unauthorized;
      const methodArn = methodArnOf(proxy, route);
      const cache = settings.resultTtlInSeconds > 0
        ? cacheFor(context.app.server, `${route.apiId}\0${settings.function}\0${type}\0${sources.join('\0')}`)
        : undefined;
      const cacheKey = JSON.stringify(identity);
      const cached = cache?.get(cacheKey);
      if (cached && cached.expires > Date.now()) return judge(cached.answer, methodArn, 0);
      const request = type === 'TOKEN' ? { type: 'TOKEN', authorizationToken: token, methodArn } : requestEvent(proxy, methodArn, identity as string[]);
      const fn = context.config.functions[settings.function] as FunctionConfig;
      const started = performance.now();
      const result = await context.invokeSync(fn, buildEnvelope({ id: randomUUID(), source: `triggerhub:authorizer:${fn.name}`, type: AUTHORIZER_ENVELOPE_TYPE, data: request }));
      if (result.status !== 'success') return result.error?.errorMessage === 'Unauthorized' ? refusals.unauthorized : refusals.failed;
      const answer = resultValue(result)?.value;
      if (!isPlainObject(answer)) return refusals.failed;
      const verdict = judge(answer, methodArn, Math.round(performance.now() - started));
      if (cache && verdict !== refusals.failed) remember(cache, cacheKey, { answer, expires: Date.now() + settings.resultTtlInSeconds * 1000 });
      return verdict;
    },
  };
}

/** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, the methodArn / routeArn. */
function methodArnOf(event: ProxyEvent, route: MatchedRoute): string {
  const method = String(event.httpMethod ?? (event.requestContext.http as { method: string }).method);
  return arnOf(route.region, 'execute-api', route.accountId, `${route.apiId}/${String(event.requestContext.stage)}/${method}${route.path}`);
}

/** A header (any case) or query parameter named by `method.request.header.X` / `$request.querystring.x`. */
function identityValue(event: ProxyEvent, source: string): string | undefined {
  const [, where, name] = /(header|querystring)\.(.+)$/.exec(source)!;
  const map = (where === 'header' ? event.headers : event.queryStringParameters) as Record<string, string> | null | undefined;
  if (!map) return undefined;
  if (where === 'querystring') return Object.hasOwn(map, name) ? map[name] : undefined;
  const key = Object.keys(map).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : map[key];
}

/** The REQUEST authorizer event: the route's event without its body, per payload format. */
function requestEvent(event: ProxyEvent, arn: string, identitySource: string[]): Record<string, unknown> {
  const { body: _body, isBase64Encoded: _encoded, ...rest } = event;
  if (event.version === '2.0') return { version: '2.0', type: 'REQUEST', routeArn: arn, identitySource, ...rest };
  return {
    type: 'REQUEST', methodArn: arn, ...rest,
    queryStringParameters: rest.queryStringParameters ?? {},
    multiValueQueryStringParameters: rest.multiValueQueryStringParameters ?? {},
    pathParameters: rest.pathParameters ?? {},
    stageVariables: rest.stageVariables ?? {},
  };
}

function remember(cache: AnswerCache, key: string, entry: CachedAnswer): void {
  cache.delete(key);
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, entry);
}
