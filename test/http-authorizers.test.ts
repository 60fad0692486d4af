import {
  APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema, APIGatewayRequestAuthorizerEventSchema,
  APIGatewayRequestAuthorizerEventV2Schema, APIGatewayTokenAuthorizerEventSchema,
} from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

describe('API Gateway authorizers', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        tokenAuth: { handler: 'authorizers.token' },
        requestAuth: { handler: 'authorizers.request' },
        simpleAuth: { handler: 'authorizers.simple' },
        exactAuth: { handler: 'authorizers.exact' },
        cached: {
          handler: 'http.proxy',
          events: [
            { api: { path: '/cached/a', method: 'GET', authorizer: { function: 'exactAuth', resultTtlInSeconds: 300 } } },
            { api: { path: '/cached/b', method: 'GET', authorizer: { function: 'exactAuth', resultTtlInSeconds: 300 } } },
          ],
        },
        api: {
          handler: 'http.proxy',
          events: [
            { api: { path: '/token/{id}', method: 'GET', authorizer: { function: 'tokenAuth', validationExpression: '^Bearer [a-z]+$' } } },
            { api: { path: '/request', authorizer: { function: 'requestAuth', type: 'REQUEST', identitySource: ['method.request.header.X-User', 'method.request.querystring.tenant'] } } },
            { api: { path: '/claims', authorizer: { claims: { sub: 'u-1', email: 'a@example.com' }, scopes: ['read'] } } },
          ],
        },
        http: {
          handler: 'http.event',
          events: [
            { http: { path: '/simple', authorizer: { function: 'simpleAuth', enableSimpleResponses: true } } },
            { http: { path: '/jwt', authorizer: { claims: { sub: 'u-2' } } } },
          ],
        },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${hub.url}${path}`, { headers });
    return { status: response.status, body: await response.text() };
  };
  /** The x-amzn-ErrorType of the answer (REST gateway responses name their exception; HTTP APIs none). */
  const errorType = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${hub.url}${path}`, { headers })).headers.get('x-amzn-errortype');

  it('gates REST calls with a TOKEN authorizer: policy, context in requestContext.authorizer, API Gateway refusals', async () => {
    const allowed = await get('/token/7', { authorization: 'Bearer allow' });
    expect(allowed.status).toBe(200);
    const event = JSON.parse(allowed.body);
    expect(() => APIGatewayProxyEventSchema.parse(event)).not.toThrow();
    // A REST API stringifies the context's values ("the returned values are all stringified").
    expect(event.requestContext.authorizer).toMatchObject({ principalId: 'alice', user: 'alice', level: '3', admin: 'false', integrationLatency: expect.any(Number) });
    const tokenEvent = JSON.parse(event.requestContext.authorizer.seen);
    expect(() => APIGatewayTokenAuthorizerEventSchema.parse(tokenEvent)).not.toThrow();
    expect(tokenEvent).toEqual({
      type: 'TOKEN', authorizationToken: 'Bearer allow',
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:${event.requestContext.apiId}/Prod/GET/token/7`,
    });

    expect(await get('/token/7')).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/token/7', { authorization: 'Basic nope' })).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/token/7', { authorization: 'Bearer unknown' })).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/token/7', { authorization: 'Bearer deny' }))
      .toEqual({ status: 403, body: '{"Message":"User is not authorized to access this resource with an explicit deny"}' });
    expect(await get('/token/7', { authorization: 'Bearer elsewhere' }))
      .toEqual({ status: 403, body: '{"Message":"User is not authorized to access this resource"}' });
    for (const broken of ['Bearer broken', 'Bearer nested']) {
      expect(await get('/token/7', { authorization: broken }), broken).toEqual({ status: 500, body: '{"message":null}' });
    }
    // The gateway responses' exception names, as API Gateway sends them with these answers.
    expect(await errorType('/token/7')).toBe('UnauthorizedException');
    expect(await errorType('/token/7', { authorization: 'Bearer deny' })).toBe('AccessDeniedException');
    expect(await errorType('/token/7', { authorization: 'Bearer elsewhere' })).toBe('AccessDeniedException');
    expect(await errorType('/token/7', { authorization: 'Bearer broken' })).toBe('AuthorizerConfigurationException');
  });

  it("a hub in a China region sends a methodArn in the aws-cn partition, and the policy naming it allows the call", async () => {
    const cn = await startTestHub({
      region: 'cn-north-1',
      accountId: '123456789012',
      functions: {
        tokenAuth: { handler: 'authorizers.token' },
        api: { handler: 'http.proxy', events: [{ api: { path: '/token/{id}', method: 'GET', authorizer: { function: 'tokenAuth' } } }] },
      },
    });
    try {
      const allowed = await fetch(`${cn.url}/token/7`, { headers: { authorization: 'Bearer allow' } });
      expect(allowed.status).toBe(200);
      const event = await allowed.json();
      expect(JSON.parse(event.requestContext.authorizer.seen)).toMatchObject({
        methodArn: `arn:aws-cn:execute-api:cn-north-1:123456789012:${event.requestContext.apiId}/Prod/GET/token/7`,
      });
    } finally {
      await cn.stop();
    }
  });

  it('sends REQUEST authorizers the request event with its identity sources', async () => {
    expect((await get('/request?tenant=t1')).status).toBe(401);
    expect((await get('/request', { 'X-User': 'bob' })).status).toBe(401);
    expect((await get('/request?tenant=t1', { 'X-User': 'eve' })).status).toBe(403);
    const allowed = await get('/request?tenant=t1', { 'X-User': 'bob' });
    expect(allowed.status).toBe(200);
    const event = JSON.parse(allowed.body);
    expect(event.requestContext.authorizer).toMatchObject({ principalId: 'bob', user: 'bob', tenant: 't1' });
    const requestEvent = JSON.parse(event.requestContext.authorizer.seen);
    expect(() => APIGatewayRequestAuthorizerEventSchema.parse(requestEvent)).not.toThrow();
    expect(requestEvent).toMatchObject({ type: 'REQUEST', resource: '/request', path: '/request', httpMethod: 'GET', pathParameters: {}, stageVariables: {} });
    expect(requestEvent.methodArn).toMatch(/:[0-9a-f]{10}\/Prod\/GET\/request$/);
    expect(requestEvent.body).toBeUndefined();
  });

  it('injects fixed claims on REST and HTTP API routes', async () => {
    const rest = JSON.parse((await get('/claims')).body);
    expect(() => APIGatewayProxyEventSchema.parse(rest)).not.toThrow();
    expect(rest.requestContext.authorizer).toEqual({ claims: { sub: 'u-1', email: 'a@example.com' }, scopes: ['read'] });
    const http = JSON.parse((await get('/jwt')).body);
    expect(() => APIGatewayProxyEventV2Schema.parse(http)).not.toThrow();
    expect(http.requestContext.authorizer).toEqual({ jwt: { claims: { sub: 'u-2' }, scopes: null } });
  });

  it('gates HTTP API calls with simple responses; the context lands in requestContext.authorizer.lambda', async () => {
    expect(await get('/simple')).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/simple', { authorization: 'wrong' })).toEqual({ status: 403, body: '{"message":"Forbidden"}' });
    expect([await errorType('/simple'), await errorType('/simple', { authorization: 'wrong' })]).toEqual([null, null]);
    const allowed = await get('/simple?x=1', { authorization: 'let-me-in' });
    expect(allowed.status).toBe(200);
    const event = JSON.parse(allowed.body);
    expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
    const { seen, roles } = event.requestContext.authorizer.lambda;
    expect(roles).toEqual(['reader']);
    expect(() => APIGatewayRequestAuthorizerEventV2Schema.parse(seen)).not.toThrow();
    expect(seen).toMatchObject({ version: '2.0', type: 'REQUEST', identitySource: ['let-me-in'], routeKey: 'ANY /simple', rawQueryString: 'x=1' });
    expect(seen.routeArn).toMatch(/\/\$default\/GET\/simple$/);
  });

  it("reuses an answer for resultTtlInSeconds on the API's routes, its policy judged per method ARN, as API Gateway's cache does", async () => {
    const calls = async (path: string, token: string) => {
      const response = await get(path, { authorization: token });
      // The context's values arrive stringified, as a REST API hands them on.
      return response.status === 200 ? Number(JSON.parse(response.body).requestContext.authorizer.calls) : response;
    };
    const first = await calls('/cached/a', 'Bearer carol') as number;
    expect(first).toEqual(expect.any(Number));
    expect(await calls('/cached/a', 'Bearer carol')).toBe(first);
    // The cached policy allows /cached/a only: /cached/b is refused without asking (the cache's known trap).
    expect(await calls('/cached/b', 'Bearer carol')).toEqual({ status: 403, body: '{"Message":"User is not authorized to access this resource"}' });
    // Another token is another cache entry: the authorizer is asked again.
    expect(await calls('/cached/b', 'Bearer dave')).toBe(first + 1);
    expect(await calls('/cached/b', 'Bearer dave')).toBe(first + 1);
  });

  it('rejects authorizer settings naming no function, or TOKEN on an HTTP API', () => {
    const attempt = (events: unknown[]) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events } } }, { baseDir: FIXTURES });
    expect(attempt([{ api: { path: '/x', authorizer: { function: 'ghost' } } }])).toThrow(/functions\.f\.events\[0\]\.api\.authorizer\.function: no function named "ghost"/);
    expect(attempt([{ http: { path: '/x', authorizer: { function: 'f', type: 'TOKEN' } } }])).toThrow(/http\.authorizer: HTTP APIs have REQUEST authorizers only/);
    expect(attempt([{ api: { path: '/x', authorizer: { function: 'f', identitySource: 'header.X' } } }])).toThrow(/api\.authorizer/);
    expect(attempt([{ api: { path: '/x', authorizer: { function: 'f', resultTtlInSeconds: 3601 } } }])).toThrow(/api\.authorizer/);
    expect(attempt([{ api: { path: '/x', authorizer: { function: 'f', type: 'REQUEST', resultTtlInSeconds: 60 } } }]))
      .toThrow(/api\.authorizer\.identitySource: is required when resultTtlInSeconds is over 0/);
  });
});
