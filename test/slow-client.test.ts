import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

/** Writes a request whose body trickles in a byte at a time; resolves with what the server answered and when it closed. */
function trickle(url: string, everyMs: number, giveUpMs: number): Promise<{ answer: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ answer, closedAfterMs: Date.now() - started });
    };
    const limit = setTimeout(() => socket.destroy(), giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { answer += chunk; });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write('POST /urls/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      timer = setInterval(() => { if (!socket.destroyed) socket.write(' '); }, everyMs);
    });
  });
}

describe('a client that trickles its request in (slowloris)', { timeout: 30_000 }, () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ server: { port: 0, host: '127.0.0.1', requestTimeoutMs: 1000 }, functions: { echo: { handler: 'echo.handler' } } });
  });
  afterAll(async () => hub?.stop());

  it('is answered 408 and cut off after server.requestTimeoutMs, and the hub serves others meanwhile', async () => {
    const slow = trickle(hub.url, 200, 10_000);
    const meanwhile = await fetch(`${hub.url}/urls/echo`, { method: 'POST', body: '{"a":1}' });
    expect(meanwhile.status).toBe(200);
    const { answer, closedAfterMs } = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node checks open requests every requestTimeoutMs / 2 here: cut off well before the 10 s the client would go on.
    expect(closedAfterMs).toBeLessThan(5000);
  });
});
