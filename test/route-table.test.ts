import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHubError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { RouteTable } from '../src/reload/route-table.js';
import { createApp } from '../src/server/app.js';

/** The table behind a hot-reloading hub's not-found handler, on the hub's own fastify app. */
describe('RouteTable', () => {
  const app = createApp(silentLogger(), async () => true);
  const table = new RouteTable();
  const echo = (name: string) => async (request: FastifyRequest, reply: FastifyReply) =>
    reply.send({ name, params: request.params, body: (request.body as Buffer | undefined)?.toString() ?? null });

  beforeAll(async () => {
    app.setNotFoundHandler((request, reply) => table.dispatch(request, reply));
    const a = table.appFor(app, 'a');
    a.route({ method: 'GET', url: '/items/:id', handler: echo('param') });
    a.route({ method: 'GET', url: '/items/special', handler: echo('static') });
    a.route({ method: 'GET', url: '/get-only', handler: echo('get-only'), exposeHeadRoute: false });
    a.route({ method: 'GET', url: '/items::search', handler: echo('colon') });
    a.route({ method: ['GET', 'POST'], url: '/files/*', handler: echo('wildcard') });
    table.appFor(app, 'b').route({
      method: 'POST', url: '/hook', bodyLimit: 4, handler: echo('hook'),
      errorHandler: (err, _request, reply) => reply.code(413).send({ refused: (err as { code?: string }).code }),
    });
    await app.ready();
  });
  afterAll(async () => app.close());

  const call = async (method: string, url: string, payload?: string) => {
    const res = await app.inject({ method: method as 'GET', url, payload, headers: payload ? { 'content-type': 'text/plain' } : {} });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };

  it('ranks static over parametric over wildcard routes and decodes parameters', async () => {
    expect((await call('GET', '/items/special')).body.name).toBe('static');
    expect((await call('GET', '/items/a%20b?x=1')).body).toMatchObject({ name: 'param', params: { id: 'a b' } });
    expect((await call('POST', '/files/x/y.txt', 'data')).body).toMatchObject({ name: 'wildcard', params: { '*': 'x/y.txt' }, body: 'data' });
  });

  it("reads '::' as a literal colon, as fastify does (toFastifyPath escapes an API path's colons)", async () => {
    expect((await call('GET', '/items:search')).body.name).toBe('colon');
    expect((await call('GET', '/items:other')).status).toBe(404);
  });

  it('ignores a trailing slash and serves HEAD from a GET route, as the hub\'s fastify does', async () => {
    expect((await call('GET', '/items/7/')).body).toMatchObject({ params: { id: '7' } });
    expect((await app.inject({ method: 'HEAD', url: '/items/7' })).statusCode).toBe(200);
  });

  it('serves no HEAD from a GET route registered with exposeHeadRoute: false, as fastify does', async () => {
    expect((await call('GET', '/get-only')).status).toBe(200);
    expect((await app.inject({ method: 'HEAD', url: '/get-only' })).statusCode).toBe(404);
  });

  it('answers API Gateway\'s 404 document for an unknown path or method', async () => {
    expect(await call('DELETE', '/items/7')).toEqual({ status: 404, body: { message: 'Not Found' } });
    expect((await call('GET', '/nothing')).status).toBe(404);
  });

  it('applies a route\'s bodyLimit through its errorHandler', async () => {
    expect((await call('POST', '/hook', 'abcd')).body.name).toBe('hook');
    expect(await call('POST', '/hook', 'abcde')).toEqual({ status: 413, body: { refused: 'FST_ERR_CTP_BODY_TOO_LARGE' } });
  });

  it('refuses a second route on the same method and path, and removes an owner\'s routes', async () => {
    let thrown: unknown;
    try {
      table.appFor(app, 'c').route({ method: 'GET', url: '/items/:id', handler: echo('again') });
    } catch (err) {
      thrown = err;
    }
    expect(isHubError(thrown, 'TH_ERR_CONFIG_INVALID') && thrown.message).toContain('GET /items/:id is already registered (by a)');
    table.removeOwner('b');
    expect((await call('POST', '/hook', 'x')).status).toBe(404);
    expect((await call('GET', '/items/special')).body.name).toBe('static');
  });

  it('shares a route marked config.shared between owners: the first answers, the next takes over when it goes', async () => {
    const shared = { method: 'OPTIONS' as const, url: '/shared', config: { shared: true } };
    table.appFor(app, 'd').route({ ...shared, handler: echo('d') });
    table.appFor(app, 'e').route({ ...shared, handler: echo('e') });
    expect((await call('OPTIONS', '/shared')).body.name).toBe('d');
    table.removeOwner('d');
    expect((await call('OPTIONS', '/shared')).body.name).toBe('e');
    table.removeOwner('e');
    expect((await call('OPTIONS', '/shared')).status).toBe(404);
    table.appFor(app, 'f').route({ method: 'OPTIONS', url: '/unshared', handler: echo('f') });
    expect(() => table.appFor(app, 'g').route({ ...shared, url: '/unshared', handler: echo('g') })).toThrow(/route OPTIONS \/unshared is already registered \(by f\)/);
  });
});
