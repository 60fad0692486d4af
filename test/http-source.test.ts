import { createHmac } from 'node:crypto';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { APIGatewayProxyEventV2Schema, LambdaFunctionUrlSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

describe('function URLs and http routes', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        show: {
          handler: 'http.event',
          events: [{ http: { path: '/orders/{id}', methods: ['POST'] } }, { http: { path: '/files/{proxy+}' } }, { http: { path: '/only-get', methods: ['GET'] } },
            { http: { path: '/users/{user-id}/posts/{post.id}' } }, { http: { path: '/items:search' } }],
        },
        respond: {
          handler: 'http.respond',
          events: ['2.0', '1.0'].map((version) => ({
            http: { path: `/cors-respond/${version}`, payloadFormatVersion: version, cors: { allowOrigins: ['https://app.example'], exposeHeaders: ['x-custom'] } },
          })),
        },
        guarded: {
          handler: 'http.event',
          events: [
            { http: { path: '/bearer', auth: { bearer: 's3cret' } } },
            { http: { path: '/signed', methods: ['POST'], auth: { hmac: { secret: 'k3y' } } } },
            { http: { path: '/cors', cors: { allowOrigins: ['https://app.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['x-token'], exposeHeaders: ['x-request-id'], maxAge: 600 } } },
          ],
        },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('sends a payload format 2.0 event from the default URL /urls/<fn>/...', async () => {
    const response = await fetch(`${hub.url}/urls/show/a/b?x=1&x=2&y=%20z`, {
      headers: { cookie: 'c1=v1; c2=v2', 'X-Mixed-Case': 'Yes', 'user-agent': 'vitest-agent' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const event = await response.json();
    expect(() => LambdaFunctionUrlSchema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      version: '2.0', routeKey: '$default', rawPath: '/a/b', rawQueryString: 'x=1&x=2&y=%20z',
      cookies: ['c1=v1', 'c2=v2'], queryStringParameters: { x: '1,2', y: ' z' }, isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/a/b', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest-agent' }, stage: '$default', accountId: 'anonymous' },
    });
    expect(event.headers['x-mixed-case']).toBe('Yes');
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(event.requestContext.requestId).toBe(response.headers.get('x-amzn-requestid'));
    expect(event.pathParameters).toBeUndefined();
    expect((await fetch(`${hub.url}/urls/show`)).status).toBe(200);
    // The function's name percent-encoded by the client: routed to it, and not in rawPath.
    expect(await (await fetch(`${hub.url}/urls/sh%6Fw/a/b`)).json()).toMatchObject({ rawPath: '/a/b' });
  });

  it('adds x-forwarded-* as a proxy does and passes no hop-by-hop header (function URL and HTTP API)', async () => {
    for (const path of ['/urls/show/p', '/files/p']) {
      const { status, body } = await rawGet(`${hub.url}${path}`, {
        Connection: 'keep-alive, X-Hop-Secret', 'Keep-Alive': 'timeout=5', 'X-Hop-Secret': 'drop me', TE: 'trailers',
        'X-Forwarded-For': '203.0.113.7, 10.0.0.2', 'X-Forwarded-Proto': 'https', 'X-Kept': 'yes',
      });
      expect(status, path).toBe(200);
      const event = JSON.parse(body);
      expect(() => (path.startsWith('/urls') ? LambdaFunctionUrlSchema : APIGatewayProxyEventV2Schema).parse(event)).not.toThrow();
      expect(event.headers).toMatchObject({
        'x-forwarded-for': '203.0.113.7, 10.0.0.2, 127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-port': new URL(hub.url).port, 'x-kept': 'yes',
      });
      for (const hop of ['connection', 'keep-alive', 'x-hop-secret', 'te']) expect(event.headers[hop], hop).toBeUndefined();
    }
    const plain = await (await fetch(`${hub.url}/urls/show`)).json();
    expect(plain.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('routes configured paths with path parameters and a routeKey; other methods are 404', async () => {
    const response = await fetch(`${hub.url}/orders/42`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"qty":3}' });
    const event = await response.json();
    expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
    expect(event).toMatchObject({ routeKey: 'POST /orders/{id}', rawPath: '/orders/42', pathParameters: { id: '42' }, body: '{"qty":3}', isBase64Encoded: false });
    // An HTTP API names its owner's account (an open function URL says `anonymous`).
    expect(event.requestContext.accountId).toBe('000000000000');
    // HTTP APIs send the path decoded; function URLs as the client sent it.
    const encoded = await (await fetch(`${hub.url}/files/a%20b/100%25`)).json();
    expect(encoded).toMatchObject({ rawPath: '/files/a b/100%', requestContext: { http: { path: '/files/a b/100%' } }, pathParameters: { proxy: 'a b/100%' } });
    const url = await (await fetch(`${hub.url}/urls/show/a%20b/100%25`)).json();
    expect(url).toMatchObject({ rawPath: '/a%20b/100%25', requestContext: { http: { path: '/a%20b/100%25' } } });
    const greedy = await (await fetch(`${hub.url}/files/a/b/c.txt`, { method: 'DELETE' })).json();
    expect(greedy).toMatchObject({ routeKey: 'ANY /files/{proxy+}', pathParameters: { proxy: 'a/b/c.txt' } });
    // No route for it: API Gateway's 404 document, with the error type an AWS SDK reads.
    const missing = await fetch(`${hub.url}/orders/42`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(await missing.json()).toEqual({ message: 'Not Found' });
  });

  it("takes parameter names with - and . and literal colons, as API Gateway's path parts do", async () => {
    const event = await (await fetch(`${hub.url}/users/u-1/posts/p.2`)).json();
    expect(event).toMatchObject({ routeKey: 'ANY /users/{user-id}/posts/{post.id}', pathParameters: { 'user-id': 'u-1', 'post.id': 'p.2' } });
    expect(await (await fetch(`${hub.url}/items:search`)).json()).toMatchObject({ routeKey: 'ANY /items:search', rawPath: '/items:search' });
    for (const path of ['/items', '/itemsXYZ', '/users/u-1/posts']) expect((await fetch(`${hub.url}${path}`)).status, path).toBe(404);
  });

  it('reads an absolute-form request target (GET http://host/path) as its path, for routing and in the event', async () => {
    const { port } = new URL(hub.url);
    for (const [target, rawPath] of [['http://elsewhere.example/files/a/b?x=1', '/files/a/b'], [`http://127.0.0.1:${port}/urls/show/p`, '/p']]) {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: target, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject).end();
      });
      expect(status, target).toBe(200);
      expect(JSON.parse(body), target).toMatchObject({ rawPath, requestContext: { http: { path: rawPath } } });
    }
  });

  it('serves HEAD only on routes that name HEAD or ANY, as API Gateway matches methods', async () => {
    expect((await fetch(`${hub.url}/only-get`)).status).toBe(200);
    expect((await fetch(`${hub.url}/only-get`, { method: 'HEAD' })).status).toBe(404);
    const head = await fetch(`${hub.url}/files/a.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-amzn-requestid')).toBeTruthy();
  });

  it('base64-encodes binary request bodies', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const event = await (await fetch(`${hub.url}/urls/show`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes })).json();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(bytes);
  });

  it('maps handler results as function URLs do', async () => {
    const structured = await fetch(`${hub.url}/urls/respond?mode=structured`);
    expect(structured.status).toBe(201);
    expect(structured.headers.get('x-custom')).toBe('yes');
    expect(structured.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(await structured.text()).toBe('created');
    const binary = await fetch(`${hub.url}/urls/respond?mode=binary`);
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    const plain = await fetch(`${hub.url}/urls/respond?mode=string`);
    expect(plain.headers.get('content-type')).toContain('application/json');
    expect(await plain.text()).toBe('plain words');
    const object = await fetch(`${hub.url}/urls/respond`);
    expect(await object.json()).toEqual({ ok: true });
    const failed = await fetch(`${hub.url}/urls/respond?mode=throw`);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ Message: 'Internal Server Error' });
  });

  it('checks bearer tokens and HMAC signatures (401 otherwise)', async () => {
    expect((await fetch(`${hub.url}/bearer`)).status).toBe(401);
    const wrong = await fetch(`${hub.url}/bearer`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toBe('Unauthorized: invalid bearer token');
    expect((await fetch(`${hub.url}/bearer`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);

    const body = '{"amount":10}';
    const signature = `sha256=${createHmac('sha256', 'k3y').update(body).digest('hex')}`;
    const tampered = await fetch(`${hub.url}/signed`, { method: 'POST', headers: { 'x-triggerhub-signature': signature }, body: '{"amount":99}' });
    expect(tampered.status).toBe(401);
    expect((await tampered.json()).message).toContain('signature does not match');
    const signed = await fetch(`${hub.url}/signed`, { method: 'POST', headers: { 'x-triggerhub-signature': signature, 'content-type': 'application/json' }, body });
    expect(signed.status).toBe(200);
    expect((await signed.json()).body).toBe(body);
  });

  it('answers CORS preflights per config without invoking, and adds CORS headers to responses', async () => {
    const preflight = await fetch(`${hub.url}/cors`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-token' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('x-token');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    expect(await preflight.text()).toBe('');
    const foreign = await fetch(`${hub.url}/cors`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.status).toBe(403);
    const actual = await fetch(`${hub.url}/cors`, { headers: { origin: 'https://app.example' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(actual.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });

  // Under /console and /admin/ the same path gets those APIs' own { error, message } shape (console-api.test.ts).
  it("answers a path it cannot decode in the hub's error shape on every path but the console's and admin's, invoking nothing", async () => {
    for (const path of ['/urls/show/a%zz', '/files/a%', '/orders/%C3%28', '/2015-03-31/functions/%zz/invocations']) {
      const response = await fetch(`${hub.url}${path}`, { method: 'POST', body: '{}' });
      expect(response.status, path).toBe(400);
      expect(response.headers.get('x-amzn-errortype'), path).toBe('BadRequestException');
      const document = await response.json();
      expect(document, path).toEqual({ Type: 'User', code: 'TH_ERR_REQUEST_URL_INVALID', message: expect.stringContaining('a % must be followed by two hex digits') });
    }
    // A long path parameter (a JWT in the path) is no error: it reaches the handler, as through API Gateway.
    const token = 'e'.repeat(4000);
    const long = await fetch(`${hub.url}/orders/${token}`, { method: 'POST', body: '{}' });
    expect(long.status).toBe(200);
    expect((await long.json()).pathParameters).toEqual({ id: token });
  });

  it("ignores a handler's CORS headers on a route with cors, sending the route's own, as HTTP APIs do; a function URL without cors keeps them", async () => {
    for (const path of ['/cors-respond/2.0', '/cors-respond/1.0']) {
      const allowed = await fetch(`${hub.url}${path}?mode=cors`, { headers: { origin: 'https://app.example' } });
      expect({ path, status: allowed.status, body: await allowed.text() }).toEqual({ path, status: 200, body: 'cors' });
      expect(allowed.headers.get('access-control-allow-origin'), path).toBe('https://app.example');
      expect(allowed.headers.get('access-control-expose-headers'), path).toBe('x-custom');
      expect(allowed.headers.get('access-control-max-age'), path).toBeNull();
      expect(allowed.headers.get('x-custom'), path).toBe('yes');
      const foreign = await fetch(`${hub.url}${path}?mode=cors`, { headers: { origin: 'https://evil.example' } });
      expect(foreign.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    const url = await fetch(`${hub.url}/urls/respond?mode=cors`, { headers: { origin: 'https://evil.example' } });
    expect(url.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects bad http settings at start-up with the field path', () => {
    const attempt = (http: unknown) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ http }] } } }, { baseDir: FIXTURES });
    expect(attempt({ path: '/healthz' })).toThrow(/functions\.f\.events\[0\]\.http\.path: must not use the hub's own paths/);
    expect(attempt({ path: 'no-slash' })).toThrow(/functions\.f\.events\[0\]\.http\.path: must start with \//);
    expect(attempt({ path: '/x', methods: ['FETCH'] })).toThrow(/functions\.f\.events\[0\]\.http\.methods\[0\]: must be one of/);
    expect(attempt({ path: '/files/*/x' })).toThrow(/functions\.f\.events\[0\]\.http\.path: must not hold \*/);
    expect(attempt({ path: '/x', auth: { basic: 'x' } })).toThrow(/functions\.f\.events\[0\]\.http\.auth: must be \{ bearer/);
  });
});

/** A GET with exactly these headers (fetch would set its own Connection). */
function rawGet(url: string, headers: OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}
