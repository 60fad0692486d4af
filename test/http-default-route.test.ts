import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

/**
 * HTTP APIs' catch-all route `$default` (SAM's HttpApi event without a Path, a quick-create API,
 * the Framework's `httpApi: '*'`): every request no other route matches, `/` included, with
 * routeKey `$default` and no pathParameters, as API Gateway sends it.
 */
describe('the $default route of an HTTP API', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        fallback: { handler: 'http.event', events: [{ http: { path: '$default' } }] },
        orders: { handler: 'http.event', events: [{ http: { path: '/orders/{id}', methods: ['GET'] } }] },
        staged: { handler: 'http.proxy', events: [{ http: { path: '$default', stage: 'beta', payloadFormatVersion: '1.0' } }] },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('gets every request no other route takes, / included, with routeKey $default and no pathParameters', async () => {
    for (const [path, rawPath] of [['/', '/'], ['/a/b?x=1', '/a/b'], ['/orders/1/items', '/orders/1/items']]) {
      const response = await fetch(`${hub.url}${path}`, { method: 'POST', body: 'hi' });
      expect(response.status).toBe(200);
      const event = await response.json();
      expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
      expect(event).toMatchObject({ routeKey: '$default', rawPath, requestContext: { routeKey: '$default', stage: '$default', http: { method: 'POST' } } });
      expect(event.pathParameters).toBeUndefined();
    }
    const order = await (await fetch(`${hub.url}/orders/7`)).json();
    expect(order).toMatchObject({ routeKey: 'GET /orders/{id}', pathParameters: { id: '7' } });
  });

  it('on a named stage, serves everything under /<stage> (payload 1.0 too)', async () => {
    const event = await (await fetch(`${hub.url}/beta/x/y`)).json();
    expect(event).toMatchObject({ version: '1.0', path: '/beta/x/y', requestContext: { routeKey: '$default', stage: 'beta' } });
    expect(event.pathParameters).toBeNull();
  });

  it('takes $default as a path and refuses other paths that are not paths', () => {
    const load = (path: string) => () => buildConfig({ functions: { f: { handler: 'http.event', events: [{ http: { path } }] } } }, { baseDir: FIXTURES });
    expect(load('$default')).not.toThrow();
    expect(load('orders')).toThrow(/functions\.f\.events\[0\]\.http\.path: must start with \//);
  });
});
