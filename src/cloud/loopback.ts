import net from 'node:net';

/**
 * Runs `start` with every server it opens bound to 127.0.0.1, whatever host it asks for (fauxqs
 * always binds 0.0.0.0). Synchronous listen calls inside `start` are all a server makes, so the
 * patch is undone as soon as `start` settles.
 */
export async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function loopback(this: net.Server, ...args: unknown[]) {
    if (typeof args[0] === 'object' && args[0] !== null) args[0] = { ...args[0], host: '127.0.0.1' };
    else if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
    else if (typeof args[1] === 'string') args[1] = '127.0.0.1';
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
  try {
    return await start();
  } finally {
    net.Server.prototype.listen = listen;
  }
}
