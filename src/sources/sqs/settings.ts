import { z } from 'zod';
import { filterCriteriaSchemaFor } from '../../filters/criteria.js';
import { SQS_FILTER_SUBJECT } from './records.js';
import { unknownFieldError } from '../../config/issues.js';
import { functionResponseTypesSchema, intBetween, REGION_PATTERN, regionSchema } from '../kit/settings.js';

/**
 * Settings of an `sqs` event source mapping, with Lambda's ranges and defaults. Validated once at
 * load (through the source registry), then frozen with the rest of the config.
 */


/** `https://sqs.<region>.amazonaws.com/<account>/<name>` (any host: LocalStack, fauxqs, ...). */
const QUEUE_URL = /^https?:\/\/[^/\s]+\/[^/\s]+\/[\w-]{1,80}(\.fifo)?$/;
/** `arn:aws:sqs:<region>:<account>:<name>` */
const QUEUE_ARN = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/;

/** Lambda's batch size limits: 10 for FIFO queues, and above 10 only with a batching window. */
const FIFO_MAX_BATCH = 10;
const RECEIVE_MAX = 10;

export const sqsSettingsSchema = z.strictObject({
  queue: z.string({ error: 'is required: the queue URL (or ARN)' })
    .refine((ref) => QUEUE_URL.test(ref) || QUEUE_ARN.test(ref), {
      error: 'must be a queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/name, or a queue ARN',
    }),
  batchSize: intBetween(1, 10_000).default(10),
  maximumBatchingWindowInSeconds: intBetween(0, 300).default(0),
  functionResponseTypes: functionResponseTypesSchema,
  maximumConcurrency: intBetween(2, 1000).optional(),
  filterCriteria: filterCriteriaSchemaFor(SQS_FILTER_SUBJECT).optional(),
  endpoint: z.url({ error: 'must be a URL like http://127.0.0.1:4566' }).optional(),
  region: regionSchema.optional(),
}, {
  error: unknownFieldError,
}).superRefine((settings, ctx) => {
  const fifo = settings.queue.endsWith('.fifo');
  if (fifo && settings.batchSize > FIFO_MAX_BATCH) {
    ctx.addIssue({ code: 'custom', path: ['batchSize'], message: `must be between 1 and ${FIFO_MAX_BATCH} for a FIFO queue` });
  }
  if (fifo && settings.maximumBatchingWindowInSeconds > 0) {
    ctx.addIssue({ code: 'custom', path: ['maximumBatchingWindowInSeconds'], message: 'is not supported for FIFO queues' });
  }
  if (!fifo && settings.batchSize > RECEIVE_MAX && settings.maximumBatchingWindowInSeconds < 1) {
    ctx.addIssue({
      code: 'custom', path: ['maximumBatchingWindowInSeconds'],
      message: `must be at least 1 when batchSize is greater than ${RECEIVE_MAX}`,
    });
  }
});

export type SqsSettings = z.infer<typeof sqsSettingsSchema>;

/** The queue's region as written in its URL or ARN, if it names one. */
export function regionOfQueue(ref: string): string | undefined {
  if (ref.startsWith('arn:')) return ref.split(':')[3];
  const host = new URL(ref).hostname.split('.');
  // sqs.<region>.amazonaws.com, sqs.<region>.localhost(.localstack.cloud), <region>.queue.amazonaws.com
  const candidate = host[0] === 'sqs' ? host[1] : host[1] === 'queue' ? host[0] : undefined;
  return candidate && REGION_PATTERN.test(candidate) ? candidate : undefined;
}
