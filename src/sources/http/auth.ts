import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AuthSettings } from './settings.js';

/**
 * Checks a request against the route's auth setting: `Authorization: Bearer <token>`, or the
 * header named by `hmac.header` holding `sha256=<hex HMAC-SHA256 of the raw body>`. Returns why it
 * failed, or undefined when the request may pass.
 */
export function authFailure(auth: AuthSettings | undefined, request: FastifyRequest): string | undefined {
  if (!auth) return undefined;
  if ('bearer' in auth) {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token === undefined) return 'missing bearer token (Authorization: Bearer <token>)';
    return safeEqual(token, auth.bearer) ? undefined : 'invalid bearer token';
  }
  const header = request.headers[auth.hmac.header];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) return `missing ${auth.hmac.header} header (sha256=<hex HMAC-SHA256 of the body>)`;
  const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
  const expected = `sha256=${createHmac('sha256', auth.hmac.secret).update(body).digest('hex')}`;
  return safeEqual(signature, expected) ? undefined : 'signature does not match the body';
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
