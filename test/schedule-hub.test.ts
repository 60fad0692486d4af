import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

let hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.map((hub) => hub.stop()));
  hubs = [];
});

describe('schedule source in running hubs', () => {
  it('two hubs on one Redis invoke the handler once per tick, asynchronously, with a Scheduled Event', async () => {
    const calls = path.join(tempDir('schedule-hub'), 'calls.jsonl');
    const raw = {
      queuePrefix: `sched-${randomUUID().slice(0, 8)}`,
      functions: {
        ticker: {
          handler: 'record.handler',
          environment: { CALLS_FILE: calls },
          events: [{ schedule: { expression: '* * * * * *' } }], // every second (6-field cron)
        },
      },
    };
    hubs = await Promise.all([startTestHub(raw), startTestHub(raw)]);
    await waitFor(() => readLines(calls).length >= 3, 10_000, 'three ticks');
    await Promise.all(hubs.map((hub) => hub.stop()));
    hubs = [];
    const events = readLines(calls).map((line) => JSON.parse(line) as { time: string });
    const times = events.map((e) => e.time);
    expect(new Set(times).size).toBe(times.length);
    for (const event of events) {
      expect(EventBridgeSchema.parse(event)).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', resources: ['arn:aws:events:us-east-1:000000000000:rule/ticker-schedule-0'] });
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it("a hub in a China region names the rule in the aws-cn partition, in the event's resources", async () => {
    const calls = path.join(tempDir('schedule-hub'), 'calls.jsonl');
    hubs = [await startTestHub({
      region: 'cn-north-1',
      accountId: '123456789012',
      queuePrefix: `sched-${randomUUID().slice(0, 8)}`,
      functions: { ticker: { handler: 'record.handler', environment: { CALLS_FILE: calls }, events: [{ schedule: { expression: '* * * * * *' } }] } },
    })];
    await waitFor(() => readLines(calls).length >= 1, 10_000, 'a tick');
    expect(EventBridgeSchema.parse(JSON.parse(readLines(calls)[0]))).toMatchObject({
      region: 'cn-north-1', account: '123456789012', resources: ['arn:aws-cn:events:cn-north-1:123456789012:rule/ticker-schedule-0'],
    });
  });
});
