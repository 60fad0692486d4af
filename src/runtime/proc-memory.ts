import { readFileSync } from 'node:fs';

const VM_RSS = /^VmRSS:\s+(\d+) kB/m;
const VM_HWM = /^VmHWM:\s+(\d+) kB/m;

export interface ProcMemory {
  /** Resident set size now, kB. */
  rssKB: number;
  /** Peak resident set size, kB. */
  peakKB: number;
}

/** A process's memory from /proc/<pid>/status; undefined where there is no /proc or it is gone. */
export function readProcMemory(pid: number): ProcMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const rssKB = kB(VM_RSS.exec(status));
  return { rssKB, peakKB: Math.max(rssKB, kB(VM_HWM.exec(status))) };
}

function kB(match: RegExpExecArray | null): number {
  return match ? Number(match[1]) : 0;
}
