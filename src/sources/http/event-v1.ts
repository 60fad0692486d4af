import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { headerValues, isTextType, queryValues, type IncomingHttp } from './request.js';
import type { AuthorizerOutcome, MatchedRoute } from './shape.js';
import { stagePath } from './stage.js';
import { clfTime } from '../../time.js';

/** Where the 1.0 event differs between a REST API and an HTTP API using payload format 1.0. */
export interface V1Options {
  /**
   * The stage (REST: `Prod`; HTTP API: `$default` or a named one), in requestContext.path; an HTTP
   * API's named stage is in `path` too, as HTTP APIs serve it (REST's `path` is the resource's).
   */
  stage: string;
  stageVariables?: Record<string, string>;
  /** REST: content types passed base64 (`binaryMediaTypes`, wildcards allowed); HTTP API: undefined (non-text types are). */
  binaryMediaTypes?: string[];
  /** HTTP API only: the route key (`GET /items/{id}`), also the event's `version: '1.0'`. */
  routeKey?: string;
}

/**
 * The payload format 1.0 (REST API proxy integration) event: header and query names as sent,
 * single values (the last one) beside multiValue lists, null where a part is absent, the stage
 * in requestContext.path (and an HTTP API's in path).
 */
export function buildV1Event(incoming: IncomingHttp, route: MatchedRoute, options: V1Options, requestId: string, now: Date): APIGatewayProxyEvent {
  const headers = headerValues(incoming, false);
  const query = queryValues(incoming.rawQueryString);
  const hasBody = incoming.body.length > 0;
  const binary = hasBody && (options.binaryMediaTypes ? matchesMediaType(incoming.contentType, options.binaryMediaTypes) : !isTextType(incoming.contentType));
  const http = options.routeKey !== undefined;
  const requestContext: APIGatewayProxyEvent['requestContext'] & { routeKey?: string } = {
    accountId: route.accountId,
    apiId: route.apiId,
    authorizer: route.authorizer ? v1Authorizer(route.authorizer, !http) : undefined,
    domainName: route.domainName,
    domainPrefix: route.domainName.split('.')[0],
    extendedRequestId: randomBytes(8).toString('base64url').slice(0, 10) + '=',
    httpMethod: incoming.method,
    identity: identity(incoming),
    path: stagePath(options.stage, route.path),
    protocol: incoming.protocol,
    requestId,
    requestTime: clfTime(now.getTime()),
    requestTimeEpoch: now.getTime(),
    resourceId: http ? options.routeKey! : randomBytes(3).toString('hex'),
    resourcePath: route.resource,
    stage: options.stage,
  };
  if (!requestContext.authorizer) delete requestContext.authorizer;
  if (http) requestContext.routeKey = options.routeKey;
  const event: APIGatewayProxyEvent & { version?: string } = {
    resource: route.resource,
    path: http ? stagePath(options.stage, route.path) : route.path,
    httpMethod: incoming.method,
    headers: Object.fromEntries([...headers].map(([name, values]) => [name, values.at(-1)!])),
    multiValueHeaders: Object.fromEntries(headers),
    queryStringParameters: query.size ? Object.fromEntries([...query].map(([name, values]) => [name, values.at(-1)!])) : null,
    multiValueQueryStringParameters: query.size ? Object.fromEntries(query) : null,
    pathParameters: route.pathParameters ?? null,
    stageVariables: options.stageVariables && Object.keys(options.stageVariables).length ? { ...options.stageVariables } : null,
    requestContext,
    body: hasBody ? incoming.body.toString(binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: binary,
  };
  return http ? { version: '1.0', ...event } : event;
}

function identity(incoming: IncomingHttp): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
    cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null,
    principalOrgId: null, sourceIp: incoming.sourceIp, user: null, userAgent: incoming.userAgent, userArn: null,
  };
}

/**
 * REST's requestContext.authorizer: `{ claims }` (Cognito) or `{ principalId, integrationLatency, ...context }`
 * (Lambda). A REST API hands the authorizer's context values on as strings (`1` → `"1"`, `true` →
 * `"true"`: "the returned values are all stringified"); `stringify` is false for an HTTP API's 1.0 events.
 */
function v1Authorizer(outcome: AuthorizerOutcome, stringify: boolean): APIGatewayProxyEvent['requestContext']['authorizer'] {
  if (outcome.kind === 'claims') return outcome.scopes ? { claims: outcome.claims, scopes: outcome.scopes } : { claims: outcome.claims };
  const context = stringify ? Object.fromEntries(Object.entries(outcome.context).map(([key, value]) => [key, String(value)])) : outcome.context;
  return { ...context, principalId: outcome.principalId ?? '', integrationLatency: outcome.integrationLatency };
}

/** `image/png` against `image/*`, `*\/*` or itself (parameters after `;` ignored). */
export function matchesMediaType(contentType: string, patterns: string[]): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!type) return false;
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*/*' || p === type) return true;
    return p.endsWith('/*') && type.startsWith(p.slice(0, -1));
  });
}
