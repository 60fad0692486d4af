/**
 * `npx tsc -p tsconfig.json && npx tsx bench/isolation.ts`: invocations through the real
 * FunctionPool / Environment of the compiled hub, with `isolation: process` and `thread`, for a
 * no-op handler and one that logs three console lines. Prints invocations per second and CPU µs
 * per invocation: the hub's main thread (what limits its throughput), and the environments (child
 * processes from /proc/<pid>/stat; for threads, the process's other threads, V8's helpers
 * included); memory per environment (a child's RSS; for threads, the hub's RSS growth per
 * worker); the Init Duration of a cold start; and the hub's event-loop delay while one
 * environment spins in a synchronous loop.
 * BENCH_SECONDS (default 3) per phase, BENCH_ROUNDS (3), medians printed. Asserts nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildConfig } from '../dist/config/load.js';
import { silentLogger } from '../dist/log.js';
import { FunctionPool } from '../dist/runtime/pool.js';
import type { FunctionConfig, RuntimeOptions } from '../dist/runtime/types.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ISOLATIONS = ['process', 'thread'] as const;
type Isolation = (typeof ISOLATIONS)[number];

const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-isolation-'));
writeFileSync(path.join(dir, 'handlers.mjs'), `
export const noop = async () => ({ pid: process.pid });
export const logs = async (event) => {
  console.log('received', event.n);
  console.info('working');
  console.log('done');
  return { pid: process.pid };
};
export const spin = () => { for (;;); };
`);
const config = buildConfig({
  functions: {
    noop: { handler: 'handlers.noop' },
    logs: { handler: 'handlers.logs' },
    spin: { handler: 'handlers.spin', timeout: 2 },
  },
}, { baseDir: dir });

/** utime + stime of a /proc stat file, in µs; 0 once it is gone. */
function cpuMicros(file: string): number {
  try {
    const fields = readFileSync(file, 'latin1').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
  } catch {
    return 0;
  }
}
const mainThreadCpu = () => cpuMicros(`/proc/self/task/${process.pid}/stat`);
const processCpu = () => cpuMicros('/proc/self/stat');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssKB = (pid: number | 'self') => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 0);

function pool(fn: FunctionConfig, isolation: Isolation, environments: number): FunctionPool {
  const options: RuntimeOptions = { region: 'us-east-1', accountId: '000000000000', maxEnvironments: environments, idleTimeoutMs: 600_000, isolation };
  return new FunctionPool(fn, options, silentLogger());
}

interface Sample { rate: number; hubUs: number; envUs: number; envMB: number; coldMs: number }

async function measure(name: 'noop' | 'logs', isolation: Isolation, concurrency: number): Promise<Sample> {
  const rssBefore = rssKB('self');
  const functions = pool(config.functions[name], isolation, concurrency);
  const colds: number[] = [];
  const invoke = async (n: number) => {
    const result = await functions.invoke({ requestId: crypto.randomUUID(), payload: `{"n":${n}}` });
    if (result.initDurationMs !== undefined) colds.push(result.initDurationMs);
    return JSON.parse(result.payload!) as { pid: number };
  };
  const pids = new Set<number>();
  for (let i = 0; i < 300; i += 1) {
    for (const { pid } of await Promise.all(Array.from({ length: concurrency }, (_, k) => invoke(k)))) pids.add(pid);
  }
  const children = isolation === 'process' ? [...pids] : [];
  const envMB = (isolation === 'process'
    ? children.reduce((sum, pid) => sum + rssKB(pid), 0)
    : rssKB('self') - rssBefore) / concurrency / 1024;
  const childCpu = () => children.reduce((sum, pid) => sum + cpuMicros(`/proc/${pid}/stat`), 0);
  const [main0, proc0, child0] = [mainThreadCpu(), processCpu(), childCpu()];
  const started = performance.now();
  let n = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() - started < SECONDS * 1000) {
      await invoke(n);
      n += 1;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const hub = mainThreadCpu() - main0;
  const env = isolation === 'process' ? childCpu() - child0 : processCpu() - proc0 - hub;
  await functions.close();
  return { rate: n / elapsed, hubUs: hub / n, envUs: env / n, envMB, coldMs: median(colds) };
}

/** The hub's event-loop delay p99 (ms) over 1 s while one environment spins (none: the baseline). */
async function delayWhileSpinning(isolation: Isolation | 'none'): Promise<number> {
  const functions = isolation === 'none' ? undefined : pool(config.functions.spin, isolation, 1);
  const spinning = functions?.invoke({ requestId: crypto.randomUUID(), payload: '{}' });
  await new Promise((resolve) => setTimeout(resolve, 300)); // let it start
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  histogram.disable();
  await spinning;
  await functions?.close();
  return histogram.percentile(99) / 1e6;
}

const phases = [['noop', 1], ['logs', 1], ['noop', 4]] as const;
const results = new Map<string, Sample[]>();
console.log(`isolation benchmark: ${ROUNDS} rounds × ${SECONDS} s per phase, node ${process.version}`);
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, concurrency] of phases) {
    for (const isolation of round % 2 ? [...ISOLATIONS].reverse() : ISOLATIONS) {
      const key = `${name} c=${concurrency} ${isolation}`;
      results.set(key, [...(results.get(key) ?? []), await measure(name, isolation, concurrency)]);
    }
  }
}
console.log('| phase | invocations/s | hub main thread µs/inv | environments µs/inv | MB per environment | Init Duration ms |');
console.log('|---|---|---|---|---|---|');
for (const [key, runs] of results) {
  const m = (pick: (s: Sample) => number, digits = 0) => median(runs.map(pick)).toFixed(digits);
  console.log(`| ${key} | ${m((s) => s.rate)} | ${m((s) => s.hubUs, 1)} | ${m((s) => s.envUs, 1)} | ${m((s) => s.envMB, 1)} | ${m((s) => s.coldMs, 1)} |`);
}
const delays = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const isolation of ['none', ...ISOLATIONS] as const) delays.set(isolation, [...(delays.get(isolation) ?? []), await delayWhileSpinning(isolation)]);
}
for (const [isolation, runs] of delays) {
  const what = isolation === 'none' ? 'with nothing running' : `while one ${isolation} environment spins`;
  console.log(`hub event-loop delay p99 ${what}: ${median(runs).toFixed(1)} ms (median of ${ROUNDS} × 1 s)`);
}
