import { host } from './host.js';

/** Who waits for the event loop to empty. */
let waiting: (() => void) | undefined;

// Registered when the bootstrap starts, before the handler module loads: it runs before a
// handler's own 'beforeExit' listeners, as the Node.js runtime's (BeforeExitListener) does.
process.on('beforeExit', () => {
  const then = waiting;
  if (!then) return;
  waiting = undefined;
  host.keepAlive(true);
  then();
});

/**
 * Calls `then` once the event loop is empty: no timer, socket, server or request of the
 * handler's left (Node's 'beforeExit', which Lambda's Node.js runtime waits for too). The
 * environment's channel to the hub would keep the loop alive forever: it is unref'd meanwhile.
 * Returns a cancel function. One waiter at a time (one invocation per environment).
 */
export function whenLoopEmpty(then: () => void): () => void {
  waiting = then;
  host.keepAlive(false);
  return () => {
    if (waiting !== then) return;
    waiting = undefined;
    host.keepAlive(true);
  };
}
