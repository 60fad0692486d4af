import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvokeCommand, LambdaClient, TooManyRequestsException, type InvocationType } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readStatus, type StatusReport } from '../src/stats/status.js';
import { buildConfig, loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { decoder, encoder, waitFor } from './helpers/hub.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

/** Lambda's public x86 rates (us-east-1, first tier): the config defaults. */
const USD_PER_REQUEST = 0.2 / 1e6;
const USD_PER_GB_SECOND = 0.0000166667;

interface Report { durationMs: number; billedMs: number; memoryMB: number }

/** The REPORT line of an invocation's log tail. */
function reportOf(logResult: string | undefined): Report {
  const text = Buffer.from(logResult ?? '', 'base64').toString('utf8');
  const match = /Duration: ([\d.]+) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB/.exec(text);
  if (!match) throw new Error(`no REPORT line in ${text}`);
  return { durationMs: Number(match[1]), billedMs: Number(match[2]), memoryMB: Number(match[3]) };
}

const gbSeconds = (reports: Report[]) => reports.reduce((sum, r) => sum + (r.billedMs / 1000) * (r.memoryMB / 1024), 0);

/** The k-th smallest duration for quantile p, as a histogram counts it (rank ⌈p·n⌉). */
function trueQuantile(durations: number[], p: number): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

describe('triggerhub status', { timeout: 120_000 }, () => {
  const dir = tempDir('th-status-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  const hubs: Hub[] = [];
  const clients: LambdaClient[] = [];
  const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);
  const status = async (): Promise<StatusReport> => {
    const result = await cli('status', '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as StatusReport;
  };
  const invoke = async (hub: number, fn: string, payload: unknown, type: InvocationType = 'RequestResponse') =>
    clients[hub].send(new InvokeCommand({ FunctionName: fn, InvocationType: type, LogType: type === 'RequestResponse' ? 'Tail' : undefined, Payload: encoder.encode(JSON.stringify(payload)) }));

  beforeAll(async () => {
    // JSON is YAML: both hubs and the CLI read this file.
    writeFileSync(configPath, JSON.stringify({
      redis: inject('redisUrl'),
      queuePrefix: `status-${randomUUID().slice(0, 8)}`,
      server: { port: 0 },
      shutdownTimeoutSeconds: 5,
      functions: {
        sleepy: { handler: path.join(FIXTURES, 'slow.handler'), memorySize: 256 },
        echo: { handler: path.join(FIXTURES, 'echo.handler'), memorySize: 1536 },
        fail: { handler: path.join(FIXTURES, 'fail.handler'), maximumRetryAttempts: 0 },
        parked: { handler: path.join(FIXTURES, 'echo.handler'), reservedConcurrency: 0 },
      },
    }));
    for (let i = 0; i < 2; i += 1) {
      const hub = await startHub(loadConfigFile(configPath), { logger: silentLogger() });
      hubs.push(hub);
      clients.push(new LambdaClient({ endpoint: hub.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }));
    }
  });
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop()));
  });

  it('adds up both hubs: counts, throttles, percentiles, queue depth, DLQ, GB-seconds and cost', async () => {
    const sleeps = [20, 40, 60, 80, 100, 120, 140, 160, 180, 420];
    const sleepy: Report[] = [];
    for (const [i, ms] of sleeps.entries()) sleepy.push(reportOf((await invoke(i % 2, 'sleepy', { ms })).LogResult));
    const echo: Report[] = [];
    for (let i = 0; i < 3; i += 1) echo.push(reportOf((await invoke(1, 'echo', { i })).LogResult));
    const failed = await invoke(0, 'fail', {});
    expect(failed.FunctionError).toBe('Unhandled');
    const failedReport = reportOf(failed.LogResult);
    await invoke(1, 'fail', {}, 'Event');
    await expect(invoke(0, 'parked', {})).rejects.toBeInstanceOf(TooManyRequestsException);
    await invoke(1, 'parked', { n: 1 }, 'Event');
    await invoke(0, 'parked', { n: 2 }, 'Event');
    await waitFor(async () => (await hubs[0].dlq.count()) === 1, 15_000, 'the async failure in the DLQ');

    const report = await waitFor(async () => {
      const r = await status();
      // Each hub writes its counts once a second, and either hub's worker may run the async
      // failure: wait for every count, not for the last one of a hub.
      const counted = (fn: string) => r.functions.find((f) => f.function === fn);
      const all = counted('sleepy')?.invocations === sleeps.length && counted('echo')?.invocations === 3
        && counted('fail')?.invocations === 2 && counted('parked')?.throttles === 3;
      return all ? r : undefined;
    }, 30_000, 'every invocation and throttle of both hubs counted');
    const byName = Object.fromEntries(report.functions.map((f) => [f.function, f]));

    expect(byName.sleepy).toMatchObject({ invocations: sleeps.length, errors: 0, throttles: 0, queueDepth: 0, dlqRecords: 0 });
    expect(byName.sleepy.billedDurationMs).toBe(sleepy.reduce((sum, r) => sum + r.billedMs, 0));
    expect(byName.sleepy.gbSeconds).toBeCloseTo(gbSeconds(sleepy), 9);
    expect(byName.echo).toMatchObject({ invocations: 3, errors: 0 });
    expect(byName.echo.gbSeconds).toBeCloseTo(gbSeconds(echo), 9);
    expect(byName.fail).toMatchObject({ invocations: 2, errors: 2, dlqRecords: 1, queueDepth: 0 });
    // The async failure's billed duration is not visible here: at least 1 ms at 128 MB.
    expect(byName.fail.gbSeconds).toBeGreaterThanOrEqual(gbSeconds([failedReport, { durationMs: 1, billedMs: 1, memoryMB: 128 }]) - 1e-12);
    // One sync throttle, and each async event throttled once: held in the queue until its maximum age.
    expect(byName.parked).toMatchObject({ invocations: 0, throttles: 3, queueDepth: 2, p50Ms: null });

    // Percentiles are bucket upper bounds: at or above the true value, within a quarter doubling.
    const durations = sleepy.map((r) => r.durationMs);
    for (const [p, got] of [[0.5, byName.sleepy.p50Ms], [0.99, byName.sleepy.p99Ms]] as const) {
      const truth = trueQuantile(durations, p);
      expect(got, `p${p * 100}`).toBeGreaterThanOrEqual(truth - 0.01);
      expect(got, `p${p * 100}`).toBeLessThanOrEqual(truth * 2 ** 0.25 + 0.01);
    }

    for (const f of report.functions) {
      expect(f.estimatedCostUsd, f.function).toBeCloseTo(f.invocations * USD_PER_REQUEST + f.gbSeconds * USD_PER_GB_SECOND, 15);
    }
    expect(report.pricing).toEqual({ requestUsdPerMillion: 0.2, gbSecondUsd: USD_PER_GB_SECOND });
    expect(report.totals.invocations).toBe(sleeps.length + 3 + 2);
    expect(report.totals.estimatedCostUsd).toBeCloseTo(report.functions.reduce((sum, f) => sum + f.estimatedCostUsd, 0), 15);
    expect(Date.parse(report.since!)).toBeLessThanOrEqual(Date.now());
  });

  it('prices with the configured rates and rejects a negative rate naming the field', async () => {
    const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    const pricing = { requestUsdPerMillion: 0.2, gbSecondUsd: 0.0000133334 }; // arm64
    const report = await readStatus(hubs[0].redis, buildConfig({ ...raw, pricing }, { baseDir: dir }));
    const sleepy = report.functions.find((f) => f.function === 'sleepy')!;
    expect(sleepy.invocations).toBe(10);
    expect(sleepy.estimatedCostUsd).toBeCloseTo(10 * USD_PER_REQUEST + sleepy.gbSeconds * pricing.gbSecondUsd, 15);
    expect(() => buildConfig({ ...raw, pricing: { gbSecondUsd: -1 } }, { baseDir: dir })).toThrow(/pricing\.gbSecondUsd: must be 0 or more/);
  });

  it('prints a functions table with the cost footer', async () => {
    const result = await cli('status');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['FUNCTION', 'INVOCATIONS', 'ERRORS', 'THROTTLES', 'P50', 'P99', 'QUEUE', 'DLQ', 'GB-S', 'EST. COST']);
    const sleepy = lines.find((line) => line.startsWith('sleepy'))!.split(/\s+/);
    expect(sleepy.slice(1, 4)).toEqual(['10', '0', '0']);
    expect(result.stdout).toMatch(/estimated AWS Lambda cost \$0\.\d{8}\n/);
    expect(result.stdout).toContain('no free tier');
  });

  it('--watch refreshes until interrupted; a bad interval exits 2', async () => {
    const child = spawnCli(['--config', configPath, 'status', '--json', '--watch', '0.2']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = await waitFor(() => {
      const complete = stdout.split('\n').slice(0, -1);
      return complete.length >= 2 ? complete : undefined;
    }, 20_000, 'two refreshes');
    for (const line of lines) expect((JSON.parse(line) as StatusReport).functions.map((f) => f.function)).toEqual(['sleepy', 'echo', 'fail', 'parked']);
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    const bad = await cli('status', '--watch', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--watch');
  });

  it('--reset sets the counters back to zero', async () => {
    const reset = await cli('status', '--reset');
    expect(reset.code, reset.stderr).toBe(0);
    const report = await status();
    expect(report.since).toBeNull();
    expect(report.functions.map((f) => f.invocations)).toEqual([0, 0, 0, 0]);
    const echo = await invoke(0, 'echo', { after: 'reset' });
    expect(JSON.parse(decoder.decode(echo.Payload))).toMatchObject({ event: { after: 'reset' } });
    const after = await waitFor(async () => {
      const r = await status();
      return r.functions.find((f) => f.function === 'echo')?.invocations === 1 ? r : undefined;
    }, 15_000, 'the new invocation counted');
    expect(after.since).not.toBeNull();
  });
});
