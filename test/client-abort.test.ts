import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { testConfig, waitFor } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';

/** Sends the head of a POST and part of its body, then drops the connection. */
function abortMidBody(url: string, route: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST ${route} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"partial":`);
      setImmediate(() => { socket.destroy(); resolve(); });
    });
    socket.once('error', reject);
  });
}

describe('clients that drop the connection mid-request', { timeout: 60_000 }, () => {
  const { lines, destination } = jsonLogLines();
  let hub: Hub;

  beforeAll(async () => {
    hub = await startHub(testConfig({
      functions: { echo: { handler: 'echo.handler', events: [{ s3: { bucket: 'abort-bucket', via: { webhook: { path: '/minio' } } } }] } },
    }), { logger: createLogger({ destination, level: 'debug' }) });
  });
  afterAll(async () => hub?.stop());

  it('are logged at debug without a stack, however many there are', async () => {
    // The admin API logs through its requests' logger (warnings and up only): its aborts come first,
    // so that the counted ones after them show they were handled too.
    const routes = ['/admin/dlq/redrive', '/2015-03-31/functions/echo/invocations', '/urls/echo/x', '/minio'];
    const before = lines.length; // start-up's lines (the suite's Redis runs without AOF: a warning)
    for (let i = 0; i < 5; i++) for (const route of routes) await abortMidBody(hub.url, route);
    await waitFor(() => lines.filter((line) => line.event === 'client_aborted').length >= (routes.length - 1) * 5, 15_000, 'every abort logged');
    expect(lines.slice(before).filter((line) => (line.level as number) >= 40)).toEqual([]);
    expect(lines.filter((line) => line.event === 'client_aborted').every((line) => line.level === 20 && line.err === undefined)).toBe(true);
    // The hub serves on.
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });
});
