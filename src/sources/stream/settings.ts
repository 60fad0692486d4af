import { z } from 'zod';
import { unknownFieldError } from '../../config/issues.js';
import { checkStreamMapping, streamMappingShape } from '../kit/stream-settings.js';
import { filterCriteriaSchemaFor } from '../../filters/criteria.js';
import { STREAM_FILTER_SUBJECT } from './records.js';

/**
 * Settings of a `stream` (Redis Streams) event source mapping: Lambda's Kinesis mapping settings
 * with their ranges and defaults (from the kit), plus the Redis consumer group. Validated at load.
 */

export const streamSettingsSchema = z.strictObject({
  key: z.string({ error: 'is required: the stream key' }).min(1, { error: 'must not be empty' }),
  group: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  ...streamMappingShape,
  filterCriteria: filterCriteriaSchemaFor(STREAM_FILTER_SUBJECT).optional(),
  /** The stream's Redis; default the hub's own. */
  redis: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' }).optional(),
  /** Entries pending this long with another consumer of the group (a dead hub) are claimed. */
  claimIdleSeconds: z.number({ error: 'must be a number' }).min(0.1, { error: 'must be between 0.1 and 86400' })
    .max(86_400, { error: 'must be between 0.1 and 86400' }).default(60),
}, {
  error: unknownFieldError,
}).superRefine(checkStreamMapping);

export type StreamSettings = z.infer<typeof streamSettingsSchema>;

/** The id the consumer group starts after when the mapping creates it. */
export function groupStartId(settings: StreamSettings): string {
  if (settings.startingPosition === 'TRIM_HORIZON') return '0';
  if (settings.startingPosition === 'LATEST') return '$';
  // "At or after": the group's last-delivered id is the last possible id of the millisecond before.
  const ms = Math.floor((settings.startingPositionTimestamp ?? 0) * 1000);
  return ms > 0 ? `${ms - 1}-18446744073709551615` : '0';
}
