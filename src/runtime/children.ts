import type { ChildProcess } from 'node:child_process';

/**
 * Execution environments run outside the hub's process group (spawned `detached`, each leading a
 * group of its own), so a terminal's Ctrl-C (SIGINT to the whole foreground group) reaches only the
 * hub, which then decides when they stop. The hub tracks them here to kill them itself: on exit,
 * and on a forced stop (a second Ctrl-C).
 */
const running = new Set<ChildProcess>();

/** Registers a detached environment process: its kill() signals its whole group; killed if the hub exits first. */
export function trackChild(child: ChildProcess): void {
  killGroupOnKill(child);
  if (running.size === 0) process.once('exit', killRunningChildren);
  running.add(child);
}

/**
 * Call once the child has exited: kills what it started and left behind in its group (a handler's
 * subprocess after `process.exit()`), as Lambda discards the whole sandbox. The group's id is its
 * leader's pid, which Linux does not hand out again while the group has members.
 */
export function releaseChild(child: ChildProcess): void {
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch { /* ESRCH: nothing was left */ }
  }
  if (running.delete(child) && running.size === 0) process.off('exit', killRunningChildren);
}

/** Kills every environment process (and what it started) now. */
export function killRunningChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** kill() signals the whole process group (the child leads it: `detached`), so a handler's own subprocesses die too. */
function killGroupOnKill(child: ChildProcess): void {
  const killChild = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number): boolean => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return killChild(signal);
    try {
      process.kill(-child.pid, signal ?? 'SIGTERM');
      return true;
    } catch {
      return killChild(signal);
    }
  };
}
