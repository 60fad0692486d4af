import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DestinationRecord } from '../src/router/destinations.js';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { SnsFixture } from './helpers/sns-fixture.js';

const OK_TOPIC = 'arn:aws:sns:us-east-1:123456789012:fanout-ok';
const FAIL_TOPIC = 'arn:aws:sns:us-east-1:123456789012:fanout-fail';

/**
 * One SNS message delivered to two subscribed functions is two invocations, as on Lambda: each has
 * its own request id, its own DLQ record and its own destination records.
 */
describe('one SNS message fanned out to two functions', () => {
  let hub: TestHub;
  let sns: SnsFixture;
  let redis: Redis;
  const dir = tempDir();
  const sinkCalls = path.join(dir, 'sink.log');
  const failCalls = path.join(dir, 'fail.log');
  const stream = `fanout-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    sns = await SnsFixture.start();
    const trust = { trustedCertHosts: [sns.host], allowHttp: true };
    const ok = (name: string) => ({
      handler: 'slow.handler', destinations: { onSuccess: 'sink' }, events: [{ sns: { topic: OK_TOPIC, path: `/sns/${name}`, ...trust } }],
    });
    const failing = (name: string) => ({
      handler: 'fail.handler', maximumRetryAttempts: 0, environment: { CALLS_FILE: failCalls },
      destinations: { onFailure: `redis-stream:${stream}` }, events: [{ sns: { topic: FAIL_TOPIC, path: `/sns/${name}`, ...trust } }],
    });
    hub = await startTestHub({
      functions: {
        email: ok('email'), analytics: ok('analytics'), left: failing('left'), right: failing('right'),
        sink: { handler: 'record.handler', environment: { CALLS_FILE: sinkCalls } },
      },
    });
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await hub?.stop();
    await sns?.stop();
    await redis?.quit();
  });

  it('sends each function\'s on-success record', async () => {
    const message = sns.notification({ topicArn: OK_TOPIC });
    for (const fn of ['email', 'analytics']) expect((await sns.post(`${hub.url}/sns/${fn}`, message)).status).toBe(200);
    const records = await waitFor(() => {
      const lines = readLines(sinkCalls).map((line) => JSON.parse(line) as DestinationRecord);
      return lines.length >= 2 && lines;
    }, 15_000, 'two on-success records');
    expect(records.map((r) => r.requestContext.functionArn.split(':')[6]).sort()).toEqual(['analytics', 'email']);
    const requestIds = records.map((r) => r.requestContext.requestId);
    expect(new Set(requestIds).size).toBe(2);
    // The request id in the record is the one the handler saw.
    for (const record of records) expect((record.responsePayload as { requestId: string }).requestId).toBe(record.requestContext.requestId);
  });

  it('keeps a DLQ record and sends an on-failure record for each function that failed', async () => {
    const message = sns.notification({ topicArn: FAIL_TOPIC, message: 'poison' });
    for (const fn of ['left', 'right']) expect((await sns.post(`${hub.url}/sns/${fn}`, message)).status).toBe(200);
    await waitFor(async () => (await redis.xlen(stream)) >= 2, 15_000, 'two on-failure records');
    const records = (await redis.xrange(stream, '-', '+')).map(([, fields]) => JSON.parse(fields[fields.indexOf('record') + 1]) as DestinationRecord);
    expect(records.map((r) => r.requestContext.functionArn.split(':')[6]).sort()).toEqual(['left', 'right']);
    const dead = await waitFor(async () => {
      const list = await hub.dlq.list({ source: FAIL_TOPIC });
      return list.length >= 2 && list;
    }, 15_000, 'two DLQ records');
    expect(dead.map((r) => r.function).sort()).toEqual(['left', 'right']);
    expect(dead.every((r) => r.envelope.data && (r.envelope.data as { Records: { Sns: { MessageId: string } }[] }).Records[0].Sns.MessageId === message.MessageId)).toBe(true);
    expect(new Set(readLines(failCalls)).size).toBe(2);
  });
});
