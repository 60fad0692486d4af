import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { BootstrapSpec, ChildMessage, HubMessage, InvokeMessage } from '../protocol.js';

/**
 * The bootstrap's side of its Transport: the IPC channel of a forked process, or the message port
 * of a worker thread (`isolation: thread`). The rest of the bootstrap is the same code for both.
 */
export interface Host {
  /** What to load: the process's one argument (taken out of process.argv, as Lambda's has none), or the worker's data. */
  spec: BootstrapSpec;
  send(message: ChildMessage): void;
  /** Receives the hub's messages: invocations, and credit for a streamed response (see stream-credit.ts). */
  listen(listeners: HubListeners): void;
  /**
   * Whether the channel to the hub keeps the event loop alive (it does, but while the bootstrap
   * waits for the loop to empty: see empty-loop.ts).
   */
  keepAlive(on: boolean): void;
  /**
   * REPORT's Max Memory Used, kB (the process's peak RSS, or a thread's peak V8 heap + external
   * memory), and for a process the CPU time it has used, µs (a thread's is its process's: none).
   */
  usage(): { maxRssKB: number; cpuUs?: number };
}

export interface HubListeners {
  invoke(message: InvokeMessage): void;
  credit(bytes: number): void;
}

/** Calls the listener the hub's message is for. */
function dispatch(listeners: HubListeners, message: HubMessage): void {
  if (message.type === 'credit') listeners.credit(message.bytes);
  else if (message.type === 'batch') for (const one of message.messages) listeners.invoke(one);
  else listeners.invoke(message);
}

export const host: Host = parentPort ? threadHost(parentPort) : processHost();

function processHost(): Host {
  // The hub went away without killing us: do not outlive it.
  process.once('disconnect', () => process.exit(0));
  // Lambda's runtime is no forked child: handler code finds no process.send (with which it could
  // forge results); the bootstrap keeps its own. process.disconnect stays: Node itself calls it
  // when the channel closes (the hub died), which must end this process.
  const send = process.send!.bind(process);
  process.send = undefined;
  return {
    spec: JSON.parse(process.argv.splice(2, 1)[0]) as BootstrapSpec,
    send: (message) => {
      if (process.connected) send(message);
    },
    listen: (listeners) => process.on('message', (message: HubMessage) => dispatch(listeners, message)),
    keepAlive: (on) => {
      if (on) process.channel?.ref();
      else process.channel?.unref();
    },
    usage: () => {
      const usage = process.resourceUsage();
      return { maxRssKB: usage.maxRSS, cpuUs: usage.userCPUTime + usage.systemCPUTime };
    },
  };
}

/** How often a worker reports its memory while it runs an invocation (the process watchdog's period). */
const MEMORY_REPORT_MS = 100;

/**
 * A worker shares the hub's process, whose RSS says nothing about it: its memory is its isolate's
 * V8 heap plus external memory (Buffers, ArrayBuffers), reported to the hub while an invocation
 * runs so the hub's watchdog applies to it as to a process's RSS.
 */
function threadHost(port: MessagePort): Host {
  let peakKB = 0;
  let reporting: NodeJS.Timeout | undefined;
  const measure = (): number => {
    const { heapTotal, external } = process.memoryUsage();
    const kB = Math.round((heapTotal + external) / 1024);
    peakKB = Math.max(peakKB, kB);
    return kB;
  };
  const send = (message: ChildMessage): void => {
    if (message.type === 'result') reporting = void clearInterval(reporting);
    port.postMessage(message);
  };
  return {
    spec: workerData as BootstrapSpec,
    send,
    listen: (listeners) => port.on('message', (message: HubMessage) => {
      if (message.type !== 'credit') {
        reporting ??= setInterval(() => port.postMessage({ type: 'memory', kB: measure() } satisfies ChildMessage), MEMORY_REPORT_MS).unref();
      }
      dispatch(listeners, message);
    }),
    keepAlive: (on) => {
      if (on) port.ref();
      else port.unref();
    },
    usage: () => ({ maxRssKB: Math.max(measure(), peakKB) }),
  };
}
