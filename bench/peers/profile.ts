/**
 * Where the hub's CPU goes: self time of a V8 .cpuprofile (node --cpu-prof) summed per package
 * (node_modules/<pkg>), per hub folder (src/<dir> or dist/<dir>), per Node core module, and GC.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function category(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const hub = url.match(/\/(?:src|dist)\/([^/]+)(\/|\.)/);
  if (hub) return `triggerhub ${hub[1].replace(/\.(ts|js)$/, '')}`;
  const core = url.match(/^node:(?:internal\/)?([^/]+)/);
  if (core) return `node ${core[1]}`;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  return path.basename(url);
}

/** Per-category share of busy (non-idle) time, largest first. */
export function summarize(file: string, limit = 14): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = category(byId.get(id)!.callFrame);
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  self.delete('(idle)');
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([name, us]) => `${name} ${((us / busy) * 100).toFixed(1)} %`).join(', ');
}

/** The profile process `pid` wrote into `dir` (CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile). */
export function profileFile(dir: string, pid: number): string | undefined {
  try {
    return readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid));
  } catch {
    return undefined;
  }
}

export function summarizeProcess(dir: string, pid: number): string | undefined {
  const file = profileFile(dir, pid);
  return file && summarize(path.join(dir, file));
}
