import { AlbMultiValueHeadersSchema, AlbSchema } from '@aws-lambda-powertools/parser/schemas';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

describe('ALB Lambda targets', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        single: { handler: 'http.proxy', events: [{ alb: { path: '/lb/single', methods: ['GET', 'POST'] } }] },
        multi: { handler: 'http.proxy', events: [{ alb: { path: '/lb/multi/*', multiValueHeaders: true, targetGroupName: 'multi-targets' } }] },
        express: { handler: 'express-app.handler', events: [{ alb: { path: '/alb/shop/*', multiValueHeaders: true } }] },
        correlated: { handler: 'http.traceHeader', events: [{ alb: { path: '/lb/correlated' } }, { api: { path: '/rest/correlated' } }] },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('sends the ALB event: single-value maps, query left percent-encoded, body always a string', async () => {
    const response = await fetch(`${hub.url}/lb/single?q=a%20b&q=c+d&flag`, { headers: { 'X-Thing': 'yes', 'x-forwarded-for': '198.51.100.1' } });
    expect(response.status).toBe(200);
    const event = JSON.parse(await response.text());
    expect(() => AlbSchema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      httpMethod: 'GET', path: '/lb/single', body: '', isBase64Encoded: false,
      queryStringParameters: { q: 'c+d', flag: '' },
      requestContext: { elb: { targetGroupArn: expect.stringMatching(/^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/single-tg\/[0-9a-f]{16}$/) } },
    });
    expect(event.headers).toMatchObject({ 'x-thing': 'yes', 'x-forwarded-for': '198.51.100.1, 127.0.0.1', 'x-forwarded-proto': 'http' });
    expect(event.multiValueHeaders).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    const binary = JSON.parse(await (await fetch(`${hub.url}/lb/single`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([1, 2, 255]) })).text());
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body, 'base64')).toEqual(Buffer.from([1, 2, 255]));
  });

  it("names the target group in the aws-cn partition in a China region", async () => {
    const cn = await startTestHub({ region: 'cn-northwest-1', accountId: '123456789012', functions: { single: { handler: 'http.proxy', events: [{ alb: { path: '/lb/single' } }] } } });
    try {
      const event = await (await fetch(`${cn.url}/lb/single`)).json();
      expect(event.requestContext.elb.targetGroupArn).toMatch(/^arn:aws-cn:elasticloadbalancing:cn-northwest-1:123456789012:targetgroup\/single-tg\/[0-9a-f]{16}$/);
    } finally {
      await cn.stop();
    }
  });

  it('sends only multi-value maps when the target group enables them', async () => {
    const event = JSON.parse(await (await fetch(`${hub.url}/lb/multi/deep/path?x=1&x=%2F`)).text());
    expect(() => AlbMultiValueHeadersSchema.parse(event)).not.toThrow();
    expect(event.multiValueQueryStringParameters).toEqual({ x: ['1', '%2F'] });
    expect(event.multiValueHeaders['x-forwarded-port']).toEqual([new URL(hub.url).port]);
    expect(event.headers).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.requestContext.elb.targetGroupArn).toContain(':targetgroup/multi-targets/');
  });

  it('maps responses as ALB does: statusDescription, the header map of the mode, 502 when malformed or over 1 MB', async () => {
    const described = await fetch(`${hub.url}/lb/single?mode=described`);
    expect(described.status).toBe(418);
    expect(described.statusText).toBe('I am a teapot');
    expect(await described.text()).toBe('short and stout');
    // No Content-Type from the handler: ALB sends application/octet-stream.
    expect(described.headers.get('content-type')).toBe('application/octet-stream');
    const single = await fetch(`${hub.url}/lb/single?mode=multi`);
    expect(single.headers.getSetCookie()).toEqual(['c=3']);
    const multi = await fetch(`${hub.url}/lb/multi/x?mode=multi`);
    expect(multi.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    for (const mode of ['object-body', 'no-status', 'throw', 'big']) {
      const bad = await fetch(`${hub.url}/lb/single?mode=${mode}`);
      expect(bad.status, mode).toBe(502);
      expect(bad.headers.get('server')).toBe('awselb/2.0');
      expect(await bad.text()).toContain('<h1>502 Bad Gateway</h1>');
    }
    const tooBig = await fetch(`${hub.url}/lb/single`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('server')).toBe('awselb/2.0');
  });

  it('answers any request body over 1 MB with ALB\'s 413 page, past the Invoke API\'s 6 MB too', async () => {
    for (const bytes of [1024 * 1024 + 1, 7 * 1024 * 1024]) {
      const tooBig = await fetch(`${hub.url}/lb/single`, { method: 'POST', body: 'x'.repeat(bytes) });
      expect(tooBig.status, String(bytes)).toBe(413);
      expect(tooBig.headers.get('server')).toBe('awselb/2.0');
      expect(await tooBig.text()).toContain('<h1>413 Request Entity Too Large</h1>');
    }
    // Exactly 1 MB reaches the function (whose echo of it is then too big a response: 502).
    expect((await fetch(`${hub.url}/lb/single`, { method: 'POST', body: 'x'.repeat(1024 * 1024) })).status).toBe(502);
  });

  it("adds X-Amzn-Trace-Id as ALB and API Gateway do (where Powertools reads an ALB event's correlation id): the invocation's trace root", async () => {
    for (const path of ['/lb/correlated', '/rest/correlated']) {
      const fresh = await (await fetch(`${hub.url}${path}`)).json();
      expect(fresh.header, path).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(fresh.xray.startsWith(`${fresh.header};`), path).toBe(true);
      const root = 'Root=1-5759e988-bd862e3fe1be46a994272793';
      const sent = await (await fetch(`${hub.url}${path}`, { headers: { 'X-Amzn-Trace-Id': root } })).json();
      expect({ path, header: sent.header }).toEqual({ path, header: root });
      expect(sent.xray.startsWith(`${root};`), path).toBe(true);
      expect(sent.names.filter((name: string) => name.toLowerCase() === 'x-amzn-trace-id'), path).toHaveLength(1);
    }
  });

  it("refuses a WebSocket upgrade with ALB's 400 page without invoking (Lambda targets take no WebSockets)", async () => {
    const answer = await new Promise<{ status: number; server: string; body: string }>((resolve, reject) => {
      const req = request(`${hub.url}/lb/single`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, server: String(res.headers.server), body }));
      });
      req.on('upgrade', () => reject(new Error('the connection was upgraded'))).on('error', reject).end();
    });
    expect(answer).toEqual({ status: 400, server: 'awselb/2.0', body: expect.stringContaining('<h1>400 Bad Request</h1>') });
  });

  it('runs an Express app through serverless-http behind the ALB (multi-value headers keep both cookies)', async () => {
    const item = await fetch(`${hub.url}/alb/shop/items/9?q=blue`);
    expect(item.status).toBe(200);
    expect(await item.json()).toMatchObject({ id: '9', q: 'blue', path: '/alb/shop/items/9' });
    const cookies = await fetch(`${hub.url}/alb/shop/cookie`);
    expect(cookies.headers.getSetCookie().map((c) => c.split(';')[0])).toEqual(['a=1', 'b=2']);
  });

  it('refuses a path with a * before its end at start-up, naming the field (a trailing /* is the wildcard it takes)', () => {
    const attempt = (path: string) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ alb: { path } }] } } }, { baseDir: FIXTURES });
    expect(attempt('/img/*.png')).toThrow(/functions\.f\.events\[0\]\.alb\.path: must not hold \*/);
    expect(attempt('/img/*')).not.toThrow();
  });
});
