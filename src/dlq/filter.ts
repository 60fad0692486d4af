import { z } from 'zod';
import { formatIssues, unknownFieldError } from '../config/issues.js';
import { HubError } from '../errors.js';

/** Why an async event was given up on. */
export const DLQ_REASONS = ['RetriesExhausted', 'EventAgeExceeded', 'NonRetryableError', 'Stalled', 'DestinationFailed'] as const;
export type DlqReason = (typeof DLQ_REASONS)[number];

/** Which dead-letter records a list, redrive or purge covers. Times are epoch ms, both inclusive. */
export interface DlqFilter {
  function?: string;
  /** The envelope source, exact or a glob where `*` matches any run of characters (`arn:aws:sns:*`). */
  source?: string;
  reason?: DlqReason;
  since?: number;
  until?: number;
  limit?: number;
}

/** The filter fields as the CLI and the admin API take them (strings; `limit` may be a number). */
export type DlqFilterInput = Partial<Record<keyof DlqFilter, unknown>>;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+)([smhdw])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const TIME_RULE = 'must be an ISO date-time (2026-11-23T10:00:00Z) or a duration ago (30s, 15m, 2h, 1d, 1w)';

/** The furthest instant from 1970 a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

/**
 * `15m` → 15 minutes before `now`; an ISO date or date-time → that instant. Undefined when neither,
 * for a day the month does not have (`2026-02-31`, which Date.parse takes as 3 March) and for a
 * duration that reaches back past what a date can hold.
 */
export function parseTime(value: string, now = Date.now()): number | undefined {
  const duration = DURATION.exec(value);
  if (duration) {
    const ms = now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    return ms >= -MAX_DATE_MS ? ms : undefined;
  }
  if (!ISO_DATE.test(value)) return undefined;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function filterSchema(now: number) {
  const text = z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' });
  const time = text.transform((value, ctx) => {
    const ms = parseTime(value, now);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: TIME_RULE });
    return ms ?? 0;
  });
  return z.strictObject({
    function: text.optional(),
    source: text.optional(),
    reason: z.enum(DLQ_REASONS, { error: `must be one of ${DLQ_REASONS.join(', ')}` }).optional(),
    since: time.optional(),
    until: time.optional(),
    limit: z.coerce.number({ error: 'must be a positive integer' })
      .int({ error: 'must be a positive integer' })
      .positive({ error: 'must be a positive integer' })
      .optional(),
  }, { error: unknownFieldError }).refine((f) => f.since === undefined || f.until === undefined || f.since <= f.until, {
    error: 'must not be after until', path: ['since'],
  });
}

/**
 * The one filter parser of the CLI and the admin API: unset fields (undefined or '') are dropped;
 * a bad value throws TH_ERR_DLQ_REQUEST_INVALID naming the field and its rule.
 */
export function parseDlqFilter(input: DlqFilterInput, options: { now?: number; path?: string } = {}): DlqFilter {
  const now = options.now ?? Date.now();
  const path = options.path ? [options.path] : [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', `${path[0] ?? 'filter'}: must be an object`);
  }
  const present = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = filterSchema(now).safeParse(present);
  if (!parsed.success) {
    throw new HubError('TH_ERR_DLQ_REQUEST_INVALID', formatIssues(parsed.error.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] }))));
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as DlqFilter;
}

/** Whether a filter narrows anything (a redrive or purge without one needs `all`). */
export function isNarrowing(filter: DlqFilter): boolean {
  return Object.keys(filter).some((key) => key !== 'limit');
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** The record-field part of a filter (time and limit are applied by the store). */
export function recordMatcher(filter: DlqFilter): (record: { function: string; source: string; reason: string }) => boolean {
  const source = filter.source?.includes('*') ? globRegExp(filter.source) : undefined;
  return (record) =>
    (!filter.function || record.function === filter.function)
    && (!filter.reason || record.reason === filter.reason)
    && (!filter.source || (source ? source.test(record.source) : record.source === filter.source));
}
