import type { FastifyRequest } from 'fastify';

/** Headers a proxy consumes (RFC 9110 §7.6.1): never passed on to handlers. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port']);

/** One HTTP request as every event shape (HTTP API 2.0, REST 1.0, ALB) reads it. */
export interface IncomingHttp {
  method: string;
  /** The path as sent (still percent-encoded), without the query. */
  rawPath: string;
  /** The query as sent, without `?`. */
  rawQueryString: string;
  /**
   * Header fields in arrival order, names as sent, as a proxy forwards them: hop-by-hop fields
   * (and those `Connection` names) dropped; `X-Forwarded-For` (the client's chain, then the
   * connection's address), `X-Forwarded-Proto` and `X-Forwarded-Port` set.
   */
  headers: Array<[name: string, value: string]>;
  sourceIp: string;
  userAgent: string;
  /** `HTTP/1.1`. */
  protocol: string;
  /** Empty when the request had no body. */
  body: Buffer;
  contentType: string;
}

export function readRequest(request: FastifyRequest): IncomingHttp {
  const url = request.raw.url ?? '/';
  const queryAt = url.indexOf('?');
  const raw = request.raw.rawHeaders;
  const named = new Set((request.headers.connection ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
  const headers: Array<[string, string]> = [];
  const chain: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (lower === 'x-forwarded-for') chain.push(raw[i + 1]);
    if (HOP_BY_HOP.has(lower) || named.has(lower) || FORWARDED.has(lower)) continue;
    headers.push([raw[i], raw[i + 1]]);
  }
  const sourceIp = plainAddress(request.socket.remoteAddress);
  headers.push(
    ['X-Forwarded-For', [...chain, sourceIp].join(', ')],
    ['X-Forwarded-Proto', 'encrypted' in request.socket ? 'https' : 'http'],
    ['X-Forwarded-Port', String(request.socket.localPort ?? '')],
  );
  return {
    method: request.method,
    rawPath: queryAt === -1 ? url : url.slice(0, queryAt),
    rawQueryString: queryAt === -1 ? '' : url.slice(queryAt + 1),
    headers,
    sourceIp,
    userAgent: request.headers['user-agent'] ?? '',
    protocol: `HTTP/${request.raw.httpVersion}`,
    body: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
    contentType: request.headers['content-type'] ?? '',
  };
}

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket) → `127.0.0.1`. */
function plainAddress(address: string | undefined): string {
  if (!address) return '0.0.0.0';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Headers folded per name: `lower` lower-cases names; values of repeated names in order. */
export function headerValues(incoming: IncomingHttp, lower: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of incoming.headers) {
    const key = lower ? name.toLowerCase() : name;
    const values = out.get(key);
    if (values) values.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** Query parameters decoded (`+` as space), values of repeated names in order. */
export function queryValues(rawQueryString: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const values = out.get(key);
    if (values) values.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** Content types whose bodies HTTP APIs and function URLs pass as text; anything else is base64. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|ld\+json|[\w.+-]+\+(json|xml)))/i;
export function isTextType(contentType: string): boolean {
  return TEXT_TYPES.test(contentType || 'text/plain');
}
