/** Redis commands a system issues, from INFO commandstats deltas (commands run inside scripts count too). */
import type { Redis } from 'ioredis';

export type Commands = Map<string, number>;

export async function commandstats(redis: Redis): Promise<Commands> {
  const text = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1], Number(match[2]));
  return counts;
}

/** after − before − what the harness itself sent (its INFO calls and backlog polls). */
export function delta(after: Commands, before: Commands, own: Commands = new Map()): Commands {
  const out = new Map<string, number>();
  for (const [name, calls] of after) {
    const n = calls - (before.get(name) ?? 0) - (own.get(name) ?? 0) - (name === 'info' ? 1 : 0);
    if (n > 0) out.set(name, n);
  }
  return out;
}

export function scale(commands: Commands, factor: number): Commands {
  return new Map([...commands].map(([name, n]) => [name, n * factor]));
}

export function total(commands: Commands): number {
  let sum = 0;
  for (const n of commands.values()) sum += n;
  return sum;
}

/** Top-level calls that are scripts (each is one round trip's worth of server work, or part of one). */
export function scripts(commands: Commands): number {
  return (commands.get('evalsha') ?? 0) + (commands.get('eval') ?? 0) + (commands.get('fcall') ?? 0);
}

export function top(commands: Commands, per: number, n = 6): string {
  return [...commands].filter(([, calls]) => calls / per >= 0.01).sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, calls]) => `${name} ${(calls / per).toFixed(2)}`).join(', ');
}
