import type { Writable } from 'node:stream';

/** Per stream, who waits for it to drain. */
const waiting = new WeakMap<Writable, (() => void)[]>();

/**
 * Calls `taken` once `stream` can take more: at once when the write that returned `wrote` left it
 * under its high-water mark (or it is gone: a client that disconnected takes everything, its bytes
 * dropped), else at its next 'drain' (or 'close'). One listener per stream, however many wait.
 */
export function whenWritable(stream: Writable, wrote: boolean, taken: () => void): void {
  if (wrote || stream.destroyed) return taken();
  const queue = waiting.get(stream);
  if (queue) return void queue.push(taken);
  const waiters = [taken];
  waiting.set(stream, waiters);
  const release = () => {
    stream.off('drain', release);
    stream.off('close', release);
    waiting.delete(stream);
    for (const waiter of waiters) waiter();
  };
  stream.on('drain', release);
  stream.on('close', release);
}
