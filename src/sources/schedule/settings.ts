import { z } from 'zod';
import { ExpressionError, isTimeZone, parseExpression } from './expression.js';
import { unknownFieldError } from '../../config/issues.js';

/**
 * Settings of a `schedule` event source mapping. The expression is parsed here, at start-up, so
 * a bad one is a config error naming `...schedule.expression` and the reason.
 */
export const CATCH_UP_POLICIES = ['none', 'last', 'all'] as const;

export const scheduleSettingsSchema = z.strictObject({
  expression: z.string({ error: 'is required: rate(5 minutes), cron(0 12 * * ? *) or a 5- or 6-field cron string' }),
  timezone: z.string().default('UTC'),
  enabled: z.boolean().default(true),
  input: z.json().optional(),
  catchUp: z.enum(CATCH_UP_POLICIES, { error: `must be one of ${CATCH_UP_POLICIES.join(', ')}` }).default('none'),
}, {
  error: unknownFieldError,
}).superRefine((settings, ctx) => {
  if (!isTimeZone(settings.timezone)) {
    ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown IANA time zone "${settings.timezone}" (e.g. UTC, Europe/Berlin)` });
    return;
  }
  try {
    parseExpression(settings.expression, settings.timezone);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['expression'], message: err.message });
  }
});

export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>;
