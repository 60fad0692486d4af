import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

const MiB = 1024 * 1024;
const PIECE = 64 * 1024;
/** What a streaming handler writes in these tests: far more than anything between it and the client may hold. */
const TOTAL_MB = 32;
/** Where the client stops reading. */
const PAUSE_AT = 2 * MiB;
/**
 * How far the handler may get ahead of a client that stopped reading: its own Readable and
 * Writable buffers, the bytes in flight between environment and hub (1 MiB), the hub's response
 * buffer, and the kernel's socket buffers on both sides of the loopback connection (about 10 MiB
 * here; Linux grows a receive buffer up to tcp_rmem's maximum).
 */
const AHEAD_BOUND = 24 * MiB;
/**
 * A custom runtime's response crosses two loopback connections (its chunked POST to the Runtime
 * API, then the hub's response to the client), each with kernel buffers that grow under load
 * (tcp_rmem's maximum is 32 MiB here): twice the bound, and a response larger than that.
 */
const PROVIDED_MB = 64;
const PROVIDED_AHEAD_BOUND = 2 * AHEAD_BOUND;
/** What the hub may hold for the client: the bytes in flight (1 MiB and a piece) and its socket's high-water mark. */
const HUB_HELD_BOUND = 2 * MiB;

describe('response streaming to a client that reads slowly (backpressure)', { timeout: 60_000 }, () => {
  let hub: TestHub;
  let dir: string;
  let n = 0;
  const stream = { url: { invokeMode: 'RESPONSE_STREAM' } };
  /** The hub's side of its clients' connections. */
  const sockets: Socket[] = [];
  /** The most the hub holds, written but not yet handed to the kernel, for any of its clients. */
  const hubHeld = () => Math.max(0, ...sockets.filter((s) => !s.destroyed).map((s) => s.writableLength));

  beforeAll(async () => {
    dir = tempDir('backpressure');
    hub = await startTestHub({
      functions: {
        paced: { handler: 'streaming.paced', ...stream, memorySize: 512, timeout: 60 },
        pacedThread: { handler: 'streaming.paced', ...stream, memorySize: 512, timeout: 60, isolation: 'thread' },
        pacedShort: { handler: 'streaming.paced', ...stream, memorySize: 512, timeout: 3 },
        pacedProvided: { handler: path.join(FIXTURES, '../provided/streaming/function.handler'), runtime: 'provided.al2023', ...stream, timeout: 60 },
      },
    });
    hub.app.server.on('connection', (socket: Socket) => sockets.push(socket));
  });
  afterAll(async () => hub?.stop());

  const progressFile = () => path.join(dir, `progress-${n += 1}`);
  const urlOf = (name: string, progress: string, via: string, mb = TOTAL_MB) => `${hub.url}/urls/${name}?mb=${mb}&via=${via}&progress=${encodeURIComponent(progress)}`;

  it.each([
    ['paced', 'pipeline', TOTAL_MB, AHEAD_BOUND],
    ['paced', 'write', TOTAL_MB, AHEAD_BOUND],
    ['pacedThread', 'pipeline', TOTAL_MB, AHEAD_BOUND],
    ['pacedProvided', 'a custom runtime\'s chunked Runtime API response', PROVIDED_MB, PROVIDED_AHEAD_BOUND],
  ])('a RESPONSE_STREAM function URL holds the handler (%s, via %s) back to what the client has read', async (name, via, mb, ahead) => {
    const progress = progressFile();
    const client = slowClient(urlOf(name, progress, via, mb));
    await client.paused;
    const produced = await settled(progress);
    expect(produced).toBeLessThan(client.read() + ahead);
    expect(hubHeld()).toBeLessThan(HUB_HELD_BOUND);
    expect(existsSync(`${progress}.done`)).toBe(false);
    const { bytes, sha256 } = await client.resume();
    expect(bytes).toBe(mb * MiB);
    expect(sha256).toBe(expectedSha256(mb));
    expect(readFileSync(`${progress}.done`, 'utf8')).toBe(String(mb * MiB));
  });

  it('InvokeWithResponseStream holds the handler back to what the client has read, and ends with InvokeComplete', async () => {
    const progress = progressFile();
    const client = slowClient(`${hub.url}/2021-11-15/functions/paced/response-streaming-invocations`, JSON.stringify({ mb: TOTAL_MB, progress, via: 'write' }));
    await client.paused;
    const produced = await settled(progress);
    expect(produced).toBeLessThan(client.read() + AHEAD_BOUND);
    expect(hubHeld()).toBeLessThan(HUB_HELD_BOUND);
    const { bytes, tail } = await client.resume();
    expect(bytes).toBeGreaterThan(TOTAL_MB * MiB);
    expect(tail).toContain('InvokeComplete');
    expect(tail).not.toContain('ErrorCode');
  });

  it('past the 200 MB streamed response limit the rest is dropped without holding the handler, and the stream ends with Function.ResponseSizeTooLarge', async () => {
    const progress = progressFile();
    const response = await fetch(`${hub.url}/2021-11-15/functions/paced/response-streaming-invocations`, {
      method: 'POST', body: JSON.stringify({ mb: 201, progress, via: 'write' }),
    });
    let bytes = 0;
    let tail = '';
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      tail = (tail + Buffer.from(chunk).toString('latin1')).slice(-512);
    }
    expect(bytes).toBeGreaterThan(200 * MiB);
    expect(bytes).toBeLessThan(201 * MiB);
    expect(tail).toContain('"ErrorCode":"Function.ResponseSizeTooLarge"');
    expect(readFileSync(`${progress}.done`, 'utf8')).toBe(String(201 * MiB));
  });

  it('a client that disconnects does not stop the invocation: the handler runs to its end', async () => {
    const progress = progressFile();
    const client = slowClient(urlOf('paced', progress, 'write'));
    await client.paused;
    client.destroy();
    expect(await waitFor(() => existsSync(`${progress}.done`) && readFileSync(`${progress}.done`, 'utf8'))).toBe(String(TOTAL_MB * MiB));
    const next = await fetch(urlOf('paced', progressFile(), 'write').replace(`mb=${TOTAL_MB}`, 'mb=1'));
    expect((await next.arrayBuffer()).byteLength).toBe(MiB);
  });

  it('a client that stops reading holds the handler until its timeout, which cuts the response', async () => {
    const progress = progressFile();
    const client = slowClient(urlOf('pacedShort', progress, 'write'));
    await client.paused;
    // The timeout kills the environment's process; then the client reads what reached it, and the cut.
    const pid = Number(readFileSync(`${progress}.pid`, 'utf8'));
    await waitFor(() => !alive(pid), 20_000, 'the timed-out environment to be killed');
    const { bytes, complete } = await client.resume();
    expect(complete).toBe(false);
    expect(bytes).toBeLessThan(TOTAL_MB * MiB);
    expect(existsSync(`${progress}.done`)).toBe(false);
  });
});

