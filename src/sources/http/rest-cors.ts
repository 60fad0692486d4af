import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { intBetween } from '../kit/settings.js';
import { lambdaAuthorizerSchema } from './authorizer-settings.js';
import { ALL_METHODS } from './settings.js';

/** A header value API Gateway would send: printable ASCII, no line breaks. */
const headerValue = z.string()
  .min(1, { error: 'must not be empty' })
  .regex(/^[\x20-\x7e]+$/, { error: 'must be printable ASCII text (it is sent as a header value)' });
/** A header's value given as its text (`'GET,POST'`, sent as is) or a list (joined with commas). */
const headerList = z.union([headerValue, z.array(headerValue).min(1, { error: 'must not be empty' })], { error: 'must be text or a list of texts' })
  .transform((value) => [value].flat().join(','));

/**
 * `api: { cors }`: what a REST API's CORS is on AWS, an OPTIONS method on the path whose MOCK
 * integration answers with static headers (SAM's `Cors`, the Framework's `http.cors`). The
 * function is never invoked for OPTIONS, and its own responses get no CORS headers (a proxy
 * integration's function sets them itself).
 */
export const restCorsSchema = z.object({
  /**
   * Access-Control-Allow-Origin: a text is sent as is (`*`, `https://app.example`); a list is the
   * Framework's `origins`: the request's Origin when it matches one (`*` matches any characters),
   * else the first.
   */
  allowOrigin: z.union([headerValue, z.array(headerValue).min(1, { error: 'must not be empty' })], { error: 'must be an origin or a list of origins' }).default('*'),
  /** Access-Control-Allow-Methods; by default the methods of the path's `api` routes and OPTIONS (ANY: all), as SAM makes it. */
  allowMethods: headerList.optional(),
  /** Access-Control-Allow-Headers; none by default. */
  allowHeaders: headerList.optional(),
  /** Access-Control-Max-Age in seconds; none by default. */
  maxAge: intBetween(0, 2_147_483_647).optional(),
  /** Access-Control-Allow-Credentials: true; left out when false. */
  allowCredentials: z.boolean().default(false),
  /** A Cache-Control header on the preflight answer (the Framework's `cacheControl`). */
  cacheControl: headerValue.optional(),
  /**
   * The OPTIONS method's own Lambda authorizer (SAM puts its API's DefaultAuthorizer there unless
   * `AddDefaultAuthorizerToCorsPreflight: false`): an OPTIONS request it refuses gets its refusal
   * (401 without the token) instead of the CORS answer. None by default: the answer is open.
   */
  authorizer: lambdaAuthorizerSchema.optional(),
}).strict();

export type RestCors = z.infer<typeof restCorsSchema>;

const SORTED_METHODS = [...ALL_METHODS].sort();

/** samtranslator's default Allow-Methods: the path's methods and OPTIONS, upper case, unique, sorted (ANY: every method). */
export function pathAllowMethods(methods: string[]): string {
  const upper = methods.map((m) => m.toUpperCase());
  return (upper.includes('ANY') ? SORTED_METHODS : [...new Set([...upper, 'OPTIONS'])].sort()).join(',');
}

const ANY_CHAR = Symbol('any character');
const ANY_RUN = Symbol('any run of characters');

/**
 * The Framework's template for `origins`: the whole Origin matches, `*` being one or more characters
 * (its `.+`). Matched without a regular expression, in time linear per star: a hostile Origin
 * against `https://*.*.*.example` must not stall the server with backtracking.
 */
export function originMatches(pattern: string, origin: string): boolean {
  const tokens: Array<string | symbol> = [...pattern].flatMap((c): Array<string | symbol> => (c === '*' ? [ANY_CHAR, ANY_RUN] : [c]));
  let t = 0;
  let k = 0;
  let star = -1;
  let resume = 0;
  while (t < origin.length) {
    if (k < tokens.length && (tokens[k] === ANY_CHAR || tokens[k] === origin[t])) {
      k++;
      t++;
    } else if (k < tokens.length && tokens[k] === ANY_RUN) {
      star = k++;
      resume = t;
    } else if (star >= 0) {
      k = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (k < tokens.length && tokens[k] === ANY_RUN) k++;
  return k === tokens.length;
}

function allowOrigin(allowed: RestCors['allowOrigin'], origin: string | undefined): string {
  if (typeof allowed === 'string') return allowed;
  return origin && allowed.some((pattern) => originMatches(pattern, origin)) ? origin : allowed[0];
}

/**
 * Answers an OPTIONS request on a path with REST API CORS, as the MOCK integration does: 200 and
 * the configured headers for any OPTIONS request, preflight or not, whatever its Origin.
 */
export function sendRestPreflight(cors: RestCors, pathMethods: string[], request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const origin = request.headers.origin;
  reply.header('access-control-allow-origin', allowOrigin(cors.allowOrigin, typeof origin === 'string' ? origin : undefined));
  if (cors.allowHeaders !== undefined) reply.header('access-control-allow-headers', cors.allowHeaders);
  reply.header('access-control-allow-methods', cors.allowMethods ?? pathAllowMethods(pathMethods));
  if (cors.maxAge !== undefined) reply.header('access-control-max-age', String(cors.maxAge));
  if (cors.allowCredentials) reply.header('access-control-allow-credentials', 'true');
  if (cors.cacheControl !== undefined) reply.header('cache-control', cors.cacheControl);
  return reply.code(200).header('x-amzn-RequestId', randomUUID()).header('content-type', 'application/json').send(Buffer.from('{}'));
}
