import type { FastifyReply, FastifyRequest } from 'fastify';

/** One open Server-Sent Events response. */
export interface SseStream {
  /** Sends one event (data as JSON); false once the client has gone. */
  send(event: string, data: unknown, id?: string): boolean;
  readonly signal: AbortSignal;
  end(): void;
}

/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Opens an SSE response on a hijacked reply. The stream ends when the client goes, when `end()`
 * is called, or when the registry closes every stream (the hub is stopping).
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, open: Set<SseStream>): SseStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  const abort = new AbortController();
  const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
  const stream: SseStream = {
    signal: abort.signal,
    send(event, data, id) {
      if (abort.signal.aborted) return false;
      raw.write(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
      return true;
    },
    end() {
      if (abort.signal.aborted) return;
      abort.abort();
      clearInterval(keepalive);
      open.delete(stream);
      raw.end();
    },
  };
  open.add(stream);
  request.raw.once('close', () => stream.end());
  return stream;
}
