import { Cron, type CronOptions } from 'croner';

/**
 * Schedule expressions: EventBridge `rate(...)` and `cron(...)`, EventBridge Scheduler's one-time
 * `at(...)`, and plain 5- or 6-field cron.
 * A parsed expression answers "the next tick after t" and "the last tick at or before t" in epoch
 * ms; cron ticks are computed in the schedule's IANA time zone.
 *
 * Daylight saving time (cron only; rate is a fixed period): a local time the clocks skip
 * (spring forward) does not fire that day; a local time that occurs twice (fall back) fires once,
 * at its first occurrence. This is EventBridge Scheduler's documented behaviour.
 */
export interface TickSchedule {
  /** The first tick strictly after `t`, or null when there is none (a cron year in the past). */
  nextAfter(t: number): number | null;
  /** The last tick at or before `t`, or null. */
  atOrBefore(t: number): number | null;
}

/** An invalid expression; the message is the reason (the config error adds the field path). */
export class ExpressionError extends Error {}

const RATE = /^rate\((\d+) (minutes?|hours?|days?)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const EVENTBRIDGE_CRON = /^cron\((.*)\)$/;
/** Search bound for DST-skipped candidates: far more than any pattern needs. */
const MAX_CANDIDATES = 1000;

export function parseExpression(expression: string, timezone = 'UTC'): TickSchedule {
  const text = expression.trim();
  if (text.startsWith('rate(')) return rateSchedule(text);
  if (text.startsWith('at(')) return oneTimeSchedule(text, timezone);
  const eventBridge = EVENTBRIDGE_CRON.exec(text);
  if (eventBridge) return cronSchedule(eventBridgePattern(eventBridge[1]), { mode: '7-part', alternativeWeekdays: true, sloppyRanges: true }, timezone);
  const fields = text.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ExpressionError('must be rate(value unit), cron(minutes hours day-of-month month day-of-week year), at(yyyy-mm-ddThh:mm:ss), or a 5- or 6-field cron string');
  }
  return cronSchedule(text, { mode: fields.length === 5 ? '5-part' : '6-part' }, timezone);
}

/** `rate(5 minutes)`: ticks every period, aligned to the Unix epoch (so every hub agrees). */
function rateSchedule(text: string): TickSchedule {
  const match = RATE.exec(text);
  if (!match) throw new ExpressionError('rate must be rate(value unit) with unit minute(s), hour(s) or day(s), e.g. rate(5 minutes)');
  const value = Number(match[1]);
  const unit = match[2].replace(/s$/, '');
  if (value < 1) throw new ExpressionError('rate value must be a positive whole number');
  if (value === 1 && match[2] !== unit) throw new ExpressionError(`rate value 1 requires the singular unit: rate(1 ${unit})`);
  if (value > 1 && match[2] === unit) throw new ExpressionError(`rate value ${value} requires the plural unit: rate(${value} ${unit}s)`);
  const period = value * UNIT_MS[unit];
  return {
    nextAfter: (t) => (Math.floor(t / period) + 1) * period,
    atOrBefore: (t) => Math.floor(t / period) * period,
  };
}

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

/** EventBridge Scheduler's one-time `at(2026-03-11T10:21:00)`: one tick, that local time in the schedule's zone. */
function oneTimeSchedule(text: string, timezone: string): TickSchedule {
  const match = AT.exec(text);
  if (!match) throw new ExpressionError('at must be at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-03-11T10:21:00)');
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new ExpressionError(`at: ${text.slice(3, -1)} is not a valid date and time`);
  }
  // The instant whose local time in the zone is `wall` (the offset read twice: once near it, once at it).
  const offsets = new OffsetCache(timezone);
  const tick = wall - offsets.at(wall - offsets.at(wall));
  return {
    nextAfter: (t) => (tick > t ? tick : null),
    atOrBefore: (t) => (tick <= t ? tick : null),
  };
}

