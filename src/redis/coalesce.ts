import type { Redis } from 'ioredis';
import type { Socket } from 'node:net';

/**
 * Coalesces a connection's writes: the first command written in an event-loop turn corks the
 * socket and the rest of that turn's commands (other requests' `queue.add`, other jobs'
 * `moveToFinished`, stats) join it; the socket is uncorked once the turn's I/O callbacks have run
 * (setImmediate), so they go out in one writev instead of one write syscall each, and Redis reads
 * them in one go. Commands wait at most for the rest of the current turn.
 *
 * ioredis' own enableAutoPipelining does the same at a higher level but breaks BullMQ's scripts
 * (they are defined on the client, not on its pipelines). Not for blocking connections.
 */
export function coalesceWrites(redis: Redis): void {
  redis.on('connect', () => {
    const socket = (redis as unknown as { stream?: Socket }).stream;
    if (!socket || (socket as { coalescing?: boolean }).coalescing) return;
    Object.assign(socket, { coalescing: true });
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    const write = socket.write;
    socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket['write']>) {
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(uncork);
      }
      return write.apply(this, args);
    } as Socket['write'];
  });
}
