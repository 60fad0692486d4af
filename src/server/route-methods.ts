import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Notes the routes registered on `app` from here on (call it before registering them) and returns
 * the not-found check of a plain API: a path one of them takes with another method is 405
 * TH_ERR_METHOD_NOT_ALLOWED with an `Allow` header, instead of "no such route".
 */
export function methodCheck(app: FastifyInstance): (request: FastifyRequest, reply: { header(name: string, value: string): unknown }) => void {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    const parts = route.url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : escaped(part)));
    routes.push({ pattern: new RegExp(`^${parts.join('/')}/?$`), methods: [route.method].flat() });
  });
  return (request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = [...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods))];
    if (!allowed.length) return;
    reply.header('allow', allowed.join(', '));
    throw new HubError('TH_ERR_METHOD_NOT_ALLOWED', `${request.method} is not a method of ${path}: it takes ${allowed.join(', ')}`);
  };
}