/** Whether process `pid` still runs (a zombie not yet reaped does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The sha256 of what `paced` writes: `mb` MiB in 64 KiB pieces, piece i filled with i % 251. */
function expectedSha256(mb = TOTAL_MB): string {
  const hash = createHash('sha256');
  for (let i = 0; i < (mb * MiB) / PIECE; i++) hash.update(Buffer.alloc(PIECE, i % 251));
  return hash.digest('hex');
}

/** The handler's progress once it has stopped moving (it waits for the client, or has finished). */
async function settled(progress: string): Promise<number> {
  let last = -1;
  let same = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = existsSync(progress) ? Number(readFileSync(progress, 'utf8')) : 0;
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 5) return now;
  }
}

/**
 * An HTTP client (GET, or POST of `body`) that reads the response until PAUSE_AT bytes, then stops
 * reading (its socket's receive buffer fills, TCP holds the sender) until resume().
 */
function slowClient(url: string, body?: string) {
  let bytes = 0;
  let stopped = false;
  let tail = '';
  const hash = createHash('sha256');
  let response!: http.IncomingMessage;
  let onPaused!: () => void;
  const paused = new Promise<void>((resolve) => { onPaused = resolve; });
  const request = http.request(url, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
    response = res;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
      tail = (tail + chunk.toString('latin1')).slice(-512);
      if (!stopped && bytes >= PAUSE_AT) {
        stopped = true;
        res.pause();
        onPaused();
      }
    });
    res.on('error', () => undefined);
  });
  request.on('error', () => undefined);
  request.end(body);
  return {
    paused,
    read: () => bytes,
    destroy: () => request.destroy(),
    /** Reads the rest; resolves with everything read once the response is over (`complete`: all of it came). */
    resume: async () => {
      const closed = new Promise<void>((resolve) => response.once('close', resolve));
      response.resume();
      await closed;
      return { bytes, sha256: hash.digest('hex'), tail, complete: response.complete };
    },
  };
}
