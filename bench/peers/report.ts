/** The bench's summary: Markdown tables of medians and the ratios of triggerhub to each peer. */
import { GROUPS, type Usage } from './proc.js';
import { scripts, top, total, type Commands } from './redis-stats.js';

export interface Sample {
  system: string;
  kind: 'async' | 'sync';
  round?: number;
  events: number;
  non2xx: number;
  /** Accepted (async) or answered (sync) requests per second of load. */
  rate: number;
  /** Async: events per second from the start of the load until the backlog was empty. */
  e2e: number;
  p50: number;
  p99: number;
  cpuUs: Usage;
  /** The share of the measured time the front's main thread was on CPU (1 = a whole core). */
  mainBusy: number;
  idleRss: Usage;
  busyRss: Usage;
  commands?: Commands;
  logBytes: number;
}

const REFERENCE = { async: 'triggerhub', sync: 'triggerhub url' } as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const range = (xs: number[], digits = 0) => `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
const mb = (bytes: number) => fmt(bytes / 2 ** 20);
const perGroup = (runs: Sample[], pick: (s: Sample) => Usage, scaleBy: (s: Sample) => number, show: (n: number) => string) =>
  GROUPS.map((g) => median(runs.map((s) => pick(s)[g] * scaleBy(s)))).map((n) => (n ? show(n) : '–')).join(' / ');

function systemRows(samples: Sample[], kind: 'async' | 'sync'): string[] {
  const names = [...new Set(samples.filter((s) => s.kind === kind).map((s) => s.system))];
  return names.map((name) => {
    const runs = samples.filter((s) => s.system === name);
    const cmds = runs.filter((s) => s.commands);
    const perEvent = (s: Sample) => 1 / Math.max(1, s.events);
    const redis = cmds.length
      ? `${fmt(median(cmds.map((s) => total(s.commands!) / s.events)), 1)} (${fmt(median(cmds.map((s) => scripts(s.commands!) / s.events)), 1)} scripts)`
      : '–';
    return [
      name,
      range(runs.map((s) => s.rate)),
      ...(kind === 'async' ? [range(runs.map((s) => s.e2e))] : []),
      `${fmt(median(runs.map((s) => s.p50)))} / ${fmt(median(runs.map((s) => s.p99)))}`,
      perGroup(runs, (s) => s.cpuUs, perEvent, (n) => fmt(n)),
      `${fmt(median(runs.map((s) => s.mainBusy * 100)))} %`,
      `${mb(median(runs.map((s) => s.idleRss.front)))} / ${perGroup(runs, (s) => s.busyRss, () => 1, mb)}`,
      redis,
      fmt(median(runs.map((s) => s.logBytes / Math.max(1, s.events)))),
      String(runs.reduce((n, s) => n + s.non2xx, 0)),
    ].join(' | ');
  }).map((row) => `| ${row} |`);
}

/**
 * Per-round ratios: the primary hub (REFERENCE) to every other system, every other hub variant
 * (threads, base) to each peer that is not a hub, and the floor of process isolation (FLOORS) to
 * the peers the issue's aims name: what no process-isolated system can beat on this machine.
 */
function ratioRows(samples: Sample[], kind: 'async' | 'sync'): string[] {
  const names = [...new Set(samples.filter((s) => s.kind === kind).map((s) => s.system))];
  const isHub = (name: string) => name.startsWith('triggerhub');
  const rows = names.filter((n) => n !== REFERENCE[kind]).map((peer) => ratioRow(samples, kind, REFERENCE[kind], peer));
  for (const hub of names.filter((n) => isHub(n) && n !== REFERENCE[kind])) {
    rows.push(...names.filter((n) => !isHub(n)).map((peer) => ratioRow(samples, kind, hub, peer)));
  }
  for (const [floor, peer] of FLOORS) {
    if (names.includes(floor) && names.includes(peer)) rows.push(ratioRow(samples, kind, floor, peer));
  }
  return rows;
}

/** The isolation floor and the peer it is measured against. */
const FLOORS: ReadonlyArray<readonly [string, string]> = [['node:http + child', 'sls-offline in-proc']];

function ratioRow(samples: Sample[], kind: 'async' | 'sync', hub: string, peer: string): string {
  const pairs = samples.filter((s) => s.system === hub)
    .map((ref) => [ref, samples.find((s) => s.system === peer && s.round === ref.round)] as const).filter(([, p]) => p);
  const ratio = (pick: (s: Sample) => number) => range(pairs.map(([ref, p]) => pick(ref) / pick(p!)), 2);
  return `| ${hub} ÷ ${peer} | ${kind === 'async' ? `${ratio((s) => s.e2e)} | ${ratio((s) => s.rate)}` : ratio((s) => s.rate)} |`;
}

/** Each system's Redis commands per event by name, from its first round. */
function commandDetail(samples: Sample[]): string[] {
  return samples.filter((s) => s.commands && s.round === 0)
    .map((s) => `- ${s.system} (${s.kind === 'async' ? 'per async event' : 'per sync invocation'}): ${top(s.commands!, s.events, 40)}`);
}

export function report(samples: Sample[]): string {
  const header = 'CPU µs per event front / workers / redis | front main thread busy | RSS MB idle front / busy front / workers / redis | Redis commands per event | stdout bytes per event | failed |';
  return [
    '### Async: HTTP → durable queue (202) → no-op handler, 32 connections',
    '',
    `| system | accepted req/s median (min–max) | end to end events/s median (min–max) | 202 latency p50 / p99 ms | ${header}`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...systemRows(samples, 'async'),
    '',
    '| ratio (per round) | end to end median (min–max) | accepted median (min–max) |',
    '|---|---|---|',
    ...ratioRows(samples, 'async'),
    '',
    '### Sync: function URL → no-op handler → response, 16 connections',
    '',
    `| system | req/s median (min–max) | latency p50 / p99 ms | ${header}`,
    '|---|---|---|---|---|---|---|---|---|',
    ...systemRows(samples, 'sync'),
    '',
    '| ratio (per round) | req/s median (min–max) |',
    '|---|---|',
    ...ratioRows(samples, 'sync'),
    '',
    'Redis commands by name (commands inside scripts included):',
    ...commandDetail(samples),
  ].join('\n');
}
