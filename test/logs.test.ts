import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildConfig, loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger, silentLogger } from '../src/log.js';
import { linesJson, MAX_ENTRY_BYTES } from '../src/logs/lines-json.js';
import { logStreamKey, RedisLogSink } from '../src/logs/redis-sink.js';
import { readLogRange, type StoredLogEntry } from '../src/logs/reader.js';
import { parseTraceparent } from '../src/tracing.js';
import type { LogLine } from '../src/logs/sink.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { waitFor } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

describe('invocation logs in per-function Redis streams', { timeout: 60_000 }, () => {
  const dir = tempDir('th-logs-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  const prefix = `logs-${randomUUID().slice(0, 8)}`;
  const { lines: warnings, destination } = jsonLogLines();
  let hub: Hub;
  const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);

  beforeAll(async () => {
    const chatty = `{ handler: ${path.join(FIXTURES, 'chatty.handler')}, timeout: 30 }`;
    writeFileSync(configPath, [
      `redis: ${inject('redisUrl')}`,
      `queuePrefix: ${prefix}`,
      'server: { port: 0 }',
      'logs: { maxEntriesPerFunction: 100 }',
      'functions:',
      `  chatty: ${chatty}`,
      `  follow: ${chatty}`,
      `  flood: ${chatty}`,
      `  broken: ${chatty}`,
      `  wide: ${chatty}`,
    ].join('\n'));
    hub = await startHub(loadConfigFile(configPath), { logger: createLogger({ level: 'warn', destination }) });
  });
  afterAll(async () => hub?.stop());

  /** Invokes through the Invoke API; returns the request id. */
  async function invoke(fn: string, event: unknown, type: 'RequestResponse' | 'Event' = 'RequestResponse'): Promise<{ requestId: string; status: number; body: string }> {
    const response = await fetch(`${hub.url}/2015-03-31/functions/${fn}/invocations`, {
      method: 'POST', body: JSON.stringify(event), headers: { 'x-amz-invocation-type': type },
    });
    return { requestId: response.headers.get('x-amzn-requestid')!, status: response.status, body: await response.text() };
  }

  async function entries(fn: string, requestId?: string): Promise<StoredLogEntry[]> {
    const all: StoredLogEntry[] = [];
    for await (const entry of readLogRange(hub.redis, logStreamKey(prefix, fn), fn)) {
      if (requestId === undefined || entry.requestId === requestId) all.push(entry);
    }
    return all;
  }

  const reported = async (fn: string, requestId: string) =>
    waitFor(async () => {
      const lines = await entries(fn, requestId);
      return lines.some((entry) => entry.type === 'report') && lines;
    }, 10_000, `REPORT of ${requestId}`);

  it('writes START, the handler lines, END and REPORT of an invocation, in order, with their fields', async () => {
    const { requestId } = await invoke('chatty', { lines: 3 });
    const lines = await reported('chatty', requestId);
    expect(lines.map((entry) => entry.type)).toEqual(['start', 'handler', 'handler', 'handler', 'end', 'report']);
    expect(lines[0].line).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(lines.slice(1, 4).map((entry) => entry.line.split('\t').slice(1))).toEqual([1, 2, 3].map((i) => [requestId, 'INFO', `line ${i} of 3`]));
    expect(lines[4].line).toBe(`END RequestId: ${requestId}`);
    expect(lines[5].line).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\tDuration: `));
    const environments = new Set(lines.map((entry) => entry.environmentId));
    expect(environments.size).toBe(1);
    expect([...environments][0]).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(lines.map((entry) => entry.traceparent)).size).toBe(1);
    expect(parseTraceparent(lines[0].traceparent)).toBeDefined();
    for (const entry of lines) expect(Math.abs(entry.ts - Date.now())).toBeLessThan(30_000);
  });

  it('`triggerhub logs FN --since` prints the lines; --request-id, --limit and --json narrow and shape them', async () => {
    const first = await invoke('chatty', { lines: 2, tag: 'first' });
    const second = await invoke('chatty', { lines: 2, tag: 'second' });
    await reported('chatty', second.requestId);
    const all = await cli('logs', 'chatty', '--since', '5m');
    expect(all.code).toBe(0);
    const printed = all.stdout.trim().split('\n');
    const firstStart = printed.findIndex((line) => line.endsWith(`START RequestId: ${first.requestId} Version: $LATEST`));
    const secondReport = printed.findIndex((line) => line.includes(`REPORT RequestId: ${second.requestId}`));
    expect(firstStart).toBeGreaterThanOrEqual(0);
    expect(secondReport).toBeGreaterThan(firstStart);
    expect(printed[firstStart]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z START/);
    expect(printed.slice(firstStart + 1, firstStart + 3).every((line) => line.includes('first'))).toBe(true);

    const one = await cli('logs', 'chatty', '--request-id', second.requestId, '--json');
    const objects = one.stdout.trim().split('\n').map((line) => JSON.parse(line) as StoredLogEntry & { time: string });
    expect(objects.map((entry) => entry.type)).toEqual(['start', 'handler', 'handler', 'end', 'report']);
    expect(objects.every((entry) => entry.requestId === second.requestId && entry.traceparent && entry.time)).toBe(true);

    const last = await cli('logs', 'chatty', '--limit', '2');
    expect(last.stdout.trim().split('\n')).toHaveLength(2);
    expect(last.stdout).toContain(`REPORT RequestId: ${second.requestId}`);
  });

  it('`triggerhub logs` shows control characters a handler logged (from its event) as escapes; --json keeps them', async () => {
    const tag = 'x\u001b]0;TITLE\u0007\u001b[2J\rY\u202egnp.exe';
    const { requestId } = await invoke('chatty', { tag });
    await reported('chatty', requestId);
    const printed = await cli('logs', 'chatty', '--request-id', requestId);
    expect(printed.stdout).toContain('line 1 of 1 x\\u001b]0;TITLE\\u0007\\u001b[2J\\rY\\u202egnp.exe');
    expect(printed.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const json = await cli('logs', 'chatty', '--request-id', requestId, '--json');
    expect(json.stdout.trim().split('\n').map((line) => (JSON.parse(line) as StoredLogEntry).line)).toContainEqual(expect.stringContaining(`line 1 of 1 ${tag}`));
  });

  it('rejects an unknown function and a bad --since with the usage exit code', async () => {
    const unknown = await cli('logs', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no function named nope');
    const since = await cli('logs', 'chatty', '--since', 'yesterday');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be');
    // A day the month does not have (Date.parse makes it 3 March), and a duration no date reaches.
    for (const bad of ['2026-02-31', '2026-02-31T10:00:00Z', '99999999999999999999999d']) {
      const refused = await cli('logs', 'chatty', '--since', bad);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr).toContain(`--since must be a duration ago (30s, 10m, 2h, 1d, 1w) or an ISO date-time; got "${bad}"`);
    }
  }, 90_000); // CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)

  it('--follow prints the lines of a running invocation as they come, then exits 0 on SIGINT', async () => {
    const gate = path.join(dir, 'follow-gate');
    const child = spawnCli(['--config', configPath, 'logs', 'follow', '--follow']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // Logs every 100 ms until the gate opens (at most 25 s).
      const { requestId } = await invoke('follow', { lines: 250, gapMs: 100, untilFile: gate }, 'Event');
      await waitFor(() => /line \d+ of 250/.test(stdout), 20_000, 'a followed handler line');
      // Shown while the handler is still running: its REPORT is not written yet.
      expect((await entries('follow', requestId)).some((entry) => entry.type === 'report')).toBe(false);
      writeFileSync(gate, '');
      await waitFor(() => stdout.includes(`REPORT RequestId: ${requestId}`), 20_000, 'the followed REPORT');
      expect(stdout.lastIndexOf('of 250')).toBeLessThan(stdout.indexOf(`END RequestId: ${requestId}`));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('writes an invocation\'s lines together: one stream entry per (up to) 8 lines', async () => {
    const { requestId } = await invoke('chatty', { lines: 3 });
    await reported('chatty', requestId);
    const stored = (await hub.redis.xrange(logStreamKey(prefix, 'chatty'), '-', '+')) as Array<[string, string[]]>;
    const own = stored.filter(([, fields]) => fields[1] === requestId);
    // START, 3 handler lines, END, REPORT: six lines, written in one batch, in at most two entries.
    expect(own.length).toBeLessThanOrEqual(2);
    const lines = await entries('chatty', requestId);
    expect(lines).toHaveLength(6);
    expect(lines.map((entry) => `${entry.id}.${entry.part}`)).toEqual([...new Set(lines.map((entry) => `${entry.id}.${entry.part}`))]);
  });

  it('reads entries of the older one-line-per-entry format too', async () => {
    const key = logStreamKey(prefix, 'chatty');
    const id = await hub.redis.xadd(key, '*', 'requestId', 'old-1', 'type', 'report', 'level', 'INFO', 'ts', '1700000000000', 'environmentId', 'e1', 'line', 'REPORT RequestId: old-1');
    const [line] = await entries('chatty', 'old-1');
    expect(line).toMatchObject({ id, part: 0, type: 'report', level: 'INFO', ts: 1700000000000, environmentId: 'e1', line: 'REPORT RequestId: old-1' });
  });

  it('trims each stream to about maxEntriesPerFunction entries, keeping the newest lines', async () => {
    const { requestId } = await invoke('flood', { lines: 2000 });
    await reported('flood', requestId);
    const key = logStreamKey(prefix, 'flood');
    const length = await hub.redis.xlen(key);
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so up to one node more stays.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(200);
    const kept = await entries('flood');
    expect(kept.some((entry) => entry.type === 'start')).toBe(false);
    // Each entry holds at most 8 lines, so the stream holds at most 8 x maxEntriesPerFunction lines.
    expect(kept.every((entry) => entry.part < 8)).toBe(true);
    expect(kept.length).toBeLessThanOrEqual(8 * length);
  });

  it('keeps each stream entry within MAX_ENTRY_BYTES, saying in the entry (and in `triggerhub logs`) how much was cut', async () => {
    const { requestId } = await invoke('wide', { lines: 80, width: 4096 });
    await reported('wide', requestId);
    const raw = await hub.redis.xrange(logStreamKey(prefix, 'wide'), '-', '+');
    const fields = raw.map(([, values]) => values[values.indexOf('lines') + 1]);
    expect(Math.max(...fields.map((field) => Buffer.byteLength(field)))).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    const lines = await entries('wide', requestId);
    const notes = lines.filter((entry) => entry.line.startsWith('[triggerhub]'));
    // 8 lines of 4 KB to an entry: each of the 10 entries is cut (80 x 4096 bytes of text, at most 160 KB kept).
    expect(notes.length).toBe(10);
    expect(notes[0]).toMatchObject({ type: 'handler', level: 'WARN', line: expect.stringMatching(/^\[triggerhub\] \d+ bytes of \d line\(s\) cut here: a log stream entry keeps at most 16384 bytes/) });
    const cut = notes.reduce((sum, note) => sum + Number(/(\d+) bytes of/.exec(note.line)![1]), 0);
    const kept = lines.filter((entry) => entry.type === 'handler' && !notes.includes(entry)).reduce((sum, entry) => sum + Buffer.byteLength(entry.line), 0);
    // Every byte of the 80 lines (`<time>\t<requestId>\tINFO\t<4096 characters>`) is kept or counted as cut.
    expect(kept + cut).toBe(80 * (Buffer.byteLength(`${new Date().toISOString()}\t${requestId}\tINFO\t`) + 4096));
    expect(lines.at(-1)!.type).toBe('report');
    const printed = await cli('logs', 'wide', '--request-id', requestId);
    expect(printed.stdout).toContain('[triggerhub] ');
    expect(printed.stdout).toContain('cut here: a log stream entry keeps at most 16384 bytes');
  });

  it('a failing stream write is logged as a warning and does not fail the invocation', async () => {
    await hub.redis.set(logStreamKey(prefix, 'broken'), 'not a stream');
    const result = await invoke('broken', { lines: 1 });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ lines: 1 });
    await waitFor(() => warnings.some((line) => line.event === 'log_stream_write_failed'), 10_000, 'the write warning');
    expect(await hub.redis.get(logStreamKey(prefix, 'broken'))).toBe('not a stream');
  });
});

describe('RedisLogSink retention', () => {
  it('trims entries older than retentionSeconds', async () => {
    const redis = new Redis(inject('redisUrl'));
    const prefix = `ret-${randomUUID().slice(0, 8)}`;
    const key = logStreamKey(prefix, 'fn');
    try {
      const old = Date.now() - 3_600_000;
      // One full stream node (100 entries) of hour-old lines: MINID ~ removes whole nodes only.
      for (let i = 0; i < 150; i += 1) await redis.xadd(key, `${old}-${i + 1}`, 'line', `old ${i}`);
      const sink = new RedisLogSink({ redis, prefix, maxEntries: 10_000, retentionSeconds: 60, logger: silentLogger() });
      sink.write({ function: 'fn', requestId: 'r1', environmentId: 'e' }, ['report', 'INFO', Date.now(), 'REPORT RequestId: r1']);
      await sink.close();
      const remaining = (await redis.xrange(key, '-', '+')) as Array<[string, string[]]>;
      expect(remaining.length).toBeLessThanOrEqual(51);
      expect(remaining.at(-1)![1].join(' ')).toContain('REPORT RequestId: r1');
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });
});

describe('RedisLogSink batches', () => {
  it('writes each invocation of a batch as its own entry, in order, per function, with the same fields as an XADD each', async () => {
    const redis = new Redis(inject('redisUrl'));
    const prefix = `batch-${randomUUID().slice(0, 8)}`;
    try {
      const sink = new RedisLogSink({ redis, prefix, maxEntries: 10_000, logger: silentLogger() });
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      for (let i = 0; i < 120; i += 1) {
        const source = { function: i % 3 === 0 ? 'b' : 'a', requestId: `r${i}`, environmentId: `e${i % 2}`, ...(i % 2 ? { traceparent } : {}) };
        sink.write(source, ['start', 'INFO', 1000 + i, `START RequestId: r${i}`]);
        sink.write(source, ['report', 'INFO', 1001 + i, `REPORT RequestId: r${i}`]);
      }
      await sink.close();
      for (const fn of ['a', 'b']) {
        const stored = (await redis.xrange(logStreamKey(prefix, fn), '-', '+')) as Array<[string, string[]]>;
        const expected = Array.from({ length: 120 }, (_, i) => i).filter((i) => (i % 3 === 0) === (fn === 'b')).map((i) => [
          'requestId', `r${i}`, 'environmentId', `e${i % 2}`, ...(i % 2 ? ['traceparent', traceparent] : []),
          'lines', JSON.stringify([['start', 'INFO', 1000 + i, `START RequestId: r${i}`], ['report', 'INFO', 1001 + i, `REPORT RequestId: r${i}`]]),
        ]);
        expect(stored.map(([, fields]) => fields)).toEqual(expected);
      }
    } finally {
      await redis.del(logStreamKey(prefix, 'a'), logStreamKey(prefix, 'b'));
      redis.disconnect();
    }
  });
});

describe('RedisLogSink across a dropped connection', () => {
  it('a script call ioredis sends again after a reconnect (Redis ran it, the reply was lost) adds its entries once', async () => {
    // A TCP proxy in front of Redis that, once armed, cuts the connection instead of passing on Redis's next reply.
    const target = new URL(inject('redisUrl'));
    let armed = false;
    let cuts = 0;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (!armed) return void client.write(chunk);
        armed = false;
        cuts += 1;
        client.destroy();
        upstream.destroy();
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const redis = new Redis(`redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    const check = new Redis(inject('redisUrl'));
    const prefix = `resend-${randomUUID().slice(0, 8)}`;
    const key = logStreamKey(prefix, 'f');
    try {
      const sink = new RedisLogSink({ redis, prefix, maxEntries: 10_000, logger: silentLogger(), flushDelayMs: 1 });
      sink.write({ function: 'f', requestId: 'r1', environmentId: 'e' }, ['start', 'INFO', 1, 'START RequestId: r1']);
      await waitFor(async () => (await check.xlen(key)) === 1, 10_000, 'the first entry (the script is loaded)');
      armed = true;
      sink.write({ function: 'f', requestId: 'r2', environmentId: 'e' }, ['start', 'INFO', 2, 'START RequestId: r2']);
      await sink.close();
      expect(cuts).toBe(1);
      const stored = (await check.xrange(key, '-', '+')) as Array<[string, string[]]>;
      expect(stored.map(([, fields]) => fields[1])).toEqual(['r1', 'r2']);
    } finally {
      await check.del(key);
      check.disconnect();
      redis.disconnect();
      proxy.close();
    }
  });
});

