/**
 * Per-process CPU and memory from /proc: a system's processes are its root and every descendant,
 * grouped as the front (root), its workers (other descendants) and redis-server (by name, or a
 * pid the harness started itself).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export type Group = 'front' | 'workers' | 'redis';
export const GROUPS: readonly Group[] = ['front', 'workers', 'redis'];
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface Stat { pid: number; ppid: number; comm: string; cpuUs: number }

function stat(pid: number, file = `/proc/${pid}/stat`): Stat | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(fields[1]), comm, cpuUs: (Number(fields[11]) + Number(fields[12])) * TICK_US };
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The root, its descendants and the extra pids (a redis-server the harness started), grouped. */
export function processes(root: number, extra: number[] = []): Map<number, Group> {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => stat(Number(d))).filter((s): s is Stat => !!s);
  const children = new Map<number, Stat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const groups = new Map<number, Group>([[root, 'front']]);
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      groups.set(child.pid, child.comm.startsWith('redis-server') ? 'redis' : 'workers');
      walk(child.pid);
    }
  };
  walk(root);
  for (const pid of extra) groups.set(pid, 'redis');
  return groups;
}

export type Usage = Record<Group, number>;
const zero = (): Usage => ({ front: 0, workers: 0, redis: 0 });

/** CPU µs each process has used so far. */
export function cpu(groups: Map<number, Group>): Map<number, number> {
  return new Map([...groups.keys()].map((pid) => [pid, stat(pid)?.cpuUs ?? 0]));
}

/** CPU µs used between two samples, per group (a process started in between counts from 0). */
export function cpuUsed(groups: Map<number, Group>, before: Map<number, number>, after: Map<number, number>): Usage {
  const usage = zero();
  for (const [pid, group] of groups) usage[group] += (after.get(pid) ?? 0) - (before.get(pid) ?? 0);
  return usage;
}

/**
 * CPU µs the process's main thread has used so far: the one thread a Node.js front runs its
 * JavaScript on (its process total also counts V8's and libuv's helper threads).
 */
export function mainThreadCpu(pid: number): number {
  return stat(pid, `/proc/${pid}/task/${pid}/stat`)?.cpuUs ?? 0;
}

/** Resident memory now, per group (bytes). */
export function rss(groups: Map<number, Group>): Usage {
  const usage = zero();
  for (const [pid, group] of groups) usage[group] += rssBytes(pid);
  return usage;
}

