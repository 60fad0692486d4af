import type { Socket } from 'node:net';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../src/redis/coalesce.js';

/** Counts the write system calls' worth of socket writes (one per _write, one per _writev batch). */
function countWrites(socket: Socket): { writes: number; chunks: number } {
  const counts = { writes: 0, chunks: 0 };
  const internals = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void };
  const write = internals._write.bind(socket);
  const writev = internals._writev.bind(socket);
  internals._write = (...args) => { counts.writes += 1; counts.chunks += 1; return write(...args); };
  internals._writev = (chunks, cb) => { counts.writes += 1; counts.chunks += chunks.length; return writev(chunks, cb); };
  return counts;
}

async function client(coalesce: boolean): Promise<Redis> {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true });
  if (coalesce) coalesceWrites(redis);
  await redis.connect();
  return redis;
}

describe('coalesced Redis writes', () => {
  const clients: Redis[] = [];
  afterEach(() => { clients.splice(0).forEach((c) => c.disconnect()); });

  it('sends the commands of one event-loop turn in one write, in order, with every reply', async () => {
    const redis = await client(true);
    clients.push(redis);
    const key = `coalesce:${process.pid}:${Date.now()}`;
    const counts = countWrites((redis as unknown as { stream: Socket }).stream);
    // Commands issued from separate I/O-like callbacks of one turn (here: microtasks and ticks).
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? Promise.resolve().then(() => redis.rpush(key, String(i))) : redis.rpush(key, String(i)))));
    expect([...replies].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(counts.chunks).toBe(50);
    expect(counts.writes).toBe(1);
    expect(await redis.lrange(key, 0, -1)).toHaveLength(50);
    await redis.del(key);
  });

  it('commands of later turns are not held back (each turn flushes)', async () => {
    const redis = await client(true);
    clients.push(redis);
    const counts = countWrites((redis as unknown as { stream: Socket }).stream);
    for (let i = 0; i < 5; i += 1) expect(await redis.ping()).toBe('PONG');
    expect(counts.writes).toBe(5);
  });

  it('without it, each command is its own write', async () => {
    const redis = await client(false);
    clients.push(redis);
    const counts = countWrites((redis as unknown as { stream: Socket }).stream);
    await Promise.all(Array.from({ length: 10 }, () => redis.ping()));
    expect(counts.writes).toBeGreaterThan(1);
  });

  it('keeps coalescing after a reconnect (a new socket)', async () => {
    const redis = await client(true);
    clients.push(redis);
    const first = (redis as unknown as { stream: Socket }).stream;
    const reconnected = new Promise((resolve) => redis.once('ready', resolve));
    first.destroy();
    await reconnected;
    const second = (redis as unknown as { stream: Socket }).stream;
    expect(second).not.toBe(first);
    const counts = countWrites(second);
    await Promise.all(Array.from({ length: 20 }, () => redis.ping()));
    expect(counts.writes).toBe(1);
  });
});
