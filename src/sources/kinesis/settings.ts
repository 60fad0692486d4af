import { z } from 'zod';
import { checkStartingPosition, streamSettingsSchema } from '../stream/settings.js';
import { unknownFieldError } from '../../config/issues.js';
import { regionSchema } from '../kit/settings.js';

/**
 * Settings of a `kinesis` event source mapping: Lambda's Kinesis mapping settings with their
 * ranges and defaults (shared with the Redis Streams mapping), plus where the stream lives.
 * Validated once at start-up.
 */
const shared = streamSettingsSchema.shape;

export const kinesisSettingsSchema = z.strictObject({
  stream: z.string({ error: 'is required: the stream name' }).regex(/^[a-zA-Z0-9_.-]{1,128}$/, { error: 'must be a Kinesis stream name' }),
  startingPosition: shared.startingPosition,
  startingPositionTimestamp: shared.startingPositionTimestamp,
  batchSize: shared.batchSize,
  maximumBatchingWindowInSeconds: shared.maximumBatchingWindowInSeconds,
  bisectBatchOnFunctionError: shared.bisectBatchOnFunctionError,
  maximumRetryAttempts: shared.maximumRetryAttempts,
  maximumRecordAgeInSeconds: shared.maximumRecordAgeInSeconds,
  /** Concurrent batches per shard; records of one partition key stay in order. */
  parallelizationFactor: z.number({ error: 'must be a number' }).int({ error: 'must be an integer between 1 and 10' })
    .min(1, { error: 'must be between 1 and 10' }).max(10, { error: 'must be between 1 and 10' }).default(1),
  functionResponseTypes: shared.functionResponseTypes,
  destinations: shared.destinations,
  filterCriteria: shared.filterCriteria,
  /** Kinesis endpoint URL; default the AWS SDK's (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the region's). */
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** Default the AWS SDK's (AWS_REGION, profile). */
  region: regionSchema.optional(),
}, {
  error: unknownFieldError,
}).superRefine(checkStartingPosition);

export type KinesisSettings = z.infer<typeof kinesisSettingsSchema>;
