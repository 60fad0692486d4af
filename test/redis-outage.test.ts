import { readFileSync } from 'node:fs';
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
