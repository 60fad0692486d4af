/**
 * `npm run bench:peers`: triggerhub beside what a user would build by hand, alternating the
 * systems within each round. BENCH_ROUNDS (default 3) and BENCH_SECONDS (default 6, per measured
 * phase) set the length: about 5 minutes by default. Prints everything the README's table needs.
 * BENCH_ONLY=name,… runs the systems whose names contain one of those; BENCH_BASELINE=<rev> adds
 * the hub at that revision; BENCH_THREADS=1 adds the hub with `runtime.isolation: thread`;
 * BENCH_PROFILE=1 prints where the hub's main process spent its CPU.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpu, cpuUsed, mainThreadCpu, processes, rss } from './proc.js';
import { profileFile, summarizeProcess } from './profile.js';
import { commandstats, delta, scale, type Commands } from './redis-stats.js';
import { report, type Sample } from './report.js';
import { baseline, SYSTEMS, THREAD_SYSTEMS, type Running, type System } from './systems.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = { async: 32, sync: 16 } as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function load(system: System, running: Running, seconds: number): Promise<autocannon.Result> {
  const async = system.kind === 'async';
  return autocannon({
    url: running.url + system.path, connections: CONNECTIONS[system.kind], duration: seconds,
    method: async ? 'POST' : 'GET', body: async ? '{"n":1}' : undefined, headers: system.headers,
  });
}

/** Waits until the backlog is empty; returns how many polls that took. */
async function drain(running: Running): Promise<number> {
  let polls = 0;
  for (;;) {
    polls += 1;
    if ((await running.backlog!()) === 0) return polls;
    await sleep(25);
  }
}

/** Commands one backlog poll sends, so that the harness's own traffic is left out of the counts. */
async function ownPerPoll(running: Running): Promise<Commands> {
  const before = await commandstats(running.redis!);
  for (let i = 0; i < 10; i += 1) await running.backlog!();
  return scale(delta(await commandstats(running.redis!), before), 1 / 10);
}

const fileSize = (file: string) => { try { return statSync(file).size; } catch { return 0; } };

/**
 * Between phases: the stopped system's dirty pages (its redis-server's AOF: up to 100,000 jobs) are
 * written back now, not during the next system's phase, which would otherwise pay for them (the
 * order repeats every round, so that cost fell on the same system each time).
 */
function settle(): void {
  execFileSync('sync');
}

async function phase(system: System, dir: string, round: number): Promise<Sample> {
  const running = await system.start(dir);
  try {
    const idleRss = rss(processes(running.root, running.extra));
    await load(system, running, 1); // warm-up: environments, workers, JIT
    if (running.backlog) await drain(running);
    const perPoll = running.backlog ? await ownPerPoll(running) : new Map<string, number>();
    let groups = processes(running.root, running.extra);
    const [cpu0, main0, stats0, log0, started] = [cpu(groups), mainThreadCpu(running.root), running.redis && await commandstats(running.redis), fileSize(running.logFile), Date.now()];
    const result = await load(system, running, SECONDS);
    groups = processes(running.root, running.extra);
    const busyRss = rss(groups);
    const polls = running.backlog ? await drain(running) : 0;
    const elapsed = (Date.now() - started) / 1000;
    const cpu1 = cpu(groups);
    const mainBusy = (mainThreadCpu(running.root) - main0) / (elapsed * 1e6);
    const stats1 = running.redis && await commandstats(running.redis);
    const events = result['2xx'];
    const commands = stats0 && stats1 ? delta(stats1, stats0, scale(perPoll, polls)) : undefined;
    return {
      system: system.name, kind: system.kind, events, non2xx: result.non2xx + result.errors,
      rate: events / SECONDS, e2e: events / elapsed, p50: result.latency.p50, p99: result.latency.p99,
      cpuUs: cpuUsed(groups, cpu0, cpu1), mainBusy, idleRss, busyRss, commands,
      logBytes: fileSize(running.logFile) - log0,
    };
  } finally {
    await running.stop();
    settle();
    const profile = running.profileDir && summarizeProcess(running.profileDir, running.root);
    if (profile) {
      const kept = path.join(tmpdir(), `th-peers-${system.name.replace(/\W+/g, '-')}-r${round + 1}.cpuprofile`);
      copyFileSync(path.join(running.profileDir!, profileFile(running.profileDir!, running.root)!), kept);
      console.log(`  ${system.name} main process CPU profile (whole run, self time; ${kept}): ${profile}`);
    }
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'th-peers-'));
  const only = process.env.BENCH_ONLY?.split(',');
  const base = process.env.BENCH_BASELINE ? baseline(process.env.BENCH_BASELINE, root) : [];
  const threads = process.env.BENCH_THREADS === '1' ? THREAD_SYSTEMS : [];
  const systems = [...SYSTEMS, ...threads, ...base].filter((s) => !only || only.some((o) => s.name.includes(o)));
  const git = execFileSync('git', ['log', '-1', '--format=%h'], { cwd: path.dirname(new URL(import.meta.url).pathname) }).toString().trim();
  console.log(`bench/peers: ${ROUNDS} rounds × ${systems.length} systems, ${SECONDS} s per phase (+1 s warm-up), node ${process.version}, ` +
    `${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GB; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}; commit ${git}`);
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternate: each round runs every system once, starting one further along the list.
      const order = systems.map((_, i) => systems[(i + round) % systems.length]);
      for (const system of order) {
        const dir = path.join(root, `r${round}-${system.name.replace(/\W+/g, '-')}`);
        mkdirSync(dir, { recursive: true });
        const sample = await phase(system, dir, round);
        samples.push({ ...sample, round });
        console.log(`round ${round + 1} ${system.name.padEnd(20)} ${sample.rate.toFixed(0).padStart(6)} req/s` +
          (system.kind === 'async' ? `  end-to-end ${sample.e2e.toFixed(0).padStart(6)} events/s` : '') +
          `  p50 ${sample.p50} ms p99 ${sample.p99} ms  (${sample.events} ok, ${sample.non2xx} failed)`);
      }
    }
    console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
    console.log(report(samples));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
