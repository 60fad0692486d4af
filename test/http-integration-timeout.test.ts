import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/** slow.mjs sleeps 300 ms (an HTTP event has no `ms`), then appends the event to CALLS_FILE. */
describe('API Gateway integration timeouts', { timeout: 30_000 }, () => {
  let hub: TestHub;
  let calls: string;
  const called = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;

  beforeAll(async () => {
    calls = path.join(tempDir('integration-timeout-'), 'calls.jsonl');
    hub = await startTestHub({
      functions: {
        slow: {
          handler: 'slow.handler',
          environment: { CALLS_FILE: calls },
          events: [
            { http: { path: '/v2/slow', timeoutInMillis: 50 } },
            { http: { path: '/v1/slow', payloadFormatVersion: '1.0', timeoutInMillis: 50 } },
            { api: { path: '/rest/slow', timeoutInMillis: 50 } },
            { http: { path: '/v2/in-time' } },
            { api: { path: '/rest/in-time' } },
          ],
        },
      },
    });
    // A first call starts the environment, so the timings below are a warm function's.
    expect((await fetch(`${hub.url}/v2/in-time`)).status).toBe(200);
  });
  afterAll(async () => hub?.stop());

  it('HTTP APIs answer 503 Service Unavailable once the integration timeout passed; the function runs on to its end', async () => {
    for (const route of ['/v2/slow', '/v1/slow']) {
      const before = called();
      const response = await fetch(`${hub.url}${route}`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      // Answered before the function (300 ms) finished, which it then does.
      expect(called()).toBe(before);
      await waitFor(() => called() === before + 1, 5000, `the invocation behind ${route} to finish`);
    }
  });

  it('REST APIs answer 504 Endpoint request timed out', async () => {
    const response = await fetch(`${hub.url}/rest/slow`);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('with the default timeouts (30 s, 29 s) and on the function URL, the answer is the function\'s', async () => {
    for (const route of ['/v2/in-time', '/urls/slow']) {
      const response = await fetch(`${hub.url}${route}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ slept: 300 });
    }
    // A REST proxy result needs a statusCode: this one's answer is REST's 502 for a malformed result, not the timeout's 504.
    const rest = await fetch(`${hub.url}/rest/in-time`);
    expect(rest.status).toBe(502);
    expect(await rest.json()).toEqual({ message: 'Internal server error' });
  });

  it('takes timeoutInMillis in API Gateway\'s ranges only', () => {
    const base = { handler: 'slow.handler' };
    expect(() => buildConfig({ functions: { f: { ...base, events: [{ http: { path: '/a', timeoutInMillis: 30_001 } }] } } }, { baseDir: '/tmp' }))
      .toThrow(/events\[0\]\.http\.timeoutInMillis: must be between 50 and 30000/);
    expect(() => buildConfig({ functions: { f: { ...base, events: [{ api: { path: '/a', timeoutInMillis: 49 } }] } } }, { baseDir: '/tmp' }))
      .toThrow(/events\[0\]\.api\.timeoutInMillis: must be between 50 and 900000/);
  });
});
