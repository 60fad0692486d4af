import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { events, kinesisCase, putRecords, startKinesalite, type Kinesalite } from './helpers/kinesalite.js';
import { dynamoDbLocalUnavailable, startDynamoDbLocal, type DynamoDbLocal } from './helpers/dynamodb-local.js';
import { dynamodbCase, putItems } from './fixtures/dynamodb/harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let k: Kinesalite;
let hub: TestHub | undefined;
beforeAll(async () => { k = await startKinesalite(); });
afterAll(async () => { await k.close(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

/** Every window's invocations in order: its state chain and its final invocation. */
function expectWindows(calls: Json[], total: number, eventSourceARN: string): void {
  const byWindow = new Map<string, Json[]>();
  for (const call of calls) byWindow.set(call.window.start, [...(byWindow.get(call.window.start) ?? []), call]);
  let seen = 0;
  for (const [start, list] of byWindow) {
    const final = list.at(-1);
    const invocations = list.slice(0, -1);
    expect(final).toMatchObject({ Records: [], isFinalInvokeForWindow: true, isWindowTerminatedEarly: false, eventSourceARN });
    let count = 0;
    for (const call of invocations) {
      expect(call).toMatchObject({ isFinalInvokeForWindow: false, isWindowTerminatedEarly: false, shardId: expect.any(String), eventSourceARN });
      expect(call.state).toEqual(count ? { count } : {});
      expect(Date.parse(call.window.end) - Date.parse(start)).toBe(2000);
      count += call.Records.length;
    }
    expect(final.state).toEqual({ count });
    seen += count;
  }
  expect(seen).toBe(total);
}

describe('tumbling windows (tumblingWindowInSeconds)', () => {
  it('kinesis: carries the state between invocations of a window, then makes its final invocation', async () => {
    const c = await kinesisCase(k);
    hub = await startTestHub({
      queuePrefix: c.prefix,
      functions: { agg: { handler: 'window-count.handler', environment: { CALLS_FILE: c.callsFile }, events: [{ kinesis: {
        stream: c.stream, startingPosition: 'TRIM_HORIZON', endpoint: k.endpoint, region: 'us-east-1', batchSize: 1, tumblingWindowInSeconds: 2,
      } }] } },
    });
    await putRecords(k, c, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await waitFor(() => events(c.callsFile).some((call) => call.isFinalInvokeForWindow && call.state.count > 0)
      && events(c.callsFile).filter((call) => !call.isFinalInvokeForWindow).length === 3
      && events(c.callsFile).at(-1).isFinalInvokeForWindow, 15_000, 'every window closed');
    expectWindows(events(c.callsFile), 3, `arn:aws:kinesis:us-east-1:000000000000:stream/${c.stream}`);
  });

  it.skipIf(dynamoDbLocalUnavailable())('dynamodb: the same, with DynamoDB Local', async () => {
    let d: DynamoDbLocal | undefined;
    try {
      d = await startDynamoDbLocal();
      const c = await dynamodbCase(d);
      hub = await startTestHub({
        queuePrefix: c.prefix,
        functions: { agg: { handler: 'window-count.handler', environment: { CALLS_FILE: c.callsFile }, events: [{ dynamodb: {
          stream: c.streamArn, startingPosition: 'TRIM_HORIZON', endpoint: d.endpoint, batchSize: 2, tumblingWindowInSeconds: 2,
        } }] } },
      });
      await putItems(d, c, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      const records = () => events(c.callsFile).reduce((sum, call) => sum + call.Records.length, 0);
      await waitFor(() => records() === 3 && events(c.callsFile).at(-1).isFinalInvokeForWindow, 20_000, 'every window closed');
      expectWindows(events(c.callsFile), 3, c.streamArn);
    } finally {
      await hub?.stop();
      hub = undefined;
      await d?.stop();
    }
  }, 60_000);

  it('refuses lanes with windows and windows outside 0-900 s', async () => {
    const c = await kinesisCase(k);
    const start = (extra: Record<string, unknown>) => startTestHub({ functions: { agg: { handler: 'window-count.handler', events: [{ kinesis: {
      stream: c.stream, startingPosition: 'LATEST', ...extra,
    } }] } } });
    await expect(start({ tumblingWindowInSeconds: 60, parallelizationFactor: 2 }))
      .rejects.toThrow('functions.agg.events[0].kinesis.parallelizationFactor: must be 1 with tumblingWindowInSeconds');
    await expect(start({ tumblingWindowInSeconds: 901 })).rejects.toThrow('kinesis.tumblingWindowInSeconds: must be between 0 and 900');
  });
});
