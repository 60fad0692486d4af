import { z } from 'zod';
import { streamFilterCriteriaSchema } from '../../filters/criteria.js';
import { unknownFieldError } from '../../config/issues.js';
import { destinationSchema } from '../../destinations/targets.js';
import { functionResponseTypesSchema, intBetween, unlimitedOr } from '../kit/settings.js';

/**
 * Settings of a `stream` (Redis Streams) event source mapping: Lambda's Kinesis mapping settings
 * with their ranges and defaults, plus the Redis consumer group. Validated once at start-up.
 */


export const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;

export const streamSettingsSchema = z.strictObject({
  key: z.string({ error: 'is required: the stream key' }).min(1, { error: 'must not be empty' }),
  group: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  startingPosition: z.enum(STARTING_POSITIONS, { error: `is required: one of ${STARTING_POSITIONS.join(', ')}` }),
  /** Unix time in seconds (as Lambda's StartingPositionTimestamp), for AT_TIMESTAMP. */
  startingPositionTimestamp: z.number({ error: 'must be a Unix time in seconds' }).nonnegative({ error: 'must be a Unix time in seconds' }).optional(),
  batchSize: intBetween(1, 10_000).default(100),
  maximumBatchingWindowInSeconds: intBetween(0, 300).default(0),
  bisectBatchOnFunctionError: z.boolean({ error: 'must be true or false' }).default(false),
  maximumRetryAttempts: unlimitedOr(0, 10_000).default(-1),
  maximumRecordAgeInSeconds: unlimitedOr(60, 604_800).default(-1),
  functionResponseTypes: functionResponseTypesSchema,
  destinations: z.strictObject({ onFailure: destinationSchema.optional() }, { error: unknownFieldError }).default({}),
  filterCriteria: streamFilterCriteriaSchema.optional(),
  /** The stream's Redis; default the hub's own. */
  redis: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' }).optional(),
  /** Entries pending this long with another consumer of the group (a dead hub) are claimed. */
  claimIdleSeconds: z.number({ error: 'must be a number' }).min(0.1, { error: 'must be between 0.1 and 86400' })
    .max(86_400, { error: 'must be between 0.1 and 86400' }).default(60),
}, {
  error: unknownFieldError,
}).superRefine(checkStartingPosition);

/** `startingPositionTimestamp` goes with AT_TIMESTAMP and only with it (Redis Streams and Kinesis). */
export function checkStartingPosition(
  settings: { startingPosition: string; startingPositionTimestamp?: number },
  ctx: z.RefinementCtx,
): void {
  const atTimestamp = settings.startingPosition === 'AT_TIMESTAMP';
  if (atTimestamp && settings.startingPositionTimestamp === undefined) {
    ctx.addIssue({ code: 'custom', path: ['startingPositionTimestamp'], message: 'is required with startingPosition AT_TIMESTAMP' });
  }
  if (!atTimestamp && settings.startingPositionTimestamp !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['startingPositionTimestamp'], message: 'is only valid with startingPosition AT_TIMESTAMP' });
  }
}

export type StreamSettings = z.infer<typeof streamSettingsSchema>;

/** The id the consumer group starts after when the mapping creates it. */
export function groupStartId(settings: StreamSettings): string {
  if (settings.startingPosition === 'TRIM_HORIZON') return '0';
  if (settings.startingPosition === 'LATEST') return '$';
  // "At or after": the group's last-delivered id is the last possible id of the millisecond before.
  const ms = Math.floor((settings.startingPositionTimestamp ?? 0) * 1000);
  return ms > 0 ? `${ms - 1}-18446744073709551615` : '0';
}
