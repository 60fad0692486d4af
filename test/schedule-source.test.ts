import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CATCH_UP_TICKS } from '../src/sources/schedule.js';
import { MAX_WAIT_MS } from '../src/sources/schedule/clock.js';
import { ManualClock, ScheduleCase } from './fixtures/schedule/harness.js';
import { waitFor } from './helpers/hub.js';

const T0 = Date.parse('2026-01-01T00:00:30Z');
const MINUTE = 60_000;
const at = (minutes: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + minutes * MINUTE).toISOString();
const EVERY_MINUTE = { expression: 'rate(1 minute)' };

let c: ScheduleCase;
afterEach(async () => { await c?.close(); });

describe('schedule source', () => {
  it('queues an EventBridge Scheduled Event per tick, with the scheduled time and the rule ARN', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    await c.start(EVERY_MINUTE, clock);
    await clock.advanceTo(T0 + 2 * MINUTE, 1);
    expect(c.times()).toEqual([at(1), at(2)]);
    const [{ envelope, delivery }] = c.queued;
    const event = EventBridgeSchema.parse(envelope.data);
    expect(event).toMatchObject({
      version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/tick-schedule-0'], detail: {},
    });
    expect(envelope.data).toMatchObject({ time: '2026-01-01T00:01:00Z' });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(envelope).toMatchObject({ source: 'arn:aws:events:us-east-1:000000000000:rule/tick-schedule-0', type: 'aws.events' });
    // The envelope id is the handler's request id: a UUID as on Lambda, one per tick, not the event's id.
    expect(envelope.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set([envelope.id, c.queued[1].envelope.id, event.id]).size).toBe(3);
    expect(delivery).toMatchObject({ function: 'tick', invocationType: 'Event' });
  });

  it('passes `input` instead of the Scheduled Event when given', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    await c.start({ ...EVERY_MINUTE, input: { job: 'report', n: [1, 2] } }, clock);
    await clock.advanceTo(T0 + MINUTE, 1);
    expect(c.queued.map((q) => q.envelope.data)).toEqual([{ job: 'report', n: [1, 2] }]);
  });

  it('fires each tick once across two schedulers sharing Redis', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    await c.start(EVERY_MINUTE, clock);
    await c.start(EVERY_MINUTE, clock);
    await clock.advanceTo(T0 + 5 * MINUTE, 2);
    expect(c.times()).toEqual([at(1), at(2), at(3), at(4), at(5)]);
  });

  it('fires each tick once when the schedulers clocks disagree by seconds', async () => {
    c = new ScheduleCase();
    const early = new ManualClock(T0);
    const late = new ManualClock(T0 - 3_000);
    await c.start(EVERY_MINUTE, early);
    await c.start(EVERY_MINUTE, late);
    for (let minute = 1; minute <= 3; minute++) {
      await early.advanceTo(T0 + minute * MINUTE, 1);
      await late.advanceTo(T0 + minute * MINUTE - 3_000, 1);
    }
    expect(c.times()).toEqual([at(1), at(2), at(3)]);
  });

  it('a hub that starts after a tick was fired does not fire it again', async () => {
    c = new ScheduleCase();
    const first = new ManualClock(T0);
    await c.start({ ...EVERY_MINUTE, catchUp: 'all' }, first);
    await first.advanceTo(T0 + MINUTE, 1);
    await c.start({ ...EVERY_MINUTE, catchUp: 'all' }, new ManualClock(T0 + MINUTE + 10_000));
    expect(c.times()).toEqual([at(1)]);
  });

  it('fires nothing for past ticks the first time a schedule starts', async () => {
    c = new ScheduleCase();
    await c.start({ ...EVERY_MINUTE, catchUp: 'all' }, new ManualClock(T0 + 30 * MINUTE));
    expect(c.queued).toEqual([]);
  });

  describe('restart after every hub was down for 10 ticks', () => {
    /** Runs one tick, stops, is down from 00:01:30 to 00:11:30, starts again and runs one more tick. */
    async function restart(catchUp: string): Promise<string[]> {
      c = new ScheduleCase();
      const clock = new ManualClock(T0);
      const before = await c.start({ ...EVERY_MINUTE, catchUp }, clock);
      await clock.advanceTo(T0 + MINUTE, 1);
      await before.stop();
      clock.set(T0 + 11 * MINUTE);
      await c.start({ ...EVERY_MINUTE, catchUp }, clock);
      await clock.advanceTo(T0 + 12 * MINUTE, 1); // the stopped scheduler left no timer
      return c.times();
    }

    it('catchUp none skips the missed ticks', async () => {
      expect(await restart('none')).toEqual([at(1), at(12)]);
    });

    it('catchUp last fires the most recent missed tick once', async () => {
      expect(await restart('last')).toEqual([at(1), at(11), at(12)]);
    });

    it('catchUp all fires every missed tick, oldest first', async () => {
      expect(await restart('all')).toEqual([at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9), at(10), at(11), at(12)]);
    });

    it(`catchUp all fires at most ${MAX_CATCH_UP_TICKS} missed ticks, the most recent ones`, async () => {
      c = new ScheduleCase();
      const clock = new ManualClock(T0);
      const before = await c.start({ ...EVERY_MINUTE, catchUp: 'all' }, clock);
      await before.stop();
      clock.set(T0 + 150 * MINUTE);
      await c.start({ ...EVERY_MINUTE, catchUp: 'all' }, clock);
      expect(c.queued).toHaveLength(MAX_CATCH_UP_TICKS);
      expect(c.times()[0]).toBe(at(51));
      expect(c.times().at(-1)).toBe(at(150));
    });

    it('two hubs restarting together still fire each missed tick once', async () => {
      c = new ScheduleCase();
      const clock = new ManualClock(T0);
      await (await c.start({ ...EVERY_MINUTE, catchUp: 'all' }, clock)).stop();
      clock.set(T0 + 5 * MINUTE);
      await Promise.all([c.start({ ...EVERY_MINUTE, catchUp: 'all' }, clock), c.start({ ...EVERY_MINUTE, catchUp: 'all' }, clock)]);
      expect(c.times().sort()).toEqual([at(1), at(2), at(3), at(4), at(5)]);
    });
  });

  it('retries queueing a tick with backoff until Redis takes it, as EventBridge retries delivery; the next tick is on time', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    await c.start(EVERY_MINUTE, clock);
    c.failures = 3;
    await clock.advanceTo(T0 + 30_000 + 6_999, 1); // tick at 1:00, tries after 1 s and 2 s fail
    expect(c.queued).toEqual([]);
    await clock.advanceTo(T0 + 30_000 + 7_000, 1); // and the one after 4 s more succeeds
    expect(c.times()).toEqual([at(1)]);
    await clock.advanceTo(T0 + 30_000 + MINUTE, 1);
    expect(c.times()).toEqual([at(1), at(2)]);
  });

  it('a tick still not queued when its scheduler stops is given back, and a restart with catchUp last fires it', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    const before = await c.start({ ...EVERY_MINUTE, catchUp: 'last' }, clock);
    c.failures = 1;
    await clock.advanceTo(T0 + 30_000, 1); // the tick at 1:00 fails; its retry would come after 1 s
    expect(c.queued).toEqual([]);
    await before.stop();
    await c.start({ ...EVERY_MINUTE, catchUp: 'last' }, clock);
    expect(c.times()).toEqual([at(1)]);
  });

  describe('a hub killed between claiming a tick and queueing it (kill -9)', () => {
    const LEASE_MS = 300;
    const lapse = () => new Promise((resolve) => setTimeout(resolve, LEASE_MS + 100));

    it('another hub fires the tick once the dead hub\'s lease lapses', async () => {
      c = new ScheduleCase();
      const clock = new ManualClock(T0);
      await c.start(EVERY_MINUTE, clock, LEASE_MS);
      await c.claimAndDie(Date.parse(at(1)), LEASE_MS);
      await clock.advanceTo(T0 + 30_000, 1); // 1:00: the tick is the dead hub's
      expect(c.queued).toEqual([]);
      await lapse();
      await clock.advanceTo(T0 + 30_000 + LEASE_MS + 1_000, 1); // its lease has ended (+ up to 1 s jitter)
      await waitFor(() => c.queued.length > 0, 5_000, 'the tick to be fired');
      expect(c.times()).toEqual([at(1)]);
      await clock.advanceTo(T0 + 90_000, 1);
      expect(c.times()).toEqual([at(1), at(2)]);
    });

    it('the hub restarted with catchUp none still fires it: it was claimed while a hub ran, not missed', async () => {
      c = new ScheduleCase();
      const clock = new ManualClock(T0);
      const before = await c.start({ ...EVERY_MINUTE, catchUp: 'none' }, clock, LEASE_MS);
      await before.stop();
      await c.claimAndDie(Date.parse(at(1)), LEASE_MS);
      clock.set(T0 + 40_000);
      await c.start({ ...EVERY_MINUTE, catchUp: 'none' }, clock, LEASE_MS);
      await lapse();
      await clock.advanceTo(T0 + 40_000 + LEASE_MS + 1_000, 1);
      await waitFor(() => c.queued.length > 0, 5_000, 'the tick to be fired');
      expect(c.times()).toEqual([at(1)]);
    });

    it('a tick another hub queued is not fired again, whatever its claim held (hubs before leases wrote their id)', async () => {
      c = new ScheduleCase();
      const clock = new ManualClock(T0);
      await c.redis.set(`${c.config.queuePrefix}:schedule:tick:0:tick:${Date.parse(at(1))}`, 'b1946ac9-2f6f-4b9e-9d0e-2a0f3c1d7e55', 'PX', 60_000);
      await c.start(EVERY_MINUTE, clock, LEASE_MS);
      await clock.advanceTo(T0 + 30_000, 1);
      expect(clock.armed).toBe(1); // the schedule's own timer, no watch
      await clock.advanceTo(T0 + 90_000, 1);
      expect(c.times()).toEqual([at(2)]);
    });
  });

  it('waits at most MAX_WAIT_MS at a time and still fires on the tick', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    await c.start({ expression: 'rate(1 day)' }, clock);
    await clock.advanceTo(T0 + MAX_WAIT_MS, 1);
    expect(c.queued).toEqual([]);
    await clock.advanceTo(Date.parse('2026-01-02T00:00:00Z'), 1);
    expect(c.times()).toEqual(['2026-01-02T00:00:00.000Z']);
  });

  it('does not run a disabled schedule', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    await c.start({ ...EVERY_MINUTE, enabled: false }, clock);
    expect(clock.armed).toBe(0);
  });

  it('stop() clears its timer and is idempotent', async () => {
    c = new ScheduleCase();
    const clock = new ManualClock(T0);
    const source = await c.start(EVERY_MINUTE, clock);
    expect(clock.armed).toBe(1);
    await source.stop();
    await source.stop();
    expect(clock.armed).toBe(0);
    await clock.advanceTo(T0 + 3 * MINUTE, 0);
    expect(c.queued).toEqual([]);
  });
});
