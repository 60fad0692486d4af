import { describe, expect, it } from 'vitest';
import { scheduleSettingsSchema } from '../src/sources/schedule/settings.js';
import { localIso, parseExpression, ticksBetween } from '../src/sources/schedule/expression.js';
import { buildConfig } from '../src/config/load.js';
import { isHubError } from '../src/errors.js';
import { FIXTURES } from './helpers/paths.js';

/** The next `n` ticks after `from`, as UTC ISO strings. */
function next(expression: string, from: string, n = 3, timezone = 'UTC'): string[] {
  const schedule = parseExpression(expression, timezone);
  const out: string[] = [];
  for (let t = schedule.nextAfter(Date.parse(from)); t !== null && out.length < n; t = schedule.nextAfter(t)) out.push(new Date(t).toISOString());
  return out;
}

describe('schedule expressions', () => {
  it('rate ticks are aligned to the epoch, so every hub computes the same ones', () => {
    expect(next('rate(5 minutes)', '2026-01-01T10:02:31Z')).toEqual(['2026-01-01T10:05:00.000Z', '2026-01-01T10:10:00.000Z', '2026-01-01T10:15:00.000Z']);
    expect(next('rate(1 hour)', '2026-01-01T10:00:00Z', 2)).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
    expect(next('rate(1 day)', '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(next('rate(1 minute)', '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-01T10:01:00.000Z']);
  });

  it('EventBridge cron: ?, names, ranges, lists and steps', () => {
    expect(next('cron(0 12 ? * MON-FRI *)', '2026-01-02T13:00:00Z')).toEqual(['2026-01-05T12:00:00.000Z', '2026-01-06T12:00:00.000Z', '2026-01-07T12:00:00.000Z']);
    // day-of-week is 1-7 = SUN-SAT
    expect(next('cron(0 12 ? * 1 *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-04T12:00:00.000Z']);
    expect(next('cron(0 12 ? * 2-6 *)', '2026-01-02T13:00:00Z', 1)).toEqual(['2026-01-05T12:00:00.000Z']);
    expect(next('cron(0/15 8 1 JAN,MAR ? *)', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-01T08:00:00.000Z', '2026-01-01T08:15:00.000Z', '2026-01-01T08:30:00.000Z', '2026-01-01T08:45:00.000Z', '2026-03-01T08:00:00.000Z',
    ]);
  });

  it('EventBridge cron: L, W, # and years', () => {
    expect(next('cron(0 12 L * ? *)', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z']);
    // the weekday nearest the 15th: 2026-02-15 is a Sunday, so Monday the 16th
    expect(next('cron(0 12 15W * ? *)', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-16T12:00:00.000Z']);
    // the third Friday (6 = FRI)
    expect(next('cron(0 12 ? * 6#3 *)', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-16T12:00:00.000Z', '2026-02-20T12:00:00.000Z']);
    // L alone in day-of-week: the last day of the week, 7 = SAT (2026-01-01 is a Thursday)
    expect(next('cron(0 12 ? * L *)', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-03T12:00:00.000Z', '2026-01-10T12:00:00.000Z']);
    // the last Friday of the month
    expect(next('cron(0 12 ? * 6L *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-30T12:00:00.000Z']);
    expect(next('cron(0 12 1 JAN ? 2027-2028)', '2026-01-01T00:00:00Z', 3)).toEqual(['2027-01-01T12:00:00.000Z', '2028-01-01T12:00:00.000Z']);
    expect(next('cron(0 12 1 JAN ? 2025)', '2026-01-01T00:00:00Z')).toEqual([]);
    // years end at 2199, also for increments (croner's own years run on)
    expect(next('cron(0 12 1 JAN ? 2190/5)', '2189-01-01T00:00:00Z')).toEqual(['2190-01-01T12:00:00.000Z', '2195-01-01T12:00:00.000Z']);
  });

  it('EventBridge cron: month and weekday names in any case, as AWS reads them', () => {
    expect(next('cron(0 12 ? jan mon-fri *)', '2026-01-02T13:00:00Z', 1)).toEqual(['2026-01-05T12:00:00.000Z']);
  });

  it('plain 5- and 6-field cron strings keep standard cron semantics', () => {
    // day-of-month and day-of-week both restricted: either matches (Vixie cron)
    expect(next('0 0 1 * 1', '2026-01-27T00:00:00Z', 2)).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
    expect(next('0 9 * * 0', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-04T09:00:00.000Z']);
    expect(next('*/20 * * * * *', '2026-01-01T00:00:00Z')).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z']);
  });

  it('computes cron in the schedule time zone', () => {
    expect(next('cron(0 9 * * ? *)', '2026-01-01T00:00:00Z', 1, 'Europe/Berlin')).toEqual(['2026-01-01T08:00:00.000Z']);
    expect(localIso(Date.parse('2026-07-01T07:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T09:00:00+02:00');
  });

  it('EventBridge Scheduler one-time at(): one tick, at that local time in the schedule time zone', () => {
    expect(next('at(2027-03-11T10:21:00)', '2027-01-01T00:00:00Z')).toEqual(['2027-03-11T10:21:00.000Z']);
    expect(next('at(2027-07-01T09:00:00)', '2027-01-01T00:00:00Z', 3, 'Europe/Berlin')).toEqual(['2027-07-01T07:00:00.000Z']);
    expect(next('at(2027-01-15T09:00:00)', '2027-01-01T00:00:00Z', 3, 'America/New_York')).toEqual(['2027-01-15T14:00:00.000Z']);
    const once = parseExpression('at(2027-03-11T10:21:00)');
    expect(once.nextAfter(Date.parse('2027-03-11T10:21:00Z'))).toBeNull();
    expect(once.atOrBefore(Date.parse('2027-03-12T00:00:00Z'))).toBe(Date.parse('2027-03-11T10:21:00Z'));
    expect(once.atOrBefore(Date.parse('2027-03-11T10:20:59Z'))).toBeNull();
    expect(() => parseExpression('at(2027-02-30T10:00:00)')).toThrow(/2027-02-30T10:00:00 is not a valid date and time/);
    expect(() => parseExpression('at(tomorrow)')).toThrow(/at must be at\(yyyy-mm-ddThh:mm:ss\)/);
  });

  it('DST spring forward: a local time the clocks skip does not fire that day', () => {
    // America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT
    expect(next('cron(30 2 * * ? *)', '2026-03-07T00:00:00Z', 3, 'America/New_York')).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
    // Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST
    expect(next('30 2 * * *', '2026-03-28T00:00:00Z', 2, 'Europe/Berlin')).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    // times around the gap are unaffected
    expect(next('cron(0 * * * ? *)', '2026-03-08T05:30:00Z', 3, 'America/New_York')).toEqual(['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']);
  });

  it('DST fall back: a local time that occurs twice fires once, at its first occurrence', () => {
    // America/New_York: 2026-11-01 02:00 EDT -> 01:00 EST; 01:30 happens at 05:30Z and 06:30Z
    expect(next('cron(30 1 * * ? *)', '2026-10-31T12:00:00Z', 2, 'America/New_York')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(next('cron(0/30 * * * ? *)', '2026-11-01T04:45:00Z', 4, 'America/New_York')).toEqual([
      '2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T07:30:00.000Z',
    ]);
    // Europe/Berlin: 2026-10-25 03:00 CEST -> 02:00 CET; 02:30 happens at 00:30Z and 01:30Z
    expect(next('30 2 * * *', '2026-10-24T12:00:00Z', 2, 'Europe/Berlin')).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('lists missed ticks oldest first, keeping the most recent when bounded', () => {
    const schedule = parseExpression('rate(1 minute)');
    const start = Date.parse('2026-01-01T00:00:00Z');
    expect(ticksBetween(schedule, start, start + 3 * 60_000, 10)).toEqual({ ticks: [start + 60_000, start + 120_000, start + 180_000], dropped: false });
    expect(ticksBetween(schedule, start, start + 300 * 60_000, 2)).toEqual({ ticks: [start + 299 * 60_000, start + 300 * 60_000], dropped: true });
    expect(ticksBetween(parseExpression('cron(0 12 L * ? *)'), start, Date.parse('2026-03-31T12:00:00Z'), 10).ticks.map((t) => new Date(t).toISOString()))
      .toEqual(['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z']);
  });
});

describe('schedule settings', () => {
  it('defaults timezone, enabled and catchUp', () => {
    expect(scheduleSettingsSchema.parse({ expression: 'rate(5 minutes)' })).toEqual({ expression: 'rate(5 minutes)', timezone: 'UTC', enabled: true, catchUp: 'none' });
  });

  it.each([
    ['cron(0 12 1 * MON *)', 'cron day-of-month and day-of-week cannot both be set; use ? in one'],
    ['cron(0 12 ? * ? *)', 'cron day-of-month and day-of-week cannot both be ?; set one of them'],
    ['cron(0 12 * * ?)', 'cron must have 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['cron(0 25 ? * * *)', 'cron hours 25 is out of range 0-23'],
    // each field's values, as the EventBridge cron reference lists them, quoted as written
    ['cron(60 10 * * ? *)', 'cron minutes 60 is out of range 0-59'],
    ['cron(0 10 32 * ? *)', 'cron day-of-month 32 is out of range 1-31'],
    ['cron(0 10 ? 13 * *)', 'cron month 13 is out of range 1-12 (or JAN-DEC)'],
    ['cron(0 10 ? * 8 *)', 'cron day-of-week 8 is out of range 1-7 (or SUN-SAT)'],
    ['cron(0 10 ? * 0 *)', 'cron day-of-week 0 is out of range 1-7 (or SUN-SAT)'],
    ['cron(0 10 ? * MON,8 *)', 'cron day-of-week 8 is out of range 1-7 (or SUN-SAT)'],
    ['cron(0 0 1 1 ? 1969)', 'cron year 1969 is out of range 1970-2199'],
    ['cron(0 0 1 1 ? 2026-2200)', 'cron year 2200 is out of range 1970-2199'],
    ['cron(0 10 ? * FOO *)', "cron day-of-week 'FOO' is not 1-7 (or SUN-SAT)"],
    ['cron(0 10 ? * FRI-MON *)', 'cron day-of-week range FRI-MON runs backwards: its first value must not be after its last'],
    ['cron(0/0 10 * * ? *)', 'cron minutes 0/0: the increment after / must be a whole number from 1 to 60'],
    ['cron(0 10 ? * 6#6 *)', 'cron day-of-week 6#6: the number after # must be 1-5'],
    ['cron(0 10 ? * 1-7/2 *)', 'cron day-of-week 1-7/2: / (increments) is not allowed in day-of-week; list the days (1,3,5,7)'],
    ['cron(0 10 ? * 5/3 *)', 'cron day-of-week 5/3: / (increments) is not allowed in day-of-week'],
    ['cron(0 10 ? * 3#1,6#3 *)', 'cron day-of-week 3#1,6#3: # must be the field\'s only expression (AWS reads 3#1,6#3 as two); use one schedule per weekday'],
    ['cron(0 10 ? * 2,6#3 *)', 'cron day-of-week 2,6#3: # must be the field\'s only expression'],
    ['cron(0 10- * * ? *)', "cron hours '10-' is not a value or a range of 0-23"],
    ['cron(0 10 1,,2 * ? *)', "cron day-of-month '' is not a value or a range of 1-31"],
    ['cron(0 10 0W * ? *)', 'cron day-of-month 0 is out of range 1-31'],
    ['rate(1 minutes)', 'rate value 1 requires the singular unit: rate(1 minute)'],
    ['rate(5 minute)', 'rate value 5 requires the plural unit: rate(5 minutes)'],
    ['rate(0 minutes)', 'rate value must be a positive whole number'],
    ['rate(5 weeks)', 'rate must be rate(value unit)'],
    ['every day', 'must be rate(value unit), cron('],
  ])('rejects %s naming the field and the reason', (expression, reason) => {
    let error: unknown;
    try {
      buildConfig({ functions: { f: { handler: 'noop.handler', events: [{ schedule: { expression } }] } } }, { baseDir: FIXTURES });
    } catch (err) {
      error = err;
    }
    expect(isHubError(error) && error.code).toBe('TH_ERR_CONFIG_INVALID');
    expect((error as Error).message).toContain(`functions.f.events[0].schedule.expression: ${reason}`);
  });

  it('rejects an unknown time zone and unknown fields', () => {
    const issues = scheduleSettingsSchema.safeParse({ expression: 'rate(1 day)', timezone: 'Mars/Olympus', every: 1 }).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual(expect.arrayContaining([
      ['', 'unknown field "every"'],
    ]));
    const zone = scheduleSettingsSchema.safeParse({ expression: 'rate(1 day)', timezone: 'Mars/Olympus' }).error?.issues ?? [];
    expect(zone.map((i) => [i.path.join('.'), i.message])).toEqual([['timezone', 'unknown IANA time zone "Mars/Olympus" (e.g. UTC, Europe/Berlin)']]);
  });
});