describe('logs config', () => {
  it('defaults to 10000 lines per function without a time bound, and names a bad field', () => {
    expect(buildConfig({}, { baseDir: FIXTURES }).logs).toEqual({ maxEntriesPerFunction: 10_000 });
    expect(() => buildConfig({ logs: { maxEntriesPerFunction: 5 } }, { baseDir: FIXTURES }))
      .toThrow('logs.maxEntriesPerFunction: must be between 100 and 10000000');
    expect(() => buildConfig({ logs: { retentionSeconds: 10 } }, { baseDir: FIXTURES }))
      .toThrow('logs.retentionSeconds: must be between 60 and 31536000');
    expect(() => buildConfig({ logs: { maxEntries: 100 } }, { baseDir: FIXTURES })).toThrow(/logs/);
  });
});

describe('linesJson', () => {
  it('is JSON.stringify of the lines, whatever their types, levels, stamps and text', () => {
    const lines = [
      ['start', 'INFO', 1796153129021, 'START RequestId: r Version: $LATEST'],
      ['handler', 'WARN', 1.5, 'tab\tquote" backslash\\ newline\n é ✓ \u0000 \ud800 lone'],
      ['handler', '"],["injected', -0, ''],
      ['report', 'INFO', Number.NaN, 'REPORT'],
      ['end', '__proto__', Number.POSITIVE_INFINITY, 'END'],
    ] as unknown as LogLine[];
    expect(linesJson(lines)).toBe(JSON.stringify(lines));
    expect(linesJson([])).toBe('[]');
    expect(JSON.parse(linesJson(lines))[2][1]).toBe('"],["injected');
  });

  it('cuts lines past maxBytes of UTF-8, keeping later lines that fit and a WARN note of what was cut', () => {
    const long = 'é"\u0001'.repeat(2000); // 2 + 1 + 1 bytes of text, 2 + 2 + 6 of JSON each
    const lines: LogLine[] = [['start', 'INFO', 1, 'START'], ['handler', 'INFO', 2, long], ['end', 'INFO', 3, 'END'], ['report', 'INFO', 4, 'REPORT']];
    const json = linesJson(lines, 1024);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024);
    const parsed = JSON.parse(json) as LogLine[];
    expect(parsed.map(([type]) => type)).toEqual(['start', 'handler', 'end', 'report', 'handler']);
    expect(parsed[0]).toEqual(lines[0]);
    expect(long.startsWith(parsed[1][3])).toBe(true);
    expect(parsed[1][3].length).toBeGreaterThan(64);
    expect(parsed.slice(2, 4)).toEqual(lines.slice(2));
    const cut = Buffer.byteLength(long) - Buffer.byteLength(parsed[1][3]);
    expect(parsed[4]).toEqual(['handler', 'WARN', 2, `[triggerhub] ${cut} bytes of 1 line(s) cut here: a log stream entry keeps at most 1024 bytes (the hub's stdout has the lines whole)`]);
    // Lines that fit are not cut, and nothing is left when they are far over.
    expect(linesJson(lines.slice(2), 1024)).toBe(JSON.stringify(lines.slice(2)));
    const many = Array.from({ length: 8 }, (_, i): LogLine => ['handler', 'INFO', i, 'y'.repeat(300_000)]);
    expect(Buffer.byteLength(linesJson(many))).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
  });
});