/** EventBridge's six fields to croner's seven (seconds first; day-of-week 1-7 = SUN-SAT). */
function eventBridgePattern(body: string): string {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new ExpressionError(`cron must have 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [minutes, hours, dom, month, dow, year] = fields;
  if (dom === '?' && dow === '?') throw new ExpressionError('cron day-of-month and day-of-week cannot both be ?; set one of them');
  if (dom !== '?' && dow !== '?') throw new ExpressionError('cron day-of-month and day-of-week cannot both be set; use ? in one');
  if (/[?]/.test(`${minutes}${hours}${month}${year}`)) throw new ExpressionError('cron ? is allowed only in day-of-month or day-of-week');
  return [
    '0', cronField(MINUTES, minutes), cronField(HOURS, hours), dom === '?' ? '*' : cronField(DAY_OF_MONTH, dom),
    cronField(MONTH, month), dow === '?' ? '*' : cronField(DAY_OF_WEEK, dow), cronField(YEAR, year),
  ].join(' ');
}

/**
 * One field of EventBridge's cron reference: its values and whether it takes `/`. The fields are
 * checked here, before croner, so an error quotes what the user wrote (croner reports its own
 * shifted values: day-of-week 0 as -1, month 13 as 12) and croner's wider syntax (weekday 0 and 8,
 * any year) does not slip through.
 */
interface CronField {
  /** As the AWS docs name it. */
  name: string;
  min: number;
  max: number;
  /** Names of min, min + 1, ... (JAN-DEC, SUN-SAT). */
  names?: string[];
  steps: boolean;
}

const MINUTES: CronField = { name: 'minutes', min: 0, max: 59, steps: true };
const HOURS: CronField = { name: 'hours', min: 0, max: 23, steps: true };
const DAY_OF_MONTH: CronField = { name: 'day-of-month', min: 1, max: 31, steps: true };
const MONTH: CronField = { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], steps: true };
const DAY_OF_WEEK: CronField = { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], steps: false };
const YEAR: CronField = { name: 'year', min: 1970, max: 2199, steps: true };

/** `1-7 (or SUN-SAT)`: the values a field takes, for error messages. */
function valuesOf(field: CronField): string {
  const names = field.names ? ` (or ${field.names[0]}-${field.names[field.names.length - 1]})` : '';
  return `${field.min}-${field.max}${names}`;
}

/** A field checked and rewritten for croner: names become numbers (AWS reads them in any case). */
function cronField(field: CronField, text: string): string {
  const items = text.toUpperCase().split(',');
  // AWS: "3#1,6#3" is invalid, "because it is interpreted as two expressions" (croner ran both).
  if (field === DAY_OF_WEEK && items.length > 1 && items.some((item) => item.includes('#'))) {
    throw new ExpressionError(`cron ${field.name} ${text}: # must be the field's only expression (AWS reads 3#1,6#3 as two); use one schedule per weekday`);
  }
  return items.map((item) => cronItem(field, item)).join(',');
}

/** One list item: `*`, a value, a range, either with `/increment`, or a day field's L, W or #. */
function cronItem(field: CronField, item: string): string {
  const special = field === DAY_OF_MONTH ? dayOfMonthSpecial(item) : field === DAY_OF_WEEK ? dayOfWeekSpecial(item) : undefined;
  if (special !== undefined) return special;
  const [base, step, extra] = item.split('/');
  if (extra !== undefined) throw new ExpressionError(`cron ${field.name} ${item} has more than one /`);
  const range = base === '*' ? '*' : cronRange(field, base);
  if (step === undefined) return range;
  // AWS lists no / among day-of-week's wildcards (, - * ? L #); croner would take 1-7/2.
  if (!field.steps) throw new ExpressionError(`cron ${field.name} ${item}: / (increments) is not allowed in ${field.name}; list the days (1,3,5,7)`);
  const span = field.max - field.min + 1;
  if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > span) {
    throw new ExpressionError(`cron ${field.name} ${item}: the increment after / must be a whole number from 1 to ${span}`);
  }
  // Spelled out to the field's end: croner's years run past 2199 (`1970/230` would fire in 2200).
  const [from, to = field.max] = range === '*' ? [field.min] : range.split('-');
  return `${from}-${to}/${Number(step)}`;
}

/** `5` or `MON-FRI` as numbers; a range must run upwards (croner, like AWS's docs, has no wrap-around). */
function cronRange(field: CronField, text: string): string {
  const [from, to, extra] = text.split('-');
  if (extra !== undefined || from === '' || to === '') throw new ExpressionError(`cron ${field.name} '${text}' is not a value or a range of ${valuesOf(field)}`);
  const low = cronValue(field, from);
  if (to === undefined) return String(low);
  const high = cronValue(field, to);
  if (high < low) throw new ExpressionError(`cron ${field.name} range ${text} runs backwards: its first value must not be after its last`);
  return `${low}-${high}`;
}

