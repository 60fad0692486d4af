import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { handlerJson, startExample, type LogLine } from './fixtures/examples/run.js';

/** examples/hello-http: the function's HTTP route and its default function URL, through fetch. */
describe('examples/hello-http', () => {
  let hub: Hub;
  let logs: LogLine[];

  beforeAll(async () => {
    ({ hub, logs } = await startExample('hello-http', { GREETING: 'Howdy' }));
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('answers GET /hello/{name} with the handler\'s status, headers and body', async () => {
    const response = await fetch(`${hub.url}/hello/Ada`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-example')).toBe('hello-http');
    expect(await response.json()).toEqual({ message: 'Howdy, Ada!', route: 'GET /hello/{name}', path: '/hello/Ada' });
    await waitFor(() => handlerJson(logs, 'hello-http').some((l) => l.name === 'Ada'), 5000, 'the handler log line');
  });

  it('passes a JSON POST body through, and maps a bad body to the handler\'s 400', async () => {
    const ok = await fetch(`${hub.url}/hello/Grace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"lang":"COBOL"}' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ message: 'Howdy, Grace!', route: 'POST /hello/{name}', lang: 'COBOL' });
    const bad = await fetch(`${hub.url}/hello/Grace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not JSON' });
  });

  it('serves the default function URL /urls/hello-http ($default route, query parameter)', async () => {
    const response = await fetch(`${hub.url}/urls/hello-http/anything?name=Linus`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Howdy, Linus!', route: '$default', path: '/anything' });
  });

  it('leaves methods the route does not list to the 404 handler', async () => {
    const response = await fetch(`${hub.url}/hello/Ada`, { method: 'DELETE' });
    expect(response.status).toBe(404);
  });
});
