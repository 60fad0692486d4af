import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CorsSettings } from './settings.js';

function allowedOrigin(cors: CorsSettings, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowOrigins.includes(origin) ? origin : undefined;
}

/** Adds the CORS headers of an actual (non-preflight) response. */
export function applyCors(cors: CorsSettings | undefined, request: FastifyRequest, reply: FastifyReply): void {
  const origin = cors && allowedOrigin(cors, request.headers.origin);
  if (!cors || !origin) return;
  reply.header('access-control-allow-origin', origin);
  if (origin !== '*') reply.header('vary', 'Origin');
  if (cors.allowCredentials) reply.header('access-control-allow-credentials', 'true');
  if (cors.exposeHeaders.length) reply.header('access-control-expose-headers', cors.exposeHeaders.join(','));
}

/** Answers a CORS preflight without invoking the function. */
export function sendPreflight(cors: CorsSettings, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const origin = allowedOrigin(cors, request.headers.origin);
  const method = request.headers['access-control-request-method'];
  const methodAllowed = typeof method === 'string'
    && (cors.allowMethods.includes('*') || cors.allowMethods.map((m) => m.toUpperCase()).includes(method.toUpperCase()));
  if (!origin || !methodAllowed) return reply.code(403).send();
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-methods', cors.allowMethods.includes('*') ? method : cors.allowMethods.join(','));
  const requested = request.headers['access-control-request-headers'];
  const headers = cors.allowHeaders.includes('*') ? requested : cors.allowHeaders.join(',');
  if (headers) reply.header('access-control-allow-headers', headers);
  if (cors.allowCredentials) reply.header('access-control-allow-credentials', 'true');
  if (cors.maxAge) reply.header('access-control-max-age', String(cors.maxAge));
  if (origin !== '*') reply.header('vary', 'Origin');
  return reply.code(200).send();
}
