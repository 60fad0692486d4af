import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { releaseChild } from './children.js';
import { ProcMemoryReader, type ProcMemory } from './proc-memory.js';
import type { ChildMessage } from './protocol.js';

/** How a sandbox ended. */
export interface SandboxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The sandbox itself reported running out of memory (a worker over its `resourceLimits`). */
  outOfMemory?: boolean;
}

/** What a sandbox tells its Environment. */
export interface SandboxEvents {
  message(message: ChildMessage): void;
  /** Text written to the sandbox's stdout or stderr past the handler's log capture (V8's OOM report, a crash). */
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** It failed to start or to be signalled; `started` false means no exit will follow. */
  error(err: Error, started: boolean): void;
  /** It ended; `drained` resolves once its last output has been read (messages sent before arrive first). */
  exit(exit: SandboxExit, drained: Promise<void>): void;
}

/**
 * One execution environment's isolation unit as its Environment sees it: a child process (forked
 * Node bootstrap, Python or custom runtime) or a worker thread (see thread-bootstrap.ts).
 */
export interface Sandbox {
  /** For the environment_start log line: `{ pid }` or `{ threadId }`. */
  readonly label: { pid?: number } | { threadId: number };
  /** Ends it at once (SIGKILL to the process group, or Worker.terminate()); an exit follows. */
  kill(): void;
  /** Its memory for the watchdog and Max Memory Used: a process's RSS, a thread's last report (see child/host.ts). */
  memory(): ProcMemory | undefined;
}

/** A child process as a Sandbox. */
export function processSandbox(child: ChildProcess, events: SandboxEvents): Sandbox {
  child.on('error', (err) => events.error(err, child.pid !== undefined));
  const memory = child.pid === undefined ? undefined : new ProcMemoryReader(child.pid);
  child.once('exit', (code, signal) => {
    memory?.close();
    releaseChild(child);
    events.exit({ code, signal }, new Promise((resolve) => child.once('close', () => resolve())));
  });
  readText(child.stdout, (text) => events.output('stdout', text));
  readText(child.stderr, (text) => events.output('stderr', text));
  return {
    label: { pid: child.pid },
    kill: () => child.kill('SIGKILL'),
    memory: () => memory?.read(),
  };
}

export function readText(stream: Readable | null, onText: (text: string) => void): void {
  stream?.setEncoding('utf8').on('data', onText);
}
