import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DestinationRecord } from '../src/router/destinations.js';
import { buildEnvelope, ENVELOPE_TYPES, newDelivery } from '../src/router/envelope.js';
import { EventQueues, queueName } from '../src/router/queues.js';
import { readLines, startTestHub, tempDir, testConfig, waitFor, type TestHub } from './helpers/hub.js';

/**
 * An event whose hubs keep dying while they run it (BullMQ: stalled more than 3 times) is given up
 * as `Stalled`: like any finally failed event, its on-failure destination gets the record.
 */
describe('an event abandoned by crashed hubs more than three times', () => {
  const dir = tempDir();
  const sinkCalls = path.join(dir, 'sink.log');
  const prefix = `st-${randomUUID().slice(0, 8)}`;
  const raw = {
    queuePrefix: prefix,
    functions: {
      doomed: { handler: 'record.handler', environment: { CALLS_FILE: path.join(dir, 'doomed.log') }, destinations: { onFailure: 'sink' } },
      sink: { handler: 'record.handler', environment: { CALLS_FILE: sinkCalls } },
    },
  };
  let redis: Redis;
  let hub: TestHub | undefined;

  beforeAll(() => { redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }); });
  afterAll(async () => {
    await hub?.stop();
    await redis?.quit();
  });

  it('is dead-lettered as Stalled and its on-failure destination gets the record', async () => {
    const queues = new EventQueues(redis, prefix, testConfig(raw).functions);
    const envelope = buildEnvelope({ source: 'triggerhub:invoke', type: ENVELOPE_TYPES.invoke, data: { n: 1 } });
    await queues.enqueue(envelope, newDelivery('doomed', 'Event'));
    await queues.close();
    // Four hubs take the event and die before finishing it: a worker that fetches it and never
    // renews its lock; the stalled check (BullMQ's, as every hub's worker runs it) puts it back.
    const dead = new Worker(queueName('doomed'), null, { connection: redis, prefix, lockDuration: 100, stalledInterval: 100, maxStalledCount: 3, autorun: false });
    const stalledCheck = () => (dead as unknown as { moveStalledJobsToWait(): Promise<void> }).moveStalledJobsToWait();
    for (let crash = 1; crash <= 4; crash++) {
      expect((await dead.getNextJob(`dead-hub-${crash}`, { block: false }))?.id).toBe(envelope.id);
      if (crash === 4) break; // this one is found by the live hub below
      await waitFor(async () => {
        await stalledCheck();
        return (await dead.client.then((client) => client.lpos(`${prefix}:${queueName('doomed')}:wait`, envelope.id))) !== null;
      }, 10_000, `stall ${crash} noticed`);
    }
    await dead.close();

    hub = await startTestHub(raw);
    const record = await waitFor(() => hub!.dlq.get(envelope.id).catch(() => undefined), 15_000, 'DLQ record');
    expect(record).toMatchObject({ reason: 'Stalled', function: 'doomed', envelope: { id: envelope.id, data: { n: 1 } } });
    const sent = await waitFor(() => readLines(sinkCalls).map((line) => JSON.parse(line) as DestinationRecord)[0], 15_000, 'on-failure record');
    expect(sent).toMatchObject({
      version: '1.0',
      requestContext: { requestId: envelope.id, condition: 'RetriesExhausted', functionArn: expect.stringMatching(/:function:doomed:\$LATEST$/) },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    });
    expect(sent.requestContext.approximateInvokeCount).toBeGreaterThanOrEqual(4);
    expect(readLines(path.join(dir, 'doomed.log'))).toEqual([]);
  });
});
