import path from 'node:path';
import { APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema, APIGatewayRequestAuthorizerEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { samplesFor } from '../src/console/samples.js';
import { readSourcesPage } from '../src/console/sources-page.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';
import { projectDir } from './helpers/template-project.js';

const preflight = (origin: string) => ({ method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });

// Without and with hot reload: fastify's router, then the route table a watching hub dispatches through.
describe.each([false, true])('HTTP API named stages (watch: %s)', (watch) => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      watch,
      functions: {
        dev: {
          handler: 'http.event',
          events: [
            { http: { path: '/items/{id}', methods: ['GET'], stage: 'dev' } },
            { http: { path: '/files/{proxy+}', stage: 'dev' } },
            { http: { path: '/secure', methods: ['GET'], stage: 'dev', authorizer: { function: 'simpleAuth', enableSimpleResponses: true } } },
            { http: { path: '/cors', methods: ['GET'], stage: 'dev', cors: { allowOrigins: ['https://dev.example'], allowMethods: ['GET'] } } },
          ],
        },
        // The same method and path on another stage, and on $default: three routes, no conflict.
        prod: {
          handler: 'http.event',
          events: [
            { http: { path: '/items/{id}', methods: ['GET'], stage: 'prod' } },
            { http: { path: '/cors', methods: ['GET'], stage: 'prod', cors: { allowOrigins: ['https://prod.example'], allowMethods: ['GET'] } } },
          ],
        },
        root: { handler: 'http.event', events: [{ http: { path: '/items/{id}', methods: ['GET'] } }] },
        legacy: { handler: 'http.proxy', events: [{ http: { path: '/legacy/{id}', methods: ['POST'], stage: 'v1', payloadFormatVersion: '1.0' } }] },
        proto: { handler: 'http.event', events: [{ http: { path: '/items', stage: '__proto__' } }] },
        simpleAuth: { handler: 'authorizers.simple' },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('serves a named stage\'s route at /{stage}/path only: the path without the stage is 404', async () => {
    expect((await fetch(`${hub.url}/dev/files/a.txt`)).status).toBe(200);
    expect((await fetch(`${hub.url}/files/a.txt`)).status).toBe(404);
    expect((await fetch(`${hub.url}/prod/files/a.txt`)).status).toBe(404);
    expect((await fetch(`${hub.url}/v1/legacy/7`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${hub.url}/legacy/7`, { method: 'POST' })).status).toBe(404);
  });

  it('payload 2.0: rawPath and http.path have the stage, routeKey and pathParameters do not', async () => {
    const response = await fetch(`${hub.url}/dev/items/42?x=1`);
    expect(response.status).toBe(200);
    const event = await response.json();
    expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      routeKey: 'GET /items/{id}', rawPath: '/dev/items/42', rawQueryString: 'x=1', pathParameters: { id: '42' },
      requestContext: { routeKey: 'GET /items/{id}', stage: 'dev', http: { method: 'GET', path: '/dev/items/42' } },
    });
    const greedy = await (await fetch(`${hub.url}/dev/files/a/b%20c.txt`, { method: 'PUT' })).json();
    expect(greedy).toMatchObject({ routeKey: 'ANY /files/{proxy+}', rawPath: '/dev/files/a/b c.txt', pathParameters: { proxy: 'a/b c.txt' }, requestContext: { stage: 'dev' } });
  });

  it('one method and path on two stages and $default are three routes, each its own function and stage', async () => {
    const seen = async (path: string) => {
      const event = await (await fetch(`${hub.url}${path}`)).json();
      expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
      return { rawPath: event.rawPath, stage: event.requestContext.stage, routeKey: event.routeKey, id: event.pathParameters.id };
    };
    const [dev, prod, root] = [await seen('/dev/items/1'), await seen('/prod/items/2'), await seen('/items/3')];
    expect(dev).toMatchObject({ rawPath: '/dev/items/1', stage: 'dev', routeKey: 'GET /items/{id}', id: '1' });
    expect(prod).toMatchObject({ rawPath: '/prod/items/2', stage: 'prod', routeKey: 'GET /items/{id}', id: '2' });
    expect(root).toMatchObject({ rawPath: '/items/3', stage: '$default', routeKey: 'GET /items/{id}', id: '3' });
  });

  it('payload 1.0 on an HTTP API: path and requestContext.path have the stage, resource is the route\'s path', async () => {
    const response = await fetch(`${hub.url}/v1/legacy/7?q=a`, { method: 'POST', body: 'hi' });
    expect(response.status).toBe(200);
    const event = await response.json();
    expect(() => APIGatewayProxyEventSchema.parse(event)).not.toThrow();
    expect(event).toMatchObject({
      version: '1.0', resource: '/legacy/{id}', path: '/v1/legacy/7', httpMethod: 'POST', pathParameters: { id: '7' }, body: 'hi',
      requestContext: { path: '/v1/legacy/7', resourcePath: '/legacy/{id}', stage: 'v1', routeKey: 'POST /legacy/{id}', resourceId: 'POST /legacy/{id}' },
    });
  });

  it('a Lambda authorizer\'s routeArn names the stage once, then the path within it', async () => {
    expect((await fetch(`${hub.url}/dev/secure`, { headers: { authorization: 'wrong' } })).status).toBe(403);
    const event = await (await fetch(`${hub.url}/dev/secure`, { headers: { authorization: 'let-me-in' } })).json();
    const { seen } = event.requestContext.authorizer.lambda;
    expect(() => APIGatewayRequestAuthorizerEventV2Schema.parse(seen)).not.toThrow();
    expect(seen).toMatchObject({ routeKey: 'GET /secure', rawPath: '/dev/secure', requestContext: { stage: 'dev' } });
    expect(seen.routeArn).toBe(`arn:aws:execute-api:us-east-1:000000000000:${event.requestContext.apiId}/dev/GET/secure`);
  });

  it('each stage\'s path has its own CORS preflight answer', async () => {
    const dev = await fetch(`${hub.url}/dev/cors`, preflight('https://dev.example'));
    expect(dev.status).toBe(200);
    expect(dev.headers.get('access-control-allow-origin')).toBe('https://dev.example');
    expect((await fetch(`${hub.url}/dev/cors`, preflight('https://prod.example'))).status).toBe(403);
    const prod = await fetch(`${hub.url}/prod/cors`, preflight('https://prod.example'));
    expect(prod.status).toBe(200);
    expect(prod.headers.get('access-control-allow-origin')).toBe('https://prod.example');
    expect((await fetch(`${hub.url}/cors`, preflight('https://dev.example'))).status).toBe(404);
  });

  it('a stage named __proto__ is a stage like any other', async () => {
    const event = await (await fetch(`${hub.url}/__proto__/items`)).json();
    expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
    expect(event).toMatchObject({ rawPath: '/__proto__/items', routeKey: 'ANY /items', requestContext: { stage: '__proto__' } });
  });

  it('the console lists a staged route at the path it is served at, and its sample event has the stage', async () => {
    const { sources } = await readSourcesPage(hub.redis, hub.config);
    const served = sources.filter((row) => row.function === 'dev').map((row) => row.servedAt);
    expect(served).toEqual(['/dev/items/{id}', '/dev/files/{proxy+}', '/dev/secure', '/dev/cors']);
    expect(sources.find((row) => row.function === 'root')!.servedAt).toBe('/items/{id}');
    const [, http] = samplesFor(hub.config, hub.config.functions.legacy);
    expect(APIGatewayProxyEventSchema.parse(http.event)).toMatchObject({ path: '/v1/legacy/sample', resource: '/legacy/{id}', requestContext: { stage: 'v1', path: '/v1/legacy/sample' } });
    const [, v2] = samplesFor(hub.config, hub.config.functions.dev);
    expect(APIGatewayProxyEventV2Schema.parse(v2.event)).toMatchObject({ rawPath: '/dev/items/sample', routeKey: 'GET /items/{id}', requestContext: { stage: 'dev' } });
  });
});

describe('the http stage setting', () => {
  const attempt = (http: Record<string, unknown>) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ http }] } } }, { baseDir: FIXTURES });

  it('is $default unless set', () => {
    const config = buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ http: { path: '/x' } }, { http: { path: '/x', stage: 'dev' } }] } } }, { baseDir: FIXTURES });
    expect(config.functions.f.events).toEqual([{ http: expect.objectContaining({ stage: '$default' }) }, { http: expect.objectContaining({ stage: 'dev' }) }]);
  });

  it.each([
    ['a/b'], ['../x'], [''], ['$prod'], ['dev stage'], ['x'.repeat(129)], [5], [null], [{ Ref: 'Stage' }],
  ])('refuses the stage %j, naming the field', (stage) => {
    expect(attempt({ path: '/x', stage })).toThrow(/functions\.f\.events\[0\]\.http\.stage: must be \$default or 1-128 letters, digits, - and _/);
  });

  it('refuses a stage that puts the route on the hub\'s own paths', () => {
    expect(attempt({ path: '/fn', stage: 'urls' })).toThrow(/functions\.f\.events\[0\]\.http\.stage: puts the route at \/urls\/fn, which must not use the hub's own paths/);
    expect(attempt({ path: '/', stage: 'admin' })).toThrow(/http\.stage: puts the route at \/admin\/, which must not use the hub's own paths/);
    expect(attempt({ path: '/x', stage: 'x'.repeat(128) })).not.toThrow();
  });
});

describe('a SAM template\'s AWS::Serverless::HttpApi with a StageName', () => {
  it('serves the events on it at /{StageName}/path, with the stage in the event', async () => {
    const dir = projectDir({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev }
Resources:
  Api: { Type: AWS::Serverless::HttpApi, Properties: { StageName: !Ref Stage } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Get: { Type: HttpApi, Properties: { Path: '/items/{id}', Method: get, ApiId: !Ref Api } }
        Implicit: { Type: HttpApi, Properties: { Path: /health, Method: get } }
`,
    }, ['app.mjs']);
    const hub = await startProjectHub({ template: path.join(dir, 'template.yaml') });
    try {
      const event = await (await fetch(`${hub.url}/dev/items/9`)).json();
      expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
      expect(event).toMatchObject({ routeKey: 'GET /items/{id}', rawPath: '/dev/items/9', pathParameters: { id: '9' }, requestContext: { stage: 'dev' } });
      expect((await fetch(`${hub.url}/items/9`)).status).toBe(404);
      // SAM's implicit HTTP API is on $default.
      expect(await (await fetch(`${hub.url}/health`)).json()).toMatchObject({ rawPath: '/health', requestContext: { stage: '$default' } });
    } finally {
      await hub.stop();
    }
  });
});
