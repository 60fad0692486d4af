import { randomUUID } from 'node:crypto';
import type { FunctionConfig } from '../../config/load.js';
import { buildEnvelope } from '../../router/envelope.js';
import type { SourceContext } from '../source.js';
import type { AuthorizerSettings } from './authorizer-settings.js';
import { evaluatePolicy } from './iam-policy.js';
import type { RouteAuthorizer } from './route.js';
import { isPlainObject, resultValue, type MatchedRoute } from './shape.js';

const AUTHORIZER_ENVELOPE_TYPE = 'aws.apigateway.authorizer';
type Flavour = 'rest' | 'http';
type ProxyEvent = Record<string, unknown> & { requestContext: Record<string, unknown> };
type Refusal = { status: number; document: unknown };

/** API Gateway's answers when an authorizer refuses, per API flavour. */
const REFUSALS: Record<Flavour, Record<'unauthorized' | 'explicitDeny' | 'implicitDeny' | 'failed', Refusal>> = {
  rest: {
    unauthorized: { status: 401, document: { message: 'Unauthorized' } },
    explicitDeny: { status: 403, document: { Message: 'User is not authorized to access this resource with an explicit deny' } },
    implicitDeny: { status: 403, document: { Message: 'User is not authorized to access this resource' } },
    failed: { status: 500, document: { message: null } },
  },
  http: {
    unauthorized: { status: 401, document: { message: 'Unauthorized' } },
    explicitDeny: { status: 403, document: { message: 'Forbidden' } },
    implicitDeny: { status: 403, document: { message: 'Forbidden' } },
    failed: { status: 500, document: { message: 'Internal Server Error' } },
  },
};

/**
 * The route's authorizer: fixed claims, or a Lambda authorizer invoked synchronously with the
 * REQUEST or TOKEN event API Gateway sends (derived from the route's own event, so it has the
 * route's payload format), whose IAM policy or simple response gates the call. Not cached
 * (API Gateway caches for `resultTtlInSeconds`; here every request asks).
 */
export function createAuthorizer(settings: AuthorizerSettings, flavour: Flavour, context: SourceContext): RouteAuthorizer {
  if ('claims' in settings) {
    return { check: async () => ({ outcome: { kind: 'claims', claims: settings.claims, scopes: settings.scopes } }) };
  }
  const refusals = REFUSALS[flavour];
  const type = settings.type ?? (flavour === 'rest' ? 'TOKEN' : 'REQUEST');
  const sources = settings.identitySource ?? (type === 'TOKEN' || flavour === 'http' ? ['$request.header.Authorization'] : []);
  return {
    async check(event, route) {
      const proxy = event as ProxyEvent;
      const identity = sources.map((source) => identityValue(proxy, source));
      if (identity.some((value) => value === undefined || value === '')) return refusals.unauthorized;
      const token = identity[0] as string;
      if (type === 'TOKEN' && settings.validationExpression && !new RegExp(settings.validationExpression).test(token)) return refusals.unauthorized;
      const methodArn = arnOf(proxy, route);
      const request = type === 'TOKEN' ? { type: 'TOKEN', authorizationToken: token, methodArn } : requestEvent(proxy, methodArn, identity as string[]);
      const fn = context.config.functions[settings.function] as FunctionConfig;
      const started = performance.now();
      const id = randomUUID();
      const result = await context.invokeSync(fn, buildEnvelope({ id, source: `triggerhub:authorizer:${fn.name}`, type: AUTHORIZER_ENVELOPE_TYPE, data: request }));
      const integrationLatency = Math.round(performance.now() - started);
      if (result.status !== 'success') return result.error?.errorMessage === 'Unauthorized' ? refusals.unauthorized : refusals.failed;
      const answer = resultValue(result)?.value;
      if (!isPlainObject(answer)) return refusals.failed;
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
    },
  };
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, the methodArn / routeArn. */
function arnOf(event: ProxyEvent, route: MatchedRoute): string {
  const method = String(event.httpMethod ?? (event.requestContext.http as { method: string }).method);
  return `arn:aws:execute-api:${route.region}:${route.accountId}:${route.apiId}/${String(event.requestContext.stage)}/${method}${route.path}`;
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

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
