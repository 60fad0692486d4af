import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithRequestContext } from 'aws-lambda';
import { headerValues, isTextType, queryValues, type IncomingHttp } from './request.js';
import type { AuthorizerOutcome, MatchedRoute } from './shape.js';
import { stagePath } from './stage.js';
import { setOwn } from '../../own.js';
import { clfTime } from '../../time.js';

/** Where 2.0 events differ: HTTP API routes (and their stage), function URLs (`$default` both). */
export interface V2Options {
  /** `GET /items/{id}` (the route's own path, never the stage), or `$default`. */
  routeKey: string;
  /** A named stage is in rawPath and requestContext.http.path, as HTTP APIs send it; `$default` is not. */
  stage: string;
}

/**
 * The payload format 2.0 event (HTTP APIs, and function URLs when `routeKey` is `$default` and
 * there are no path parameters) for one request: lower-cased headers (repeats joined by commas),
 * cookies split out, query parameters with repeated values comma-joined, binary bodies base64.
 */
export function buildHttpEvent(incoming: IncomingHttp, route: MatchedRoute, { routeKey, stage }: V2Options, requestId: string, now: Date): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of headerValues(incoming, true)) {
    if (name === 'cookie') cookies = values.flatMap((v) => v.split(/;\s*/)).filter(Boolean);
    else setOwn(headers, name, values.join(','));
  }
  const hasBody = incoming.body.length > 0;
  const binary = hasBody && !isTextType(incoming.contentType);
  const path = stagePath(stage, route.path);
  const event: APIGatewayProxyEventV2WithRequestContext<APIGatewayProxyEventV2['requestContext'] & { authorizer?: unknown }> = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: incoming.rawQueryString,
    headers,
    requestContext: {
      accountId: route.accountId,
      apiId: route.apiId,
      domainName: route.domainName,
      domainPrefix: route.domainName.split('.')[0],
      http: { method: incoming.method, path, protocol: incoming.protocol, sourceIp: incoming.sourceIp, userAgent: incoming.userAgent },
      requestId,
      routeKey,
      stage,
      time: clfTime(now.getTime()),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: binary,
  };
  if (route.authorizer) event.requestContext.authorizer = v2Authorizer(route.authorizer);
  if (route.iam) event.requestContext.authorizer = { iam: route.iam };
  if (cookies?.length) event.cookies = cookies;
  const query = queryValues(incoming.rawQueryString);
  if (query.size) event.queryStringParameters = Object.fromEntries([...query].map(([k, v]) => [k, v.join(',')]));
  if (route.pathParameters) event.pathParameters = route.pathParameters;
  if (hasBody) event.body = binary ? incoming.body.toString('base64') : incoming.body.toString('utf8');
  return event as APIGatewayProxyEventV2;
}

/** `requestContext.authorizer` of HTTP APIs: `{ jwt: { claims, scopes } }` or `{ lambda: context }`. */
function v2Authorizer(outcome: AuthorizerOutcome): unknown {
  if (outcome.kind === 'claims') return { jwt: { claims: outcome.claims, scopes: outcome.scopes ?? null } };
  return { lambda: outcome.context };
}
