import { APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema, EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logStreamKey } from '../src/logs/redis-sink.js';
import { readStatus } from '../src/stats/status.js';
import { encoder, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { TestRedis } from './helpers/test-redis.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';

const TOKEN = 'console-test-token-0123456789';

describe('console API', { timeout: 60_000 }, () => {
  let hub: TestHub;
  const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${hub.url}/console/api${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    hub = await startTestHub({
      admin: { token: TOKEN },
      functions: {
        echo: { handler: 'echo.handler' },
        fail: { handler: 'fail.handler', maximumRetryAttempts: 0 },
        web: {
          handler: 'echo.handler',
          events: [{ http: { path: '/items/{id}', methods: ['POST'] } }, { api: { path: '/orders' } }, { schedule: { expression: 'rate(1 hour)' } }],
        },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('needs the admin token for data, not for the page shell', async () => {
    const denied = await api('/overview', {}, null);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect(await denied.json()).toMatchObject({ error: 'TH_ERR_ADMIN_UNAUTHORIZED' });
    expect((await api('/overview', {}, 'wrong-token-wrong-token')).status).toBe(401);
    const shell = await fetch(`${hub.url}/console`);
    expect([200, 503]).toContain(shell.status);
    expect(shell.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('reports the same counters as `triggerhub status`, plus series, hubs and flow edges', async () => {
    for (let i = 0; i < 2; i += 1) await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{}') }));
    const overview = await waitFor(async () => {
      const body = await (await api('/overview')).json() as { functions: Array<{ function: string; invocations: number; spark: { invocations: number[] } }>; hubs: unknown[]; flow: { edges: Array<{ from: string; to: string; count: number }> } };
      return body.functions.find((f) => f.function === 'echo')?.invocations === 2 && body.flow.edges.length ? body : undefined;
    }, 10_000, 'the invocations in the overview');
    const status = await readStatus(hub.redis, hub.config, hub.queues);
    const echo = overview.functions.find((f) => f.function === 'echo')!;
    expect(echo).toMatchObject(status.functions.find((f) => f.function === 'echo')!);
    expect(echo.spark.invocations.reduce((a, b) => a + b, 0)).toBe(2);
    expect(overview.hubs).toHaveLength(1);
    expect(overview.flow.edges).toContainEqual(expect.objectContaining({ from: 'source:triggerhub:invoke', to: 'fn:echo', count: 2 }));
    const page = await (await api('/functions/echo')).json() as { recent: Array<{ requestId: string; traceId: string; status: string }> };
    expect(page.recent).toHaveLength(2);
    expect(page.recent[0]).toMatchObject({ status: 'success', traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/) });
  });

  it('refuses bad requests with a code and the field, and unknown names with 404', async () => {
    expect(await (await api('/functions/__proto__')).json()).toMatchObject({ error: 'TH_ERR_CONSOLE_NOT_FOUND' });
    expect((await api('/functions/constructor')).status).toBe(404);
    const unknown = await api('/nosuch?x=1');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'TH_ERR_CONSOLE_NOT_FOUND', message: 'no console API route GET /console/api/nosuch' });
    expect((await api('/nosuch', {}, null)).status).toBe(401);
    const limit = await api('/functions/echo/logs?limit=0');
    expect(limit.status).toBe(400);
    expect(await limit.json()).toMatchObject({ error: 'TH_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining('limit') });
    const badJson = await api('/dlq/x/redrive', { method: 'POST', body: '{"payload":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ message: expect.stringContaining('body: not valid JSON') });
    const extra = await api('/dlq/x/redrive', { method: 'POST', body: '{"payload":{},"__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } });
    expect(extra.status).toBe(400);
    expect((await api('/dlq/nope/redrive', { method: 'POST', body: '{"payload":{}}' })).status).toBe(404);
    expect(await (await api('/dlq/nope/redrive', { method: 'POST', body: '{"payload":{},"to":"ghost"}' })).json()).toMatchObject({ message: expect.stringContaining('to: no function named "ghost"') });
  });

  it('answers a path of the console or admin API called with a method it does not take 405, naming the ones it takes', async () => {
    const post = await api('/overview', { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(await post.json()).toEqual({ error: 'TH_ERR_METHOD_NOT_ALLOWED', message: 'POST is not a method of /console/api/overview: it takes GET, HEAD' });
    expect((await api('/dlq/x/redrive', { method: 'PUT' })).headers.get('allow')).toBe('POST');
    const admin = await fetch(`${hub.url}/admin/dlq/purge`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });
    expect([admin.status, admin.headers.get('allow')]).toEqual([405, 'GET, HEAD, DELETE, POST']);
    expect(await admin.json()).toMatchObject({ error: 'TH_ERR_METHOD_NOT_ALLOWED' });
    // Without the token it says nothing about which paths exist; a path of neither API is still 404.
    expect((await api('/overview', { method: 'POST' }, null)).status).toBe(401);
    expect((await fetch(`${hub.url}/admin/dlq/purge`, { method: 'PUT' })).status).toBe(401);
    expect((await api('/nosuch', { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${hub.url}/admin/dlq/x/y/z`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('answers a path it cannot decode in its own error shape, under the console and the admin API alike', async () => {
    const bad = await api('/functions/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'TH_ERR_CONSOLE_REQUEST_INVALID', message: 'path: "/console/api/functions/%E0%A4%A": the request path cannot be decoded (a % must be followed by two hex digits, and decode to UTF-8)' });
    expect(await (await fetch(`${hub.url}/admin/dlq/%zz`)).json()).toMatchObject({ error: 'TH_ERR_DLQ_REQUEST_INVALID', message: expect.stringContaining('path: "/admin/dlq/%zz"') });
    expect(await (await fetch(`${hub.url}/console/%zz`)).json()).toMatchObject({ error: 'TH_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining('path: "/console/%zz"') });
    const asset = await fetch(`${hub.url}/console/assets/nope.js`);
    expect(asset.status).toBe(404);
    expect(await asset.json()).toEqual({ error: 'TH_ERR_CONSOLE_NOT_FOUND', message: 'no console asset "nope.js"' });
  });

  it('lists dead letters as light rows, with how many match in all', async () => {
    const now = Date.now();
    const failedAt = (i: number) => new Date(now - i * 1000).toISOString();
    const ids = ['big', 'small-1', 'small-2'].map((name) => `${name}-${Date.now()}`);
    for (const [i, id] of ids.entries()) {
      await hub.dlq.add({
        id, function: 'fail', source: 'arn:aws:sns:us-east-1:000000000000:list-topic', reason: 'RetriesExhausted', failedAt: failedAt(i),
        envelope: { specversion: '1.0', id, source: 'arn:aws:sns:us-east-1:000000000000:list-topic', type: 'aws.sns', time: failedAt(i), datacontenttype: 'application/json', data: { blob: 'x'.repeat(i === 0 ? 500_000 : 10) } },
        delivery: { invocationType: 'Event', firstSeenAt: Date.now(), redrives: 0 },
        attempts: [{ attempt: 1, startedAt: failedAt(i), durationMs: 2, status: 'error', errorType: 'Boom', errorMessage: 'y'.repeat(5000), redrive: 0 }],
      });
    }
    try {
      const response = await api('/dlq?source=arn:aws:sns:*:list-topic&limit=2');
      const text = await response.text();
      expect(text.length).toBeLessThan(2000);
      const page = JSON.parse(text) as { records: Array<Record<string, unknown>>; total: number; filter: Record<string, string> };
      expect(page.total).toBe(3);
      // The filter as applied: what "redrive / purge every match" sends (a relative time as its instant).
      expect(page.filter).toEqual({ source: 'arn:aws:sns:*:list-topic' });
      expect(page.records).toEqual([
        { id: ids[0], function: 'fail', source: 'arn:aws:sns:us-east-1:000000000000:list-topic', reason: 'RetriesExhausted', failedAt: failedAt(0), attempts: 1, redrives: 0, lastError: `Boom: ${'y'.repeat(194)}` },
        expect.objectContaining({ id: ids[1] }),
      ]);
      expect(await (await api('/dlq?limit=1001')).json()).toMatchObject({ error: 'TH_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining('limit') });
      expect((await api('/dlq?reason=Sad')).status).toBe(400);
      expect((await api('/dlq', {}, null)).status).toBe(401);
    } finally {
      for (const id of ids) await hub.dlq.remove(id);
    }
  });

  it('offers a sample event per source kind, built by the sources own builders', async () => {
    const echo = await (await api('/functions/echo')).json() as { samples: Array<{ label: string; event: unknown }> };
    expect(echo.samples).toEqual([{ label: 'direct invoke', event: { hello: 'world' } }]);
    const web = await (await api('/functions/web')).json() as { samples: Array<{ label: string; event: unknown }> };
    expect(web.samples.map((s) => s.label)).toEqual(['direct invoke', 'http (events[0])', 'api (events[1])', 'schedule (events[2])']);
    const http = APIGatewayProxyEventV2Schema.parse(web.samples[1].event);
    expect(http).toMatchObject({ routeKey: 'POST /items/{id}', rawPath: '/items/sample', pathParameters: { id: 'sample' }, body: '{"hello":"world"}' });
    expect(APIGatewayProxyEventSchema.parse(web.samples[2].event)).toMatchObject({ resource: '/orders', httpMethod: 'POST' });
    expect(EventBridgeSchema.parse(web.samples[3].event)).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
  });

  it('shows a SAM function as the hub resolved it, with a sample of its API event', async () => {
    const sam = await startProjectHub({ template: path.join(PROJECTS, 'sam-hello-node/template.yaml') });
    try {
      const page = await (await fetch(`${sam.url}/console/api/functions/HelloWorldFunction`)).json() as {
        config: { handler: string; timeout: number; runtime: string; events: unknown[] }; samples: Array<{ label: string; event: unknown }>;
      };
      expect(page.config).toMatchObject({ handler: 'app.lambdaHandler', timeout: 3, runtime: 'nodejs20.x', events: [{ api: expect.objectContaining({ path: '/hello' }) }] });
      expect(APIGatewayProxyEventSchema.parse(page.samples[1].event)).toMatchObject({ resource: '/hello', path: '/hello' });
    } finally {
      await sam.stop();
    }
  });

  it('redrives a record with an edited payload and keeps the one it replaced', async () => {
    await hub.lambda.send(new InvokeCommand({ FunctionName: 'fail', InvocationType: 'Event', Payload: encoder.encode('{"v":1}') }));
    const [record] = await waitFor(async () => { const list = await hub.dlq.list(); return list.length ? list : undefined; }, 15_000, 'a DLQ record');
    const response = await api(`/dlq/${record.id}/redrive`, { method: 'POST', body: JSON.stringify({ payload: { v: 2 } }) });
    expect(await response.json()).toEqual({ redriven: [record.id], failed: [] });
    const again = await waitFor(async () => { const list = await hub.dlq.list(); return list[0]?.delivery.redrives === 1 ? list[0] : undefined; }, 15_000, 'the redriven record back in the DLQ');
    expect(again.envelope.data).toEqual({ v: 2 });
    expect(again.delivery.edits).toEqual([{ at: expect.any(String), redrive: 1, previous: { v: 1 } }]);
    expect(again.attempts.map((a) => a.redrive)).toEqual([0, 1]);
  });

  it('answers a log page with the id of its newest entry, so following from it misses nothing written meanwhile', async () => {
    const key = logStreamKey(hub.config.queuePrefix, 'fail');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i += 1) await hub.redis.xadd(key, '*', 'requestId', `r${i}`, 'type', 'handler', 'level', 'INFO', 'ts', String(Date.now()), 'line', `line ${i}`);
    })();
    try {
      for (let i = 0; i < 40; i += 1) {
        const { entries, last } = await (await api('/functions/fail/logs?limit=1')).json() as { entries: Array<{ id: string }>; last: string };
        expect(last).toBe(entries[entries.length - 1].id);
      }
    } finally {
      writing = false;
      await writer;
    }
  });

  it('ends open streams when the hub stops', async () => {
    const response = await api('/overview/stream');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: overview')) text += (await reader.read()).value ?? '';
    const logs = await api('/functions/echo/logs/stream');
    expect(logs.status).toBe(200);
    await hub.stop();
    for (;;) if ((await reader.read()).done) break;
  });
});

describe('console API while Redis is away', { timeout: 60_000 }, () => {
  let redis: TestRedis;
  let hub: TestHub;
  beforeAll(async () => {
    redis = await TestRedis.create(tempDir('th-console-outage-'));
    await redis.start();
    hub = await startTestHub({ redis: redis.url, functions: { echo: { handler: 'echo.handler' } } });
  });
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await hub?.stop();
    await redis?.stop();
  });
  // Aborts a request that hangs (the defect this guards against: reads waited for Redis to come back).
  const get = (route: string) => fetch(`${hub.url}/console/api${route}`, { signal: AbortSignal.timeout(5000) });

  it('answers 503 TH_ERR_REDIS_UNAVAILABLE at once instead of waiting for Redis, and reads again once it is back', async () => {
    await redis.stop();
    for (const route of ['/overview', '/functions/echo', '/functions/echo/logs', '/sources', '/dlq']) {
      const response = await get(route);
      expect(response.status, route).toBe(503);
      expect(await response.json(), route).toMatchObject({ error: 'TH_ERR_REDIS_UNAVAILABLE', message: expect.stringMatching(/^Redis is unavailable/) });
    }
    // What needs no Redis still answers (the sign-in check).
    expect((await get('/session')).status).toBe(200);
    await redis.start();
    await waitFor(async () => (await get('/functions/echo')).status === 200, 30_000, 'the console reading again');
  });
});
