import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { parseDlqFilter } from '../src/dlq/filter.js';
import { redriveOne } from '../src/dlq/redrive.js';
import type { DlqReason, DlqRecord } from '../src/dlq/store.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { buildEnvelope } from '../src/router/envelope.js';
import type { EventQueues } from '../src/router/queues.js';
import { runCli } from './helpers/cli.js';
import { readLines, startTestHub, testConfig, waitFor } from './helpers/hub.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

const HOUR = 3_600_000;

describe('dead-letter admin API and CLI', { timeout: 90_000 }, () => {
  const dir = tempDir('th-dlq-admin-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  const calls = { flaky: path.join(dir, 'flaky.log'), cli: path.join(dir, 'cli.log'), sink: path.join(dir, 'sink.log') };
  const markers = { flaky: path.join(dir, 'flaky-fixed'), cli: path.join(dir, 'cli-fixed') };
  let hub: Hub;

  beforeAll(async () => {
    const flaky = (log: string, marker: string) => ({
      handler: path.join(FIXTURES, 'fail.handler'), maximumRetryAttempts: 1, retryBackoffSeconds: 0.05,
      environment: { CALLS_FILE: log, FIX_MARKER: marker },
    });
    // JSON is YAML: the hub and the CLI read the same file.
    writeFileSync(configPath, JSON.stringify({
      redis: inject('redisUrl'),
      queuePrefix: `dlqa-${randomUUID().slice(0, 8)}`,
      server: { port: 0, host: '127.0.0.1' },
      lockDurationSeconds: 2,
      functions: {
        flaky: flaky(calls.flaky, markers.flaky),
        flakycli: flaky(calls.cli, markers.cli),
        sink: { handler: path.join(FIXTURES, 'record.handler'), environment: { CALLS_FILE: calls.sink } },
        sleepy: { handler: path.join(FIXTURES, 'sleeper.handler'), timeout: 1, maximumRetryAttempts: 0 },
        hog: { handler: path.join(FIXTURES, 'hog.handler'), memorySize: 128, timeout: 30, maximumRetryAttempts: 0 },
      },
    }));
    hub = await startHub(loadConfigFile(configPath), { logger: silentLogger() });
  });
  afterAll(async () => hub?.stop());
  afterEach(async () => {
    await hub.dlq.purge();
  });

  const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);
  const admin = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${hub.url}/admin/dlq${route}`, {
      method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() as Record<string, any> };
  };
  const invokeAsync = async (fn: string, payload: unknown): Promise<string> => {
    const response = await fetch(`${hub.url}/2015-03-31/functions/${fn}/invocations`, {
      method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
    return response.headers.get('x-amzn-requestid')!;
  };
  const callsOf = (file: string, id: string) => readLines(file).filter((line) => line === id).length;
  const settled = (fn: string) => waitFor(async () => (await hub.queues.depth(fn)) === 0, 10_000, `${fn} queue drained`);
  /** A record as the async worker writes it, for tests of the store, filters and pacing. */
  const seed = async (fn: string, source: string, reason: DlqReason, failedAt: number, data: unknown = {}): Promise<DlqRecord> => {
    const envelope = buildEnvelope({ source, type: 'aws.lambda.invoke', data });
    const record: DlqRecord = {
      id: envelope.id, function: fn, source, reason, failedAt: new Date(failedAt).toISOString(), envelope,
      delivery: { invocationType: 'Event', firstSeenAt: failedAt, redrives: 0 }, attempts: [],
    };
    await hub.dlq.add(record);
    return record;
  };

  it('round trip: every attempt is recorded, a failed redrive appends to the history, and the fixed function runs the same envelope id', async () => {
    const id = await invokeAsync('flaky', { order: 1 });
    const dead = await waitFor(() => hub.dlq.get(id).catch(() => undefined), 15_000, 'DLQ record');
    expect(dead).toMatchObject({ function: 'flaky', source: 'triggerhub:invoke', reason: 'RetriesExhausted', envelope: { id, data: { order: 1 } } });
    expect(dead.attempts).toHaveLength(2);
    for (const attempt of dead.attempts) {
      expect(attempt).toMatchObject({ status: 'error', errorType: 'BoomError', redrive: 0 });
      expect(attempt.environmentId).toEqual(expect.any(String));
      expect(attempt.trace?.[1]).toMatch(/^ {4}at /);
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(attempt.startedAt)).not.toBeNaN();
    }

    const shown = await admin('GET', `/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(dead);

    // Not fixed yet: the redriven event fails again and comes back with both rounds in its history.
    expect(await admin('POST', `/${id}/redrive`)).toEqual({ status: 200, body: { redriven: [id], failed: [] } });
    const again = await waitFor(async () => {
      const record = await hub.dlq.get(id).catch(() => undefined);
      return record?.delivery.redrives === 1 ? record : undefined;
    }, 15_000, 'second DLQ record');
    expect(again.attempts.map((a) => [a.attempt, a.redrive])).toEqual([[1, 0], [2, 0], [3, 1], [4, 1]]);
    expect(again.attempts.every((a) => typeof a.environmentId === 'string')).toBe(true);
    expect(again.envelope.id).toBe(id);

    writeFileSync(markers.flaky, 'fixed');
    expect(await admin('POST', '/redrive', { ids: [id] })).toEqual({ status: 200, body: { redriven: [id], failed: [] } });
    await waitFor(() => callsOf(calls.flaky, id) === 5, 10_000, 'the fixed run');
    await settled('flaky');
    // A failure would have written the DLQ record before its job completed.
    await expect(hub.dlq.get(id)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_NOT_FOUND' });
    expect((await admin('GET', '')).body.records).toEqual([]);
  });

  it('records the environment id of timed-out and out-of-memory attempts', async () => {
    const ids = [await invokeAsync('sleepy', { ms: 5000 }), await invokeAsync('hog', {})];
    const records = await Promise.all(ids.map((id) => waitFor(() => hub.dlq.get(id).catch(() => undefined), 30_000, `DLQ record ${id}`)));
    expect(records.map((r) => r.attempts.map((a) => a.status))).toEqual([['timeout'], ['out_of_memory']]);
    for (const record of records) {
      expect(record.reason).toBe('RetriesExhausted');
      expect(record.attempts[0].environmentId).toEqual(expect.any(String));
      expect(record.attempts[0].errorType).toMatch(/^(Sandbox\.Timedout|Runtime\.OutOfMemory)$/);
    }
  });

  it('redrives with the CLI after a fix, filtered by source and time, and lists the source', async () => {
    const id = await invokeAsync('flakycli', { order: 2 });
    await waitFor(() => hub.dlq.get(id).catch(() => undefined), 15_000, 'DLQ record');

    const listed = await cli('dlq', 'list', '--source', 'triggerhub:*', '--since', '10m');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/ID\s+FUNCTION\s+SOURCE\s+REASON/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+flakycli\\s+triggerhub:invoke\\s+RetriesExhausted\\s+2\\s`));
    expect((await cli('dlq', 'list', '--until', '10m')).stdout).not.toContain(id);

    writeFileSync(markers.cli, 'fixed');
    const redriven = await cli('dlq', 'redrive', '--function', 'flakycli', '--source', 'triggerhub:invoke', '--rate', '50');
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain(`${id} -> flakycli`);
    expect(redriven.stdout).toContain('redriven: 1');
    await waitFor(() => callsOf(calls.cli, id) === 3, 10_000, 'the fixed run');
    await settled('flakycli');
    expect(await hub.dlq.count()).toBe(0);
  });

  it('rejects bad CLI filter values and a redrive without id, filter or --all (exit 2)', async () => {
    const since = await cli('dlq', 'list', '--since', 'yesterday');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since: must be an ISO date-time');
    expect((await cli('dlq', 'redrive', '--all', '--rate', '0')).stderr).toContain('--rate: must be a number');
    // Slower than one record per 1,000 s would overflow the pacer's timer (it then fired every 1 ms).
    const tooSlow = await cli('dlq', 'redrive', '--all', '--rate', '1e-7');
    expect(tooSlow.code).toBe(2);
    expect(tooSlow.stderr).toContain('at least 0.001');
    expect((await cli('dlq', 'redrive', '--all', '--to', 'ghost')).stderr).toContain('--to: no function named "ghost"');
    expect((await cli('dlq', 'redrive')).code).toBe(2);
    expect((await cli('dlq', 'redrive', 'some-id', '--function', 'flaky')).code).toBe(2);
  }, 90_000); // CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)

  it('lists a record whose error holds newlines and terminal escapes on one row, the controls shown as escapes', async () => {
    const seeded = await seed('flaky', 'triggerhub:escapes', 'RetriesExhausted', Date.now());
    const attempt = { attempt: 1, startedAt: seeded.failedAt, durationMs: 1, status: 'error', errorType: 'Boom', errorMessage: 'one\ntwo\u001b]0;TITLE\u0007\u001b[2J\rX', redrive: 0 };
    await hub.dlq.add({ ...seeded, attempts: [attempt] });
    try {
      const listed = await cli('dlq', 'list', '--source', 'triggerhub:escapes');
      expect(listed.stdout.trimEnd().split('\n')).toHaveLength(2);
      expect(listed.stdout).toContain('Boom: one\\ntwo\\u001b]0;TITLE\\u0007\\u001b[2J\\rX');
      expect(listed.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    } finally {
      await hub.dlq.remove(seeded.id);
    }
  });

  it('filters by function, source (exact or glob), reason and time, newest first', async () => {
    const now = Date.now();
    const sns = await seed('alpha', 'arn:aws:sns:us-east-1:000000000000:orders', 'RetriesExhausted', now - 3 * HOUR);
    const s3 = await seed('alpha', 'arn:aws:s3:::uploads', 'EventAgeExceeded', now - HOUR / 2);
    const direct = await seed('beta', 'triggerhub:invoke', 'NonRetryableError', now - 60_000);
    const ids = async (query: string) => {
      const { status, body } = await admin('GET', query);
      expect(status).toBe(200);
      return (body.records as DlqRecord[]).map((r) => r.id);
    };
    expect(await ids('')).toEqual([direct.id, s3.id, sns.id]);
    expect(await ids('?function=alpha')).toEqual([s3.id, sns.id]);
    expect(await ids(`?source=${encodeURIComponent('arn:aws:sns:*')}`)).toEqual([sns.id]);
    expect(await ids(`?source=${encodeURIComponent('arn:aws:s3:::uploads')}`)).toEqual([s3.id]);
    expect(await ids('?source=arn:aws')).toEqual([]);
    expect(await ids('?reason=NonRetryableError')).toEqual([direct.id]);
    expect(await ids('?since=1h')).toEqual([direct.id, s3.id]);
    expect(await ids('?until=1h')).toEqual([sns.id]);
    const window = `?since=${new Date(now - 4 * HOUR).toISOString()}&until=${new Date(now - 10 * 60_000).toISOString()}`;
    expect(await ids(window)).toEqual([s3.id, sns.id]);
    expect(await ids('?function=alpha&since=1h')).toEqual([s3.id]);
    expect(await ids('?limit=2')).toEqual([direct.id, s3.id]);

    expect(await admin('POST', '/purge', { filter: { function: 'alpha', reason: 'EventAgeExceeded' } })).toEqual({ status: 200, body: { purged: 1 } });
    expect(await ids('')).toEqual([direct.id, sns.id]);
    expect(await admin('POST', '/purge', { all: true })).toEqual({ status: 200, body: { purged: 2 } });
  });

  it('answers 400 naming the field for bad filters and bodies', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', '?since=yesterday', undefined, 'since: must be an ISO date-time'],
      ['GET', '?reason=Nope', undefined, 'reason: must be one of RetriesExhausted'],
      ['GET', '?limit=0', undefined, 'limit: must be a positive integer'],
      ['GET', '?bogus=1', undefined, 'unknown field "bogus"'],
      ['GET', '?since=1h&until=2h', undefined, 'since: must not be after until'],
      ['POST', '/redrive', '{not json', 'body: not valid JSON'],
      ['POST', '/redrive', {}, 'name ids, a filter, or all: true'],
      ['POST', '/redrive', { ids: ['x'], all: true }, 'not both'],
      ['POST', '/redrive', { all: true, to: 'ghost' }, 'to: no function named "ghost" (configured: flaky, flakycli, sink, sleepy, hog)'],
      ['POST', '/redrive', { all: true, rate: 0 }, 'rate: must be a number of records per second'],
      ['POST', '/redrive', { filter: { since: 'soon' } }, 'filter.since: must be an ISO date-time'],
      ['POST', '/x/redrive', { to: 'ghost' }, 'to: no function named'],
      ['POST', '/purge', { all: true, to: 'sink' }, 'unknown field "to"'],
    ];
    for (const [method, route, body, message] of cases) {
      const response = await admin(method, route, body);
      expect(response, `${method} ${route}`).toMatchObject({ status: 400, body: { error: 'TH_ERR_DLQ_REQUEST_INVALID' } });
      expect(response.body.message, `${method} ${route}`).toContain(message);
    }
  });

  it('answers 404 for an unknown id', async () => {
    for (const [method, route] of [['GET', '/nope'], ['POST', '/nope/redrive'], ['DELETE', '/nope']]) {
      expect(await admin(method, route)).toEqual({ status: 404, body: { error: 'TH_ERR_DLQ_NOT_FOUND', message: 'no dead-letter record with id nope' } });
    }
    const record = await seed('gamma', 'test', 'Stalled', Date.now());
    expect(await admin('DELETE', `/${record.id}`)).toEqual({ status: 200, body: { purged: 1 } });
    expect((await admin('GET', `/${record.id}`)).status).toBe(404);
  });

  it('redrives to another function with `to`', async () => {
    const marker = randomUUID();
    const record = await seed('flaky', 'test', 'RetriesExhausted', Date.now(), { marker });
    const outcome = await admin('POST', '/redrive', { filter: { source: 'test' }, to: 'sink' });
    expect(outcome).toEqual({ status: 200, body: { redriven: [record.id], failed: [] } });
    await waitFor(() => readLines(calls.sink).map((l) => JSON.parse(l)).find((e) => e.marker === marker), 10_000, 'sink run');
    expect(await hub.dlq.count()).toBe(0);
  });

  it('paces a redrive to the requested rate', async () => {
    const base = Date.now();
    const records = [];
    for (let i = 0; i < 5; i++) records.push(await seed('sink', 'test:rate', 'RetriesExhausted', base - i, { paced: i }));
    const started = performance.now();
    const outcome = await admin('POST', '/redrive', { filter: { source: 'test:rate' }, rate: 10 });
    const elapsed = performance.now() - started;
    expect(outcome.status).toBe(200);
    expect(outcome.body.redriven).toEqual(records.map((r) => r.id));
    // 5 records at 10/s: four 100 ms gaps.
    expect(elapsed).toBeGreaterThanOrEqual(390);
    await waitFor(() => readLines(calls.sink).filter((l) => JSON.parse(l).paced !== undefined).length === 5, 10_000, 'five sink runs');
  });

  it('keeps the record when queueing fails and never queues one record twice for concurrent redrives', async () => {
    const record = await seed('sink', 'test:crash', 'RetriesExhausted', Date.now(), { crash: true });
    const broken = { enqueue: async () => { throw new Error('redis went away'); } } as unknown as EventQueues;
    await expect(redriveOne(hub.dlq, broken, record.id)).rejects.toThrow('redis went away');
    expect(await hub.dlq.get(record.id)).toEqual(record);

    let release!: () => void;
    const enqueued: string[] = [];
    const slow = {
      enqueue: async (envelope: { id: string }) => {
        await new Promise<void>((resolve) => { release = resolve; });
        enqueued.push(envelope.id);
      },
    } as unknown as EventQueues;
    const first = redriveOne(hub.dlq, slow, record.id);
    await waitFor(() => release, 5_000, 'first redrive queueing');
    await expect(redriveOne(hub.dlq, hub.queues, record.id)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_REDRIVE_IN_PROGRESS' });
    expect((await admin('POST', `/${record.id}/redrive`)).body.error).toBe('TH_ERR_DLQ_REDRIVE_IN_PROGRESS');
    release();
    await first;
    expect(enqueued).toEqual([record.id]);
    await expect(hub.dlq.get(record.id)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_NOT_FOUND' });
  });

  it('does not remove a record that failed again while its redrive was being queued', async () => {
    const record = await seed('sink', 'test:race', 'RetriesExhausted', Date.now());
    const refailing = {
      enqueue: async () => {
        await hub.dlq.add({ ...record, failedAt: new Date().toISOString(), delivery: { ...record.delivery, redrives: 1 } });
      },
    } as unknown as EventQueues;
    await redriveOne(hub.dlq, refailing, record.id);
    expect((await hub.dlq.get(record.id)).delivery.redrives).toBe(1);
  });

  it('parses relative and absolute times against one clock', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseDlqFilter({ since: '15m', until: '2026-11-23T11:59:00Z' }, { now })).toEqual({
      since: Date.parse('2026-11-23T11:45:00Z'), until: Date.parse('2026-11-23T11:59:00Z'),
    });
    expect(parseDlqFilter({ since: '1d', limit: '5', function: '' }, { now })).toEqual({ since: now - 24 * HOUR, limit: 5 });
  });
});

describe('admin API with admin.token', () => {
  let hub: Hub;
  const token = `secret-${randomUUID()}`;
  beforeAll(async () => {
    process.env.TH_TEST_ADMIN_TOKEN = token;
    hub = await startTestHub({ admin: { token: '${TH_TEST_ADMIN_TOKEN}' } });
  });
  afterAll(async () => {
    delete process.env.TH_TEST_ADMIN_TOKEN;
    await hub?.stop();
  });

  it('requires Authorization: Bearer <token> (from ${VAR})', async () => {
    const get = (headers: Record<string, string>) => fetch(`${hub.url}/admin/dlq`, { headers });
    const missing = await get({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toMatchObject({ error: 'TH_ERR_ADMIN_UNAUTHORIZED' });
    expect((await get({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get({ authorization: `Basic ${token}` })).status).toBe(401);
    const ok = await get({ authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ records: [] });
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });

  it('rejects a short token at config load, naming the field', () => {
    expect(() => testConfig({ admin: { token: 'short' } })).toThrow(/admin\.token: must be at least 16 characters/);
  });
});
