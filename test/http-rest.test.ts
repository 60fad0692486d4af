import { APIGatewayProxyEventSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

describe('REST API (payload 1.0) and HTTP API 1.0 routes', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        rest: {
          handler: 'http.proxy',
          events: [
            { api: { path: '/items/{id}', method: 'GET' } },
            { api: { path: '/files/{proxy+}', stage: 'v1', stageVariables: { table: 'files' }, binaryMediaTypes: ['image/*'] } },
          ],
        },
        proxy: { handler: 'http.proxy', events: [{ api: { path: '/proxy', method: ['GET', 'POST'] } }, { http: { path: '/proxy-http', payloadFormatVersion: '1.0' } }, { http: { path: '/proxy-v2' } }] },
        express: { handler: 'express-app.handler', events: [{ api: { path: '/shop/{proxy+}' } }, { http: { path: '/h2/shop/{proxy+}' } }] },
        middy: { handler: 'middy-api.handler', events: [{ api: { path: '/middy', method: 'POST' } }, { http: { path: '/middy2', methods: ['POST'] } }] },
        throttled: {
          handler: 'http.proxy', reservedConcurrency: 0,
          events: [{ api: { path: '/busy/rest' } }, { http: { path: '/busy/v2' } }, { http: { path: '/busy/v1', payloadFormatVersion: '1.0' } }, { alb: { path: '/busy/alb' } }],
        },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('sends the REST proxy event exactly as API Gateway does', async () => {
    const response = await fetch(`${hub.url}/items/42?tag=a&tag=b&q=x%20y`, {
      headers: { 'X-Custom': 'one', 'user-agent': 'vitest-agent', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(response.status).toBe(200);
    const event = JSON.parse(await response.text());
    expect(() => APIGatewayProxyEventSchema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      resource: '/items/{id}', path: '/items/42', httpMethod: 'GET',
      queryStringParameters: { tag: 'b', q: 'x y' }, multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['x y'] },
      pathParameters: { id: '42' }, stageVariables: null, body: null, isBase64Encoded: false,
      requestContext: {
        resourcePath: '/items/{id}', httpMethod: 'GET', path: '/Prod/items/42', stage: 'Prod', accountId: '000000000000', protocol: 'HTTP/1.1',
        identity: { sourceIp: '127.0.0.1', userAgent: 'vitest-agent', cognitoIdentityId: null },
      },
    });
    expect(event.version).toBeUndefined();
    expect(event.headers['X-Custom']).toBe('one');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['one']);
    expect(event.headers['X-Forwarded-For']).toBe('203.0.113.9, 127.0.0.1');
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe(new URL(hub.url).port);
    expect(event.headers.Connection ?? event.headers.connection).toBeUndefined();
    expect(event.requestContext.requestId).toBe(response.headers.get('x-amzn-requestid'));
    expect(event.requestContext.apiId).toMatch(/^[0-9a-f]{10}$/);
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(60_000);
    expect(event.requestContext.domainName).toBe(new URL(hub.url).host);
    expect((await fetch(`${hub.url}/items/42`, { method: 'POST' })).status).toBe(404);
  });

  it('nulls absent parts, fills stage variables and greedy paths, and base64s binary media types only', async () => {
    const text = await (await fetch(`${hub.url}/files/a/b/c.txt`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'raw text' })).json();
    expect(() => APIGatewayProxyEventSchema.parse(text)).not.toThrow();
    expect(text).toMatchObject({
      resource: '/files/{proxy+}', pathParameters: { proxy: 'a/b/c.txt' }, stageVariables: { table: 'files' },
      queryStringParameters: null, multiValueQueryStringParameters: null, body: 'raw text', isBase64Encoded: false,
      requestContext: { path: '/v1/files/a/b/c.txt', stage: 'v1', httpMethod: 'PUT' },
    });
    const png = Buffer.from([137, 80, 78, 71, 0, 255]);
    const binary = await (await fetch(`${hub.url}/files/x.png`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })).json();
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body, 'base64')).toEqual(png);
  });

  it('maps proxy responses as API Gateway does: merged headers, base64 bodies, 502 when malformed', async () => {
    const multi = await fetch(`${hub.url}/proxy?mode=multi`);
    expect(multi.status).toBe(202);
    expect(multi.headers.getSetCookie()).toEqual(['a=1', 'b=2', 'c=3']);
    expect(multi.headers.get('x-one')).toBe('a');
    expect(multi.headers.get('content-type')).toBe('application/json');
    expect(await multi.text()).toBe('multi');
    // A base64 body becomes bytes only when the first media type of the request's Accept is one of
    // the API's binaryMediaTypes; otherwise the client gets the base64 text, as from API Gateway.
    const png = Buffer.from([137, 80, 78, 71]);
    const bytes = async (url: string, accept?: string) => Buffer.from(await (await fetch(url, { headers: accept ? { accept } : {} })).arrayBuffer());
    expect(await bytes(`${hub.url}/files/x.png?mode=binary`, 'image/png, */*')).toEqual(png);
    expect((await bytes(`${hub.url}/files/x.png?mode=binary`, 'text/html, image/png')).toString()).toBe(png.toString('base64'));
    expect((await bytes(`${hub.url}/files/x.png?mode=binary`)).toString()).toBe(png.toString('base64'));
    expect((await bytes(`${hub.url}/proxy?mode=binary`, 'image/png')).toString()).toBe(png.toString('base64'));
    // HTTP APIs (payload 1.0 too) have no binary media types: a base64 body is always decoded.
    expect(await bytes(`${hub.url}/proxy-http?mode=binary`)).toEqual(png);
    for (const mode of ['object-body', 'no-status', 'throw']) {
      const bad = await fetch(`${hub.url}/proxy?mode=${mode}`);
      expect(bad.status, mode).toBe(502);
      expect(await bad.json()).toEqual({ message: 'Internal server error' });
      expect(bad.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    }
  });

  it('sends payload 1.0 on HTTP API routes with payloadFormatVersion 1.0; HTTP APIs answer failures with 500', async () => {
    const response = await fetch(`${hub.url}/proxy-http?a=1`);
    const event = JSON.parse(await response.text());
    expect(() => APIGatewayProxyEventSchema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      version: '1.0', resource: '/proxy-http', path: '/proxy-http', httpMethod: 'GET', queryStringParameters: { a: '1' },
      requestContext: { routeKey: 'ANY /proxy-http', stage: '$default', path: '/proxy-http', resourcePath: '/proxy-http' },
    });
    // An HTTP API sends the path decoded (a REST API as sent: below).
    const encoded = JSON.parse(await (await fetch(`${hub.url}/proxy%2Dhttp`)).text());
    expect(encoded).toMatchObject({ path: '/proxy-http', requestContext: { path: '/proxy-http' } });
    const rest = JSON.parse(await (await fetch(`${hub.url}/files/a%20b`)).text());
    expect(rest).toMatchObject({ path: '/files/a%20b', pathParameters: { proxy: 'a b' }, requestContext: { path: '/v1/files/a%20b' } });
    const bad = await fetch(`${hub.url}/proxy-http?mode=no-status`);
    expect(bad.status).toBe(500);
    expect(await bad.json()).toEqual({ message: 'Internal Server Error' });
    const failedV2 = await fetch(`${hub.url}/proxy-v2?mode=throw`);
    expect(failedV2.status).toBe(500);
    expect(await failedV2.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('runs an Express app through serverless-http on REST and HTTP API routes', async () => {
    for (const prefix of ['', '/h2']) {
      const item = await fetch(`${hub.url}${prefix}/shop/items/7?q=red`, { headers: { 'x-forwarded-for': '198.51.100.4' } });
      expect(item.status, prefix).toBe(200);
      expect(item.headers.get('x-item')).toBe('7');
      expect(await item.json()).toEqual({ id: '7', q: 'red', ips: ['198.51.100.4', '127.0.0.1'], protocol: 'http', path: `${prefix}/shop/items/7` });
      const created = await fetch(`${hub.url}${prefix}/shop/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"hat"}' });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ created: { name: 'hat' } });
      const cookies = await fetch(`${hub.url}${prefix}/shop/cookie`);
      expect(cookies.headers.getSetCookie().map((c) => c.split(';')[0])).toEqual(['a=1', 'b=2']);
    }
  });

  it('runs a Middy handler (JSON body parser, HTTP error handler) on REST and HTTP API routes', async () => {
    for (const [path, method] of [['/middy', 'POST'], ['/middy2', 'POST']]) {
      const ok = await fetch(`${hub.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
      expect(await ok.json()).toEqual({ got: { n: 1 }, method: 'POST' });
      const refused = await fetch(`${hub.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: '{"fail":true}' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toBe('refused by validation');
    }
  });

  it("refuses a request whose event is over Lambda's 6 MB, as each service does, without invoking", async () => {
    const post = async (path: string, body: Buffer<ArrayBuffer>, type: string) => {
      const response = await fetch(`${hub.url}${path}?mode=described`, { method: 'POST', headers: { 'content-type': type }, body });
      return { status: response.status, type: response.headers.get('x-amzn-errortype'), body: await response.text() };
    };
    const apiGateway = { status: 413, type: 'BadRequestException', body: '{"message":"Request Too Long"}' };
    const lambdaApi = { status: 413, type: 'RequestEntityTooLargeException', body: expect.stringContaining('"code":"TH_ERR_REQUEST_TOO_LARGE"') };
    // Under the 6 MB body limit, but the event around it is over 6 MB.
    const nearly = Buffer.alloc(6 * 1024 * 1024 - 100, 'a');
    const over = Buffer.alloc(6 * 1024 * 1024 + 1, 'a');
    for (const body of [nearly, over]) {
      for (const path of ['/proxy', '/proxy-http', '/proxy-v2']) expect(await post(path, body, 'text/plain'), path).toEqual(apiGateway);
      expect(await post('/urls/proxy', body, 'text/plain')).toEqual(lambdaApi);
    }
    // 4.8 MB of binary is 6.4 MB of base64 in a 2.0 event; a REST API without binaryMediaTypes passes it as text.
    const binary = Buffer.alloc(4.8 * 1024 * 1024, 'b');
    expect(await post('/proxy-v2', binary, 'application/octet-stream')).toEqual(apiGateway);
    expect(await post('/urls/proxy', binary, 'application/octet-stream')).toEqual(lambdaApi);
    expect((await post('/proxy', binary, 'application/octet-stream')).status).toBe(418);
  });

  it('rejects bad api settings at start-up with the field path', () => {
    const attempt = (api: unknown) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ api }] } } }, { baseDir: FIXTURES });
    expect(attempt({ path: '/x', method: 'FETCH' })).toThrow(/functions\.f\.events\[0\]\.api\.method(\[0\])?: must be one of/);
    expect(attempt({ path: '/x', stage: 'no spaces' })).toThrow(/functions\.f\.events\[0\]\.api\.stage:/);
    expect(attempt({ path: '/a/{proxy+}/b' })).toThrow(/api\.path: a greedy \{name\+\} parameter must be the last segment/);
    expect(attempt({ path: '/x', binaryMediaTypes: ['png'] })).toThrow(/api\.binaryMediaTypes\[0\]: must be a media type/);
  });

  it('refuses at start-up, naming both, two routes of two APIs on the same method and path (the hub serves every API on one port)', async () => {
    await expect(startTestHub({
      functions: {
        a: { handler: 'http.proxy', events: [{ api: { path: '/items/{id}', method: 'GET' } }] },
        b: { handler: 'http.proxy', events: [{ http: { path: '/items/{key}', methods: ['GET', 'POST'] } }] },
      },
    })).rejects.toThrow(/function b \(.*\/items\/\{key\}\): GET,POST on this path is already served by function a \(.*\/items\/\{id\}\)/);
  });

  it("answers a throttled function (reserved concurrency used up) with each service's own failure, not Lambda's 429", async () => {
    const rest = await fetch(`${hub.url}/busy/rest`);
    expect(rest.status).toBe(500);
    expect(rest.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(await rest.json()).toEqual({ message: 'Internal server error' });
    for (const path of ['/busy/v2', '/busy/v1']) {
      const http = await fetch(`${hub.url}${path}`);
      expect(http.status, path).toBe(500);
      expect(await http.json(), path).toEqual({ message: 'Internal Server Error' });
    }
    const alb = await fetch(`${hub.url}/busy/alb`);
    expect(alb.status).toBe(502);
    expect(await alb.text()).toContain('502 Bad Gateway');
    // A function URL answers as Lambda does.
    const url = await fetch(`${hub.url}/urls/throttled`);
    expect(url.status).toBe(429);
  });
});
