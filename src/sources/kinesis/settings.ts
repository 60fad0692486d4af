import { z } from 'zod';
import { checkShardMapping, checkStreamMapping, shardMappingShape, streamMappingShape } from '../kit/stream-settings.js';
import { unknownFieldError } from '../../config/issues.js';
import { endpointSchema, regionSchema } from '../kit/settings.js';
import { filterCriteriaSchemaFor } from '../../filters/criteria.js';
import { KINESIS_FILTER_SUBJECT } from './records.js';

/**
 * Settings of a `kinesis` event source mapping: Lambda's Kinesis mapping settings with their
 * ranges and defaults (shared with the Redis Streams mapping), plus where the stream lives.
 * Validated once at start-up.
 */
export const kinesisSettingsSchema = z.strictObject({
  stream: z.string({ error: 'is required: the stream name' }).regex(/^[a-zA-Z0-9_.-]{1,128}$/, { error: 'must be a Kinesis stream name' }),
  ...streamMappingShape,
  ...shardMappingShape,
  filterCriteria: filterCriteriaSchemaFor(KINESIS_FILTER_SUBJECT).optional(),
  /** Kinesis endpoint URL; default the AWS SDK's (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the region's). */
  endpoint: endpointSchema.optional(),
  /** Default the AWS SDK's (AWS_REGION, profile). */
  region: regionSchema.optional(),
}, {
  error: unknownFieldError,
}).superRefine((settings, ctx) => {
  checkStreamMapping(settings, ctx);
  checkShardMapping(settings, ctx);
});

export type KinesisSettings = z.infer<typeof kinesisSettingsSchema>;