function cronValue(field: CronField, text: string): number {
  const named = field.names?.indexOf(text) ?? -1;
  if (named >= 0) return field.min + named;
  if (!/^\d+$/.test(text)) throw new ExpressionError(`cron ${field.name} '${text}' is not ${valuesOf(field)}`);
  const value = Number(text);
  if (value < field.min || value > field.max) throw new ExpressionError(`cron ${field.name} ${text} is out of range ${valuesOf(field)}`);
  return value;
}

/** Day-of-month `L` (the last day), `3W` (the weekday nearest the 3rd) and `LW`; undefined for other items. */
function dayOfMonthSpecial(item: string): string | undefined {
  if (item === 'L' || item === 'LW') return item;
  const weekday = /^(\d+)W$/.exec(item);
  return weekday ? `${cronValue(DAY_OF_MONTH, weekday[1])}W` : undefined;
}

/**
 * Day-of-week `L`, `6L` (the last Friday of the month) and `3#2` (its second Tuesday); undefined
 * for other items. `L` alone is AWS's "last day of the week": 7, Saturday (croner has no such L).
 */
function dayOfWeekSpecial(item: string): string | undefined {
  if (item === 'L') return '7';
  const last = /^(\w+)L$/.exec(item);
  if (last) return `${cronValue(DAY_OF_WEEK, last[1])}L`;
  const nth = /^(\w+)#(\w*)$/.exec(item);
  if (!nth) return undefined;
  if (!/^[1-5]$/.test(nth[2])) throw new ExpressionError(`cron day-of-week ${item}: the number after # must be 1-5 (which of the month's such weekdays)`);
  return `${cronValue(DAY_OF_WEEK, nth[1])}#${nth[2]}`;
}

function cronSchedule(pattern: string, options: CronOptions, timezone: string): TickSchedule {
  let zoned: Cron;
  let wall: Cron;
  try {
    zoned = new Cron(pattern, { ...options, timezone, paused: true });
    // The same pattern read on a UTC "wall clock": tells a real local match from a DST-shifted one.
    wall = new Cron(pattern, { ...options, timezone: 'UTC', paused: true });
  } catch (err) {
    throw new ExpressionError(`invalid cron expression: ${(err as Error).message}`);
  }
  const offsets = new OffsetCache(timezone);
  const isRealTick = (t: number): boolean => {
    const local = t + offsets.at(t);
    if (wall.nextRun(new Date(local - 1000))?.getTime() !== local) return false; // skipped by spring forward
    const shift = offsets.at(t - 3 * 3_600_000) - offsets.at(t);
    return !(shift > 0 && t - shift + offsets.at(t - shift) === local); // second pass of a fall-back hour
  };
  const search = (from: number, step: (d: Date) => Date | null): number | null => {
    let cursor = new Date(from);
    for (let i = 0; i < MAX_CANDIDATES; i++) {
      const candidate = step(cursor);
      if (!candidate) return null;
      if (isRealTick(candidate.getTime())) return candidate.getTime();
      cursor = candidate;
    }
    return null;
  };
  return {
    nextAfter: (t) => search(t, (d) => zoned.nextRun(d)),
    atOrBefore: (t) => search(t + 1, (d) => zoned.previousRuns(1, d)[0] ?? null),
  };
}

/** UTC offsets (ms) of one IANA zone, through Intl. */
class OffsetCache {
  private readonly format: Intl.DateTimeFormat;

  constructor(timezone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  at(t: number): number {
    const parts = Object.fromEntries(this.format.formatToParts(new Date(t)).map((p) => [p.type, Number(p.value)]));
    const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return local - Math.floor(t / 1000) * 1000;
  }
}

/** Whether `timezone` is an IANA zone name the runtime knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The ticks in (after, until], oldest first, at most `limit` (the most recent ones); `dropped`
 * says whether older ones were left out.
 */
export function ticksBetween(schedule: TickSchedule, after: number, until: number, limit: number): { ticks: number[]; dropped: boolean } {
  const ticks: number[] = [];
  let cursor = schedule.atOrBefore(until);
  while (cursor !== null && cursor > after) {
    if (ticks.length === limit) return { ticks: ticks.reverse(), dropped: true };
    ticks.push(cursor);
    cursor = schedule.atOrBefore(cursor - 1);
  }
  return { ticks: ticks.reverse(), dropped: false };
}

/** `2026-03-09T03:30:00-04:00`: a tick as local time in `timezone`, with its UTC offset. */
export function localIso(t: number, timezone: string): string {
  const offset = new OffsetCache(timezone).at(t);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${new Date(t + offset).toISOString().slice(0, 19)}${zone}`;
}
