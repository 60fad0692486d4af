import { setTimeout as delay } from 'node:timers/promises';
import { resetFunctionUsage } from '../stats/read.js';
import { resetSeries } from '../stats/series.js';
import { resetSourceStatus, type SourceStatus } from '../stats/source-status.js';
import { readStatus, type StatusReport } from '../stats/status.js';
import { CliExit, EXIT, loadConfig, print, withRedis, type GlobalOptions } from './context.js';
import { table } from './functions.js';
import { waitOutRedisLoss } from './redis-loss.js';

/** Clears a terminal and moves the cursor home (between `--watch` refreshes on a terminal). */
const CLEAR = '\x1b[2J\x1b[H';

const MAX_WATCH_MS = 86_400_000;

/**
 * `triggerhub status`: per-function counters and cost, per-source health, over every hub on the
 * Redis. `--watch N` refreshes every N seconds until SIGINT/SIGTERM (with `--json`: one object per line).
 */
export async function statusCommand(options: GlobalOptions & { json?: boolean; reset?: boolean; watch?: string }): Promise<void> {
  const config = loadConfig(options);
  const everyMs = options.watch === undefined ? undefined : Number(options.watch) * 1000;
  // Past a day (and Infinity) Node's timer overflows to 1 ms: the table would be redrawn without pause.
  if (everyMs !== undefined && !(everyMs >= 100 && everyMs <= MAX_WATCH_MS)) {
    throw new CliExit(EXIT.usage, `--watch: must be a number of seconds from 0.1 to ${MAX_WATCH_MS / 1000} (got ${options.watch})`);
  }
  if (options.reset && (everyMs !== undefined || options.json)) {
    throw new CliExit(EXIT.usage, `--reset only resets the counters: run it alone, then status ${everyMs === undefined ? '--json' : '--watch'}`);
  }
  await withRedis(config, async (redis, interrupted) => {
    if (options.reset) {
      await resetFunctionUsage(redis, config.queuePrefix);
      await resetSourceStatus(redis, config.queuePrefix);
      await resetSeries(redis, config.queuePrefix);
      return print('counters reset');
    }
    if (everyMs === undefined) {
      const report = await readStatus(redis, config);
      return print(options.json ? JSON.stringify(report, null, 2) : render(report));
    }
    while (!interrupted.aborted) {
      try {
        const report = await readStatus(redis, config);
        print(options.json ? JSON.stringify(report) : `${process.stdout.isTTY ? CLEAR : ''}${render(report)}`);
      } catch (err) {
        await waitOutRedisLoss(redis, err, interrupted);
        continue;
      }
      await delay(everyMs, undefined, { signal: interrupted }).catch(() => undefined);
    }
  }, { untilInterrupted: everyMs !== undefined });
}

function render(report: StatusReport, now = Date.now()): string {
  const fns = table(['FUNCTION', 'INVOCATIONS', 'ERRORS', 'THROTTLES', 'P50', 'P99', 'QUEUE', 'DLQ', 'GB-S', 'EST. COST'], report.functions.map((f) => [
    f.function, String(f.invocations), String(f.errors), String(f.throttles), duration(f.p50Ms), duration(f.p99Ms),
    String(f.queueDepth), String(f.dlqRecords), f.gbSeconds.toFixed(4), usd(f.estimatedCostUsd),
  ]));
  const { pricing, totals } = report;
  const footer = [
    `since ${report.since ?? '-'}: ${totals.invocations} invocations, ${totals.gbSeconds.toFixed(4)} GB-s,`
      + ` estimated AWS Lambda cost ${usd(totals.estimatedCostUsd)}`,
    `(at $${pricing.requestUsdPerMillion} per 1M requests and $${pricing.gbSecondUsd} per GB-second; no free tier)`,
  ].join('\n');
  const sources = report.sources.length
    ? table(['SOURCE', 'FUNCTION', 'STATE', 'LAG', 'LAST EVENT', 'HUBS', 'NOTE'], report.sources.map((s) => [
      s.source, s.function, s.state, s.lagMs === null ? '-' : seconds(s.lagMs), s.lastEventAt ? `${seconds(now - Date.parse(s.lastEventAt))} ago` : '-',
      hubsRunning(s), note(s, now),
    ]))
    : 'no sources reported (no hub has run one since the last reset)';
  const mapped = report.sources.filter((s) => s.counts);
  const mappings = mapped.length
    ? `\n\n${table(['MAPPING', 'POLLED', 'FILTERED OUT', 'INVOKED', 'FAILED', 'DROPPED', 'ITERATOR AGE'], mapped.map((s) => [
      s.source, String(s.counts!.polled), String(s.counts!.filteredOut), String(s.counts!.invoked), String(s.counts!.failed),
      String(s.counts!.dropped), s.lagMs === null ? '-' : seconds(s.lagMs),
    ]))}`
    : '';
  return `${report.functions.length ? `${fns}\n\n${footer}` : 'no functions configured'}\n\n${sources}${mappings}`;
}

/** Hubs running the source, and of how many with a record of it when some stopped or died: `2`, `1 of 3`. */
function hubsRunning(s: SourceStatus): string {
  const live = s.hubs.filter((hub) => hub.state !== 'stopped' && hub.state !== 'stale').length;
  return live === s.hubs.length ? String(live) : `${live} of ${s.hubs.length}`;
}

function note(s: SourceStatus, now: number): string {
  if (s.state === 'failing' && s.lastError) return s.lastError.length > 80 ? `${s.lastError.slice(0, 77)}...` : s.lastError;
  if (s.state === 'throttled') return 'reservedConcurrency is 0: not polled';
  if (s.nextEventAt) return `next in ${seconds(Math.max(0, Date.parse(s.nextEventAt) - now))}`;
  return '';
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** 850ms, 12s, 4m5s, 3h2m, 2d4h. */
function seconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function usd(amount: number): string {
  return amount === 0 ? '$0' : `$${amount.toFixed(amount < 0.01 ? 8 : 2)}`;
}
