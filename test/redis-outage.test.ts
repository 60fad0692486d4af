import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { InvokeCommand, ServiceException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { startHub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { encoder, FIXTURES, tempDir, waitFor } from './helpers/hub.js';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { TestRedis } from './helpers/test-redis.js';
import { HttpSink } from './fixtures/destinations/peers.js';
import { Redis } from 'ioredis';
import { buildEnvelope, newDelivery } from '../src/router/envelope.js';
import { EventQueues } from '../src/router/queues.js';

/** What a MinIO webhook target POSTs for one upload. */
const minioEvent = (key: string) => ({
  EventName: 's3:ObjectCreated:Put',
  Key: `uploads/${key}`,
  Records: [{ eventVersion: '2.0', eventSource: 'minio:s3', awsRegion: '', eventTime: new Date().toISOString(), eventName: 's3:ObjectCreated:Put', s3: { bucket: { name: 'uploads' }, object: { key, size: 1 } } }],
});

describe('a Redis outage while the hub runs', { timeout: 90_000 }, () => {
  const dir = tempDir('th-outage-');
  const calls = path.join(dir, 'calls.log');
  const lines: string[] = [];
  const stderr = vi.spyOn(console, 'error');
  let redis: TestRedis;
  let hub: Awaited<ReturnType<typeof startHub>>;
  let lambda: LambdaClient;

  beforeAll(async () => {
    redis = await TestRedis.create(dir);
    await redis.start();
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const config = buildConfig({
      redis: `redis://127.0.0.1:${redis.port}`,
      server: { port: 0, durableWriteTimeoutMs: 500 },
      lockDurationSeconds: 2,
      functions: {
        echo: { handler: 'echo.handler' },
        record: { handler: 'record.handler', environment: { CALLS_FILE: calls } },
        gated: { handler: 'echo.handler', reservedConcurrency: 2 },
        uploads: { handler: 'record.handler', environment: { CALLS_FILE: calls }, events: [{ s3: { bucket: 'uploads', via: { webhook: { path: '/minio' } } } }] },
      },
    }, { baseDir: FIXTURES });
    hub = await startHub(config, { logger: createLogger({ destination, level: 'debug' }) });
    lambda = new LambdaClient({ endpoint: hub.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await hub?.stop();
    await redis?.stop();
    stderr.mockRestore();
  });

  const events = () => lines.map((line) => JSON.parse(line) as { level: number; event?: string; msg?: string });
  // Aborts a request that hangs (the defect this guards against), with room for a loaded machine.
  const get = (route: string) => fetch(`${hub.url}${route}`, { signal: AbortSignal.timeout(3000) });
  const invoke = (name: string, type: 'Event' | 'RequestResponse', payload: unknown) =>
    lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: type, Payload: encoder.encode(JSON.stringify(payload)) }), { abortSignal: AbortSignal.timeout(5000) });

  it('answers 503 on health, refuses async events with ServiceException, keeps sync invocations running, and recovers', async () => {
    expect((await get('/healthz')).status).toBe(200);
    await redis.stop();
    await waitFor(() => events().some((e) => e.event === 'redis_down'), 10_000, 'redis_down');

    expect((await get('/healthz')).status).toBe(503);
    expect((await get('/readyz')).status).toBe(503);

    const refused = invoke('record', 'Event', { lost: false });
    await expect(refused).rejects.toBeInstanceOf(ServiceException);
    await expect(refused).rejects.toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
    await expect(refused).rejects.toThrow(/Redis is unavailable/);

    // A push source answers its own retryable status (MinIO and SNS retry 5xx), acknowledging nothing.
    const minio = await fetch(`${hub.url}/minio`, { method: 'POST', body: JSON.stringify(minioEvent('lost.txt')), signal: AbortSignal.timeout(5000) });
    expect(minio.status).toBe(503);
    expect(await minio.json()).toMatchObject({ reason: 'enqueue_failed', message: expect.stringContaining('Redis is unavailable') });

    // A sync invocation needs no Redis; one under reserved concurrency needs its lease: a clear 503.
    const sync = await invoke('echo', 'RequestResponse', { during: 'outage' });
    expect(JSON.parse(new TextDecoder().decode(sync.Payload))).toMatchObject({ event: { during: 'outage' } });
    await expect(invoke('gated', 'RequestResponse', {})).rejects.toMatchObject({ name: 'ServiceException', message: expect.stringContaining('no concurrency lease for gated') });

    await redis.start();
    await waitFor(async () => (await get('/healthz')).status === 200, 30_000, '/healthz 200 again');
    await waitFor(() => events().some((e) => e.event === 'redis_back'), 10_000, 'redis_back');
    expect((await invoke('record', 'Event', { after: 'outage' })).StatusCode).toBe(202);
    expect((await fetch(`${hub.url}/minio`, { method: 'POST', body: JSON.stringify(minioEvent('kept.txt')) })).status).toBe(200);
    await waitFor(() => { try { return readFileSync(calls, 'utf8').includes('kept.txt'); } catch { return false; } }, 20_000, 'the S3 event to run');
    await waitFor(() => { try { return readFileSync(calls, 'utf8').includes('"after":"outage"'); } catch { return false; } }, 20_000, 'the async event to run');
    // The refused event was never acknowledged, and never queued.
    expect(readFileSync(calls, 'utf8')).not.toContain('lost');

    // One line down, one line back: no error lines, no ioredis retries on stderr.
    const all = events();
    expect(all.filter((e) => e.event === 'redis_down')).toHaveLength(1);
    expect(all.filter((e) => e.event === 'redis_back')).toHaveLength(1);
    expect(all.filter((e) => e.level >= 50)).toEqual([]);
    expect(stderr.mock.calls.map((args) => args.join(' ')).filter((text) => text.includes('ioredis'))).toEqual([]);
  });
});

/**
 * Redis ACL key patterns that allow every key except those starting with `refused` (globs have no
 * "not": each pattern allows keys that leave `refused` at one character, or end inside it).
 */
function allKeysBut(refused: string): string[] {
  return [...refused].flatMap((char, i) => [`~${refused.slice(0, i)}[^${char}]*`, ...(i ? [`~${refused.slice(0, i)}`] : [])]);
}

describe('Redis refusing the records an async invocation owes after its handler ran', { timeout: 90_000 }, () => {
  const dir = tempDir('th-follow-up-');
  const okCalls = path.join(dir, 'ok-calls.log');
  const failCalls = path.join(dir, 'fail-calls.log');
  const go = path.join(dir, 'go');
  const lines: string[] = [];
  let redis: TestRedis;
  let admin: Redis;
  let sink: HttpSink;
  let hub: Awaited<ReturnType<typeof startHub>>;

  beforeAll(async () => {
    redis = await TestRedis.create(dir);
    await redis.start();
    admin = new Redis(redis.url);
    await admin.call('ACL', 'SETUSER', 'hub', 'on', '>hub-secret', '+@all', '~*', '&*');
    sink = await new HttpSink().up();
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    hub = await startHub(buildConfig({
      redis: `redis://hub:hub-secret@127.0.0.1:${redis.port}`,
      queuePrefix: 'fu',
      server: { port: 0 },
      lockDurationSeconds: 2,
      shutdownTimeoutSeconds: 5,
      destinationDelivery: { baseDelayMs: 50, maxDelayMs: 200 },
      functions: {
        ok: { handler: 'await-marker.handler', environment: { CALLS_FILE: okCalls, GO_MARKER: go }, maximumRetryAttempts: 2, retryBackoffSeconds: 0.2, destinations: { onSuccess: sink.url } },
        failing: { handler: 'fail.handler', environment: { CALLS_FILE: failCalls }, maximumRetryAttempts: 0, retryBackoffSeconds: 0.2, destinations: { onFailure: sink.url } },
      },
    }, { baseDir: FIXTURES }), { logger: createLogger({ destination, level: 'debug' }) });
  });
  afterAll(async () => {
    await hub?.stop();
    admin?.disconnect();
    await sink?.down();
    await redis?.stop();
  });

  const events = () => lines.map((line) => JSON.parse(line) as { level: number; event?: string; requestId?: string });
  const retries = (id: string) => events().filter((e) => e.event === 'follow_up_retry' && e.requestId === id);
  const calls = (file: string) => { try { return readFileSync(file, 'utf8').split('\n').filter(Boolean); } catch { return []; } };
  // Keys under `prefix` are refused (NOPERM); the event's own queue is not (but in the test of a
  // worker refused its queue).
  const refuse = (prefix: string) => admin.call('ACL', 'SETUSER', 'hub', 'resetkeys', ...allKeysBut(prefix));
  const allowAll = () => admin.call('ACL', 'SETUSER', 'hub', 'allkeys');
  async function invokeAsync(fn: string, payload: unknown): Promise<string> {
    const response = await fetch(`${hub.url}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify(payload) });
    expect(response.status).toBe(202);
    return response.headers.get('x-amzn-requestid')!;
  }

  it('runs a succeeded handler once, defers its on-success record while Redis refuses it, and delivers it once Redis takes it', async () => {
    const id = await invokeAsync('ok', { order: 1 });
    await waitFor(() => calls(okCalls).length, 20_000, 'the handler to start');
    // The outbox job of this event's on-success record (`fu:destinations:<id>-ok`) is refused.
    await refuse(`fu:destinations:${id}`);
    writeFileSync(go, '');
    // Retried in the run first, then kept in the job (delayed, no attempt counted) for a later run.
    await waitFor(async () => calls(okCalls).length > 1 || (await admin.hget(`fu:fn-ok:${id}`, 'data'))?.includes('"outcome"'), 30_000, 'the outcome kept in the job');
    expect(calls(okCalls)).toEqual([id]);
    await allowAll();
    await waitFor(() => sink.requestIds().includes(id), 30_000, 'the on-success record');

    expect(calls(okCalls)).toEqual([id]);
    expect(sink.received.map((r) => r.body.requestContext)).toEqual([expect.objectContaining({ requestId: id, condition: 'Success', approximateInvokeCount: 1 })]);
    expect(await admin.zcard('fu:dlq:by-time')).toBe(0);
    await waitFor(async () => (await admin.exists(`fu:fn-ok:${id}`)) === 0, 10_000, 'the job completed (and removed)');
    // One warning for the whole window, the rest at debug; one line when writes work again.
    expect(retries(id).filter((e) => e.level === 40)).toHaveLength(1);
    expect(retries(id).length).toBeGreaterThan(1);
    expect(events().filter((e) => e.event === 'follow_up_recovered')).toHaveLength(1);
  });

  it('a worker whose own queue Redis refuses backs off instead of spinning, logs one error, and runs the queued event once when allowed', async () => {
    const before = events().length;
    await refuse('fu:fn-ok:');
    // Queued past the ACL (the hub's own user may not write the queue either): the queue's marker
    // wakes the worker, whose fetches Redis now refuses.
    const queues = new EventQueues(admin, 'fu', hub.config.functions);
    const envelope = buildEnvelope({ source: 'test', type: 'test', data: { order: 3 } });
    await queues.enqueue(envelope, newDelivery('ok', 'Event'));
    await queues.close();
    const refused = async () => Number(/errorstat_NOPERM:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
    await waitFor(async () => (await refused()) > 0, 20_000, 'the worker to be refused');
    // BullMQ alone retried at once, thousands of times a second; paused 0.1, 0.2 … 5 s between tries
    // the worker is refused a handful of times in these 4 s (each try: a fetch and a stalled check).
    const first = await refused();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect((await refused()) - first).toBeLessThan(40);
    const refusals = events().slice(before).filter((e) => e.event === 'worker_error');
    expect(refusals.filter((e) => e.level >= 50)).toHaveLength(1);
    expect(calls(okCalls)).not.toContain(envelope.id);
    // An async invoke Redis refuses to queue: 503 ServiceException naming the refusal (nothing is
    // queued: retry), and the event's payload, which ioredis keeps on the error, is in no log line.
    const invoked = await fetch(`${hub.url}/2015-03-31/functions/ok/invocations`, { method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify({ card: 'refused-4111' }) });
    expect(invoked.status).toBe(503);
    expect(invoked.headers.get('x-amzn-errortype')).toBe('ServiceException');
    expect(await invoked.json()).toMatchObject({ code: 'TH_ERR_REDIS_UNAVAILABLE', Message: expect.stringContaining('it refused the command: NOPERM') });
    // No outage watcher reports a refusal: the request's answer logs it, one warning a minute per kind.
    const again = await fetch(`${hub.url}/2015-03-31/functions/ok/invocations`, { method: 'POST', headers: { 'x-amz-invocation-type': 'Event' }, body: JSON.stringify({ card: 'refused-4111' }) });
    expect(again.status).toBe(503);
    expect(events().slice(before).filter((e) => e.event === 'redis_refused')).toEqual([expect.objectContaining({ level: 40, reply: expect.stringMatching(/^NOPERM /) })]);
    expect(lines.filter((line) => line.includes('refused-4111'))).toEqual([]);

    await allowAll();
    await waitFor(() => calls(okCalls).includes(envelope.id), 30_000, 'the event to run once the queue is allowed again');
    await waitFor(async () => (await admin.exists(`fu:fn-ok:${envelope.id}`)) === 0, 10_000, 'the job completed (and removed)');
    expect(calls(okCalls).filter((id) => id === envelope.id)).toHaveLength(1);
    // Its on-success record arrives before the next test counts what the sink received.
    await waitFor(() => sink.requestIds().includes(envelope.id), 30_000, 'its on-success record');
  });

  it('runs a failed handler once at its last attempt and dead-letters it with that attempt once Redis takes the record', async () => {
    sink.received.length = 0;
    await refuse('fu:dlq:');
    const id = await invokeAsync('failing', { order: 2 });
    await waitFor(() => retries(id).length >= 2 || calls(failCalls).length > 1, 30_000, 'a refused dead-letter write retried');
    expect(calls(failCalls)).toEqual([id]);
    await allowAll();
    await waitFor(() => sink.requestIds().includes(id), 30_000, 'the on-failure record');

    expect(calls(failCalls)).toEqual([id]);
    const record = JSON.parse((await admin.hget('fu:dlq:records', id))!) as { reason: string; attempts: Array<{ errorType: string }> };
    expect(record.reason).toBe('RetriesExhausted');
    expect(record.attempts).toEqual([expect.objectContaining({ errorType: 'BoomError' })]);
    expect(sink.received.map((r) => r.body.requestContext)).toEqual([expect.objectContaining({ requestId: id, condition: 'RetriesExhausted', approximateInvokeCount: 1 })]);
  });
});
