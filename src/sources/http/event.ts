import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FastifyRequest } from 'fastify';

/** Content types whose bodies reach the handler as text; anything else is base64 (isBase64Encoded). */
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|ld\+json|[\w.+-]+\+(json|xml)))/i;

export interface RouteInfo {
  /** `$default` for function URLs, `METHOD /path` for configured routes. */
  routeKey: string;
  accountId: string;
  apiId: string;
  domainName: string;
  pathParameters?: Record<string, string>;
  /** Removed from the start of rawPath (the `/urls/<fn>` of default function URLs). */
  stripPrefix?: string;
}

/**
 * The API Gateway HTTP API payload format 2.0 event (as function URLs send it) for one request:
 * lower-cased headers (repeats joined by commas), cookies split out, query parameters with
 * repeated values comma-joined, binary bodies base64-encoded.
 */
export function buildHttpEvent(request: FastifyRequest, route: RouteInfo, requestId: string, now = new Date()): APIGatewayProxyEventV2 {
  const [fullPath, rawQueryString = ''] = splitUrl(request.raw.url ?? '/');
  const rawPath = route.stripPrefix && fullPath.startsWith(route.stripPrefix) ? fullPath.slice(route.stripPrefix.length) || '/' : fullPath;
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.raw.rawHeaders.length; i += 2) {
    const name = request.raw.rawHeaders[i].toLowerCase();
    if (name === 'cookie') continue;
    const value = request.raw.rawHeaders[i + 1];
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const cookieHeader = request.headers.cookie;
  const cookies = cookieHeader ? cookieHeader.split(/;\s*/).filter(Boolean) : undefined;
  const body = request.body as Buffer | undefined;
  const hasBody = body !== undefined && body.length > 0;
  const binary = hasBody && !TEXT_TYPES.test(request.headers['content-type'] ?? 'text/plain');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: route.accountId,
      apiId: route.apiId,
      domainName: route.domainName,
      domainPrefix: route.apiId,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.raw.httpVersion}`,
        sourceIp: request.ip,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: binary,
  };
  if (cookies) event.cookies = cookies;
  const query = queryParameters(rawQueryString);
  if (query) event.queryStringParameters = query;
  if (route.pathParameters && Object.keys(route.pathParameters).length) event.pathParameters = route.pathParameters;
  if (hasBody) event.body = binary ? body.toString('base64') : body.toString('utf8');
  return event;
}

function splitUrl(url: string): [string, string?] {
  const index = url.indexOf('?');
  return index === -1 ? [url] : [url.slice(0, index), url.slice(index + 1)];
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the format requestContext.time uses. */
function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
