import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { OUTBOX_QUEUE } from '../src/destinations/outbox.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encoder, readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

describe('several hubs on one Redis: async events', () => {
  const dir = tempDir();
  const workCalls = path.join(dir, 'work.log');
  const sinkCalls = path.join(dir, 'sink.log');
  const failCalls = path.join(dir, 'fail.log');
  const singleCalls = path.join(dir, 'single.log');
  const prefix = `mh-${randomUUID().slice(0, 8)}`;
  const stream = `${prefix}-failures`;
  const hubs: TestHub[] = [];
  let redis: Redis;

  beforeAll(async () => {
    const raw = {
      queuePrefix: prefix,
      // The default lock (30 s), not the suite's 2 s: on a starved machine a 2 s lock can lapse
      // before its renewal runs and BullMQ's stalled check runs the event again (at-least-once, as
      // on Lambda), which is not what these tests look at.
      lockDurationSeconds: 30,
      functions: {
        work: { handler: 'slow.handler', environment: { CALLS_FILE: workCalls }, destinations: { onSuccess: 'sink' } },
        broken: {
          handler: 'fail.handler', maximumRetryAttempts: 1, retryBackoffSeconds: 0.05,
          environment: { CALLS_FILE: failCalls }, destinations: { onFailure: `redis-stream:${stream}` },
        },
        sink: { handler: 'record.handler', environment: { CALLS_FILE: sinkCalls } },
        single: { handler: 'overlap.handler', reservedConcurrency: 1, environment: { CALLS_FILE: singleCalls }, destinations: { onSuccess: 'sink' } },
      },
    };
    hubs.push(await startTestHub(raw), await startTestHub(raw));
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop()));
    await redis?.quit();
  });

  const invokeAsync = async (hub: TestHub, fn: string, payload: unknown) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: encoder.encode(JSON.stringify(payload)) }));
    expect(out.StatusCode).toBe(202);
    return out.$metadata.requestId!;
  };

  it('runs each event once and sends each destination record once, whichever hub took it', async () => {
    const n = 40;
    const ok = await Promise.all(Array.from({ length: n }, (_, i) => invokeAsync(hubs[i % 2], 'work', { ms: 20, i })));
    const failed = await Promise.all(Array.from({ length: 10 }, (_, i) => invokeAsync(hubs[i % 2], 'broken', { i })));
    await waitFor(() => readLines(sinkCalls).length >= n, 30_000, 'success records');
    await waitFor(async () => (await redis.xlen(stream)) >= failed.length, 30_000, 'failure records');
    // Nothing left queued anywhere: a duplicate run or record would already be in the files.
    const outbox = new Queue(OUTBOX_QUEUE, { connection: hubs[0].redis, prefix });
    await waitFor(async () => {
      const depths = await Promise.all(['work', 'broken', 'sink'].map((fn) => hubs[0].queues.depth(fn)));
      return depths.every((d) => d === 0) && (await outbox.getJobCountByTypes('waiting', 'delayed', 'active')) === 0;
    }, 15_000, 'every queue drained');
    await outbox.close();
    const ran = readLines(workCalls).map((line) => JSON.parse(line).i).sort((a, b) => a - b);
    expect(ran).toEqual(Array.from({ length: n }, (_, i) => i));
    const records = readLines(sinkCalls).map((line) => JSON.parse(line));
    expect(records.map((r) => r.requestContext.requestId).sort()).toEqual([...ok].sort());
    expect(records.every((r) => r.requestContext.condition === 'Success' && r.requestContext.approximateInvokeCount === 1)).toBe(true);
    expect(readLines(failCalls).sort()).toEqual([...failed, ...failed].sort());
    const entries = await redis.xrange(stream, '-', '+');
    const failures = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('record') + 1]));
    expect(failures.map((r) => r.requestContext.requestId).sort()).toEqual([...failed].sort());
    expect(failures.every((r) => r.requestContext.condition === 'RetriesExhausted' && r.requestContext.approximateInvokeCount === 2)).toBe(true);
  });

  it('holds reserved concurrency 1 across both hubs: one at a time, each event once, a throttle is no attempt', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => invokeAsync(hubs[i % 2], 'single', { ms: 50 })));
    const lines = await waitFor(() => {
      const all = readLines(singleCalls);
      return all.filter((line) => line.startsWith('end ')).length >= ids.length && all;
    }, 30_000, 'every event run');
    let running = 0;
    for (const line of lines) {
      running += line.startsWith('start ') ? 1 : -1;
      expect(running).toBeLessThanOrEqual(1);
    }
    expect(lines.filter((line) => line.startsWith('start ')).map((line) => line.split(' ')[1]).sort()).toEqual([...ids].sort());
    const records = await waitFor(() => {
      const found = readLines(sinkCalls).map((line) => JSON.parse(line)).filter((r) => ids.includes(r.requestContext.requestId));
      return found.length >= ids.length && found;
    }, 15_000, 'every on-success record');
    expect(records.map((r) => r.requestContext.approximateInvokeCount)).toEqual(ids.map(() => 1));
  });
});
