import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { silentLogger } from '../src/log.js';
import { SourceHealth, sourcesKey, type SourceHealthRecord } from '../src/sources/health.js';
import type { SourceContext } from '../src/sources/source.js';
import { readSourceStatus, STALE_AFTER_MS, type SourceStatus } from '../src/stats/source-status.js';
import { runCli } from './helpers/cli.js';
import { createQueue, REGION, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { kinesisCase, putRecords, startKinesisHub, startKinesalite, waitDelivered, type Kinesalite } from './helpers/kinesalite.js';
import { TcpProxy } from './fixtures/destinations/peers.js';
import { RefusingKinesisProxy } from './fixtures/kinesis/refusing-proxy.js';

/** One sample's value from Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const statusOf = async (hub: TestHub, source: string): Promise<SourceStatus | undefined> =>
  (await readSourceStatus(hub.redis, hub.config.queuePrefix)).find((s) => s.source === source);

/** Waits until the source reports `state`; returns its status then. */
const waitState = (hub: TestHub, source: string, state: SourceStatus['state'], timeoutMs = 15_000): Promise<SourceStatus> =>
  waitFor(async () => {
    const s = await statusOf(hub, source);
    return s?.state === state ? s : undefined;
  }, timeoutMs, `${source} to be ${state}`);

const sourceUp = async (hub: TestHub, fn: string, source: string): Promise<number | undefined> =>
  sample(await (await fetch(`${hub.url}/metrics`)).text(), `triggerhub_source_up{function="${fn}",source="${source}"}`);

describe('source health: pollers and push sources report state, lag and last event', { timeout: 90_000 }, () => {
  let sqs: Fauxqs;
  let hub: TestHub;
  const streamKey = `health-${randomUUID().slice(0, 8)}`;
  const DELAY_SECONDS = 2;
  const STREAM_AGE_MS = 60_000;

  beforeAll(async () => {
    sqs = await startFauxqs();
    const queue = await createQueue(sqs.client, 'health');
    // Messages that wait DELAY_SECONDS before they can be received: their age is at least that.
    await sqs.client.send(new SendMessageBatchCommand({
      QueueUrl: queue.url, Entries: [0, 1, 2].map((i) => ({ Id: String(i), MessageBody: `m${i}`, DelaySeconds: DELAY_SECONDS })),
    }));
    // A stream entry whose id says it arrived a minute ago.
    const redis = new Redis(inject('redisUrl'));
    await redis.xadd(streamKey, `${Date.now() - STREAM_AGE_MS}-0`, 'data', '{"old":true}');
    await redis.quit();
    const down = `http://127.0.0.1:${await closedPort()}`;
    hub = await startTestHub({
      functions: {
        worker: { handler: 'echo.handler', events: [{ sqs: { queue: queue.url, endpoint: sqs.endpoint, region: REGION } }] },
        down: { handler: 'echo.handler', events: [{ sqs: { queue: `${down}/000000000000/nowhere`, endpoint: down, region: REGION } }] },
        uploads: { handler: 'echo.handler', events: [{ s3: { bucket: 'uploads', via: { sqs: `${down}/000000000000/uploads`, endpoint: down, region: REGION } } }] },
        sink: { handler: 'echo.handler', events: [{ stream: { key: streamKey, startingPosition: 'TRIM_HORIZON' } }] },
        web: { handler: 'http.event', events: [{ http: { path: '/hello' } }] },
        ticker: { handler: 'noop.handler', events: [{ schedule: { expression: 'rate(1 hour)' } }] },
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await sqs?.stop();
  });

  it('shows an SQS source running, with its last event and the age of the messages it received', async () => {
    const status = await waitFor(async () => {
      const s = await statusOf(hub, 'sqs:worker:0');
      return s?.lastEventAt && s.lagMs !== null && s.lagMs > 0 ? s : undefined;
    }, 20_000, 'the sqs source to report a batch');
    expect(status).toMatchObject({ kind: 'sqs', function: 'worker', state: 'running' });
    expect(status.lagMs).toBeGreaterThanOrEqual(DELAY_SECONDS * 1000);
    expect(status.hubs).toHaveLength(1);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(sample(metrics, 'triggerhub_source_lag_seconds{function="worker",source="sqs:worker:0"}')).toBeGreaterThanOrEqual(DELAY_SECONDS);
    expect(sample(metrics, 'triggerhub_source_last_event_timestamp_seconds{function="worker",source="sqs:worker:0"}'))
      .toBeCloseTo(Date.parse(status.lastEventAt!) / 1000, 1);
    expect(sample(metrics, 'triggerhub_source_up{function="worker",source="sqs:worker:0"}')).toBe(1);
  });

  it('shows a source whose endpoint is down as failing, with the error', async () => {
    for (const source of ['sqs:down:0', 's3:uploads:0']) {
      const status = await waitFor(async () => {
        const s = await statusOf(hub, source);
        return s?.state === 'failing' ? s : undefined;
      }, 20_000, `${source} to fail`);
      expect(status.lastError).toMatch(/ECONNREFUSED/);
      expect(status.lastEventAt).toBeNull();
    }
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(sample(metrics, 'triggerhub_source_up{function="down",source="sqs:down:0"}')).toBe(0);
  });

  it("reports a Redis stream's iterator age (the age of the batch's last entry) in /metrics", async () => {
    const status = await waitFor(async () => {
      const s = await statusOf(hub, 'stream:sink:0');
      return s?.lagMs ? s : undefined;
    }, 20_000, 'the stream source to read the entry');
    expect(status.lagMs).toBeGreaterThanOrEqual(STREAM_AGE_MS);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(sample(metrics, 'triggerhub_iterator_age_milliseconds{function="sink",source="stream:sink:0"}')).toBeGreaterThanOrEqual(STREAM_AGE_MS);
  });

  it('records the last event of a push source and the next tick of a schedule', async () => {
    expect((await statusOf(hub, 'http:web:0'))?.lastEventAt).toBeNull();
    const before = Date.now();
    expect((await fetch(`${hub.url}/hello`)).status).toBe(200);
    const web = await waitFor(async () => {
      const s = await statusOf(hub, 'http:web:0');
      return s?.lastEventAt ? s : undefined;
    }, 10_000, 'the http route to report its event');
    expect(web.state).toBe('running');
    expect(Date.parse(web.lastEventAt!)).toBeGreaterThanOrEqual(before);
    const ticker = await statusOf(hub, 'schedule:ticker:0');
    expect(ticker?.state).toBe('running');
    const next = Date.parse(ticker!.nextEventAt!);
    expect(next).toBeGreaterThan(Date.now());
    expect(next).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  it('prints the sources table in `triggerhub status`', async () => {
    const configPath = path.join(tempDir('th-health-'), 'triggerhub.yaml');
    writeFileSync(configPath, JSON.stringify({ redis: inject('redisUrl'), queuePrefix: hub.config.queuePrefix }));
    const result = await runCli(['--config', configPath, 'status']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((line) => line.startsWith('SOURCE'));
    expect(lines[header].split(/\s{2,}/)).toEqual(['SOURCE', 'FUNCTION', 'STATE', 'LAG', 'LAST EVENT', 'HUBS', 'NOTE']);
    const row = (source: string) => lines.slice(header).find((line) => line.startsWith(`${source} `))?.split(/\s{2,}/);
    expect(row('sqs:down:0')?.slice(1, 3)).toEqual(['down', 'failing']);
    expect(row('sqs:worker:0')?.[2]).toBe('running');
    expect(row('sqs:worker:0')?.[4]).toMatch(/ago$/);
    expect(row('schedule:ticker:0')?.at(-1)).toMatch(/^next in /);
  });

  it('marks every source stopped when the hub stops', async () => {
    await hub.stop();
    const redis = new Redis(inject('redisUrl'));
    try {
      const all = await readSourceStatus(redis, hub.config.queuePrefix);
      expect(all.map((s) => s.source)).toEqual(['http:web:0', 's3:uploads:0', 'schedule:ticker:0', 'sqs:down:0', 'sqs:worker:0', 'stream:sink:0']);
      expect(new Set(all.map((s) => s.state))).toEqual(new Set(['stopped']));
    } finally {
      await redis.quit();
    }
    const configPath = path.join(tempDir('th-health-'), 'triggerhub.yaml');
    writeFileSync(configPath, JSON.stringify({ redis: inject('redisUrl'), queuePrefix: hub.config.queuePrefix }));
    const lines = (await runCli(['--config', configPath, 'status'])).stdout.split('\n');
    const header = lines.findIndex((line) => line.startsWith('SOURCE'));
    // HUBS: none of the one hub with a record of it runs it any more.
    expect(lines.slice(header).find((line) => line.startsWith('sqs:worker:0 '))?.split(/\s{2,}/)[5]).toBe('0 of 1');
  });
});

describe('source health: throttled functions', { timeout: 60_000 }, () => {
  it('shows the pollers of a function with reservedConcurrency 0 as throttled, not polling, with source_up 0', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const sqs = (queue: string) => ({ sqs: { queue: `${down}/000000000000/${queue}`, endpoint: down, region: REGION } });
    const hub = await startTestHub({
      functions: {
        held: {
          handler: 'echo.handler', reservedConcurrency: 0, events: [
            sqs('held'),
            { stream: { key: `held-${randomUUID().slice(0, 8)}`, startingPosition: 'TRIM_HORIZON' } },
            { kinesis: { stream: 'held', startingPosition: 'TRIM_HORIZON', endpoint: down, region: REGION } },
          ],
        },
        polled: { handler: 'echo.handler', events: [sqs('polled')] },
      },
    });
    try {
      // The same unreachable endpoint: once the polled source has failed, a poller of `held` would have too.
      await waitState(hub, 'sqs:polled:0', 'failing');
      for (const source of ['sqs:held:0', 'stream:held:1', 'kinesis:held:2']) {
        expect(await statusOf(hub, source), source).toMatchObject({ state: 'throttled', lastError: null, lastEventAt: null });
        expect(await sourceUp(hub, 'held', source), source).toBe(0);
      }
      const configPath = path.join(tempDir('th-health-'), 'triggerhub.yaml');
      writeFileSync(configPath, JSON.stringify({ redis: inject('redisUrl'), queuePrefix: hub.config.queuePrefix }));
      const result = await runCli(['--config', configPath, 'status']);
      expect(result.code, result.stderr).toBe(0);
      const row = result.stdout.split('\n').find((line) => line.startsWith('sqs:held:0 '))?.split(/\s{2,}/);
      expect(row?.slice(1, 3)).toEqual(['held', 'throttled']);
      expect(row?.at(-1)).toBe('reservedConcurrency is 0: not polled');
    } finally {
      await hub.stop();
    }
  });
});

describe('source health: merging hubs', () => {
  it('shows the worst state of the live hubs, the largest lag, and ignores a dead hub', async () => {
    const redis = new Redis(inject('redisUrl'));
    const prefix = `merge-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    const record = (hub: string, patch: Partial<SourceHealthRecord>, ageMs = 0): [string, string] => [`sqs:fn:0@${hub}`, JSON.stringify({
      source: 'sqs:fn:0', kind: 'sqs', function: 'fn', hub, state: 'running', lastEventAt: null, lagMs: null, lastError: null, nextEventAt: null,
      updatedAt: new Date(now - ageMs).toISOString(), ...patch,
    })];
    try {
      await redis.hset(sourcesKey(prefix), ...record('a', { lagMs: 100, lastEventAt: new Date(now - 5000).toISOString() }),
        ...record('b', { state: 'failing', lagMs: 900, lastError: 'boom' }),
        ...record('dead', { state: 'running', lagMs: 99_999, lastEventAt: new Date(now - 1000).toISOString() }, STALE_AFTER_MS + 1000));
      const [merged] = await readSourceStatus(redis, prefix, now);
      expect(merged).toMatchObject({ source: 'sqs:fn:0', state: 'failing', lagMs: 900, lastError: 'boom', lastEventAt: new Date(now - 1000).toISOString() });
      expect(merged.hubs.find((h) => h.hub === 'dead')?.state).toBe('stale');
      await redis.hdel(sourcesKey(prefix), 'sqs:fn:0@b');
      expect((await readSourceStatus(redis, prefix, now))[0]).toMatchObject({ state: 'running', lagMs: 100 });
      await redis.hdel(sourcesKey(prefix), 'sqs:fn:0@a');
      expect((await readSourceStatus(redis, prefix, now))[0]).toMatchObject({ state: 'stale', lagMs: 99_999 });
    } finally {
      await redis.del(sourcesKey(prefix));
      await redis.quit();
    }
  });
});

describe('source health: kinesis', { timeout: 60_000 }, () => {
  let k: Kinesalite;
  beforeAll(async () => { k = await startKinesalite(); });
  afterAll(async () => { await k?.close(); });

  it("reports the iterator age of a Kinesis source's batches in /metrics and the status", async () => {
    const c = await kinesisCase(k);
    const hub = await startKinesisHub(k, c);
    try {
      const puts = await putRecords(k, c, [{ n: 1 }, { n: 2 }]);
      await waitDelivered(c, puts.map((p) => p.sequenceNumber));
      const status = await waitFor(async () => {
        const s = await statusOf(hub, 'kinesis:worker:0');
        return s?.lagMs !== null && s?.lagMs !== undefined ? s : undefined;
      }, 10_000, 'the kinesis source to report its iterator age');
      expect(status).toMatchObject({ state: 'running', kind: 'kinesis' });
      expect(status.lastEventAt).not.toBeNull();
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      const age = sample(metrics, 'triggerhub_iterator_age_milliseconds{function="worker",source="kinesis:worker:0"}');
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(60_000);
    } finally {
      await hub.stop();
    }
  });

  it('shows a Kinesis source failing while reading its shard fails (the shard list still works), running after a good read', async () => {
    const proxy = await new RefusingKinesisProxy(k.endpoint).up();
    const c = await kinesisCase(k);
    const hub = await startKinesisHub(k, c, { endpoint: proxy.endpoint });
    try {
      const [first] = await putRecords(k, c, [{ n: 1 }]);
      await waitDelivered(c, [first.sequenceNumber]);
      await waitState(hub, 'kinesis:worker:0', 'running');
      proxy.refused.add('GetRecords').add('GetShardIterator');
      const failing = await waitState(hub, 'kinesis:worker:0', 'failing');
      expect(failing.lastError).toMatch(/^AccessDeniedException: Get(Records|ShardIterator) refused by the test proxy$/);
      expect(await sourceUp(hub, 'worker', 'kinesis:worker:0')).toBe(0);
      const [second] = await putRecords(k, c, [{ n: 2 }]);
      proxy.refused.clear();
      await waitDelivered(c, [second.sequenceNumber]);
      await waitState(hub, 'kinesis:worker:0', 'running');
      expect(await sourceUp(hub, 'worker', 'kinesis:worker:0')).toBe(1);
    } finally {
      await hub.stop();
      await proxy.down();
    }
  });

  it('shows a Kinesis source failing while Kinesis is unreachable, and running again when it is back', async () => {
    const proxy = await new TcpProxy({ host: '127.0.0.1', port: Number(new URL(k.endpoint).port) }).up();
    const c = await kinesisCase(k);
    const hub = await startKinesisHub(k, c, { endpoint: proxy.endpoint });
    try {
      const [first] = await putRecords(k, c, [{ n: 1 }]);
      await waitDelivered(c, [first.sequenceNumber]);
      await proxy.down();
      const failing = await waitState(hub, 'kinesis:worker:0', 'failing');
      expect(failing.lastError).toMatch(/ECONNREFUSED/);
      const [second] = await putRecords(k, c, [{ n: 2 }]);
      await proxy.up();
      await waitDelivered(c, [second.sequenceNumber], 20_000);
      await waitState(hub, 'kinesis:worker:0', 'running');
    } finally {
      await hub.stop();
      await proxy.down();
    }
  });
});

describe('SourceHealth.contextFor: last event', () => {
  it('records each event\'s millisecond; further events of the same millisecond change nothing and report nothing', async () => {
    const changes: SourceHealthRecord[] = [];
    // No state change, so nothing is written before the (unreferenced) flush timer: no Redis needed.
    const health = new SourceHealth(undefined as unknown as Redis, 'p', silentLogger(), (record) => changes.push(record));
    const calls: string[] = [];
    const context = health.contextFor({ invokeSync: async () => calls.push('invoked') } as unknown as SourceContext, 'route:fn:0');
    const reports = vi.spyOn(health, 'report');
    let now = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      for (let i = 0; i < 3; i += 1) await context.invokeSync(undefined as never, undefined as never);
      now += 1;
      await context.invokeSync(undefined as never, undefined as never);
    } finally {
      clock.mockRestore();
    }
    expect(calls).toHaveLength(4);
    expect(reports).toHaveBeenCalledTimes(2); // not once per event
    expect(changes.map((record) => record.lastEventAt)).toEqual(['2026-01-02T03:04:05.006Z', '2026-01-02T03:04:05.007Z']);
  });
});
