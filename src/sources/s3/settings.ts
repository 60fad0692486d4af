import { z } from 'zod';
import { isOwnPath, OWN_PATHS_MESSAGE } from '../http/settings.js';
import { unknownFieldError } from '../../config/issues.js';
import { regionSchema } from '../kit/settings.js';

/**
 * Settings of an `s3` event source mapping: which bucket events reach the function, and how they
 * come in (`via`): a MinIO webhook target POSTing to the hub (default), MinIO's
 * `listenBucketNotification` stream, or an SQS queue the bucket notifies (directly or through SNS).
 * Validated once at load (through the source registry), then frozen with the rest of the config.
 */

/** S3's bucket name rules (3–63 chars, lower case, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, `s3:*`, ... */
export const S3_EVENT_TYPE = /^s3:([A-Za-z]+(:[A-Za-z]+)*(:\*)?|\*)$/;
/** Like the SQS mapping's queue URL rule: any host (LocalStack, fauxqs, ...). */
const QUEUE_URL = /^https?:\/\/[^/\s]+\/[^/\s]+\/[\w-]{1,80}$/;

const endpointUrl = z.url({ error: 'must be a URL like http://127.0.0.1:4566' });

const minioSchema = z.strictObject({
  endPoint: z.string({ error: 'is required: the MinIO host name' }).min(1),
  port: z.number().int().min(1).max(65535).optional(),
  useSSL: z.boolean().default(true),
  accessKey: z.string({ error: 'is required' }).min(1),
  secretKey: z.string({ error: 'is required' }).min(1),
  region: regionSchema.optional(),
});

const sqsViaSchema = z.strictObject({
  sqs: z.string({ error: 'is required: the queue URL' }).regex(QUEUE_URL, { error: 'must be a queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/name' }),
  endpoint: endpointUrl.optional(),
  region: regionSchema.optional(),
});

const webhookViaSchema = z.strictObject({
  webhook: z.strictObject({
    path: z.string()
      .regex(/^\/[^?#\s{}]*$/, { error: 'must start with / and hold no query, fragment, spaces or {parameters}' })
      .refine((p) => !isOwnPath(p), { error: OWN_PATHS_MESSAGE })
      .optional(),
    /** MinIO's `auth_token`: requests must carry `Authorization: Bearer <token>`. */
    authToken: z.string().min(1, { error: 'must not be empty' }).optional(),
  }).default({}),
});

export const s3SettingsSchema = z.strictObject({
  bucket: z.string({ error: 'is required: the bucket name' }).regex(BUCKET, { error: 'must be an S3 bucket name (3-63 characters: a-z 0-9 . -)' }),
  events: z.array(z.string().regex(S3_EVENT_TYPE, { error: 'must be an S3 event type like s3:ObjectCreated:* or s3:ObjectRemoved:Delete' }))
    .min(1, { error: 'must list at least one event type' })
    .default(['s3:ObjectCreated:*']),
  filter: z.strictObject({ prefix: z.string().optional(), suffix: z.string().optional() }).default({}),
  via: z.union([webhookViaSchema, z.strictObject({ minio: minioSchema }), sqsViaSchema], {
    error: 'must be { webhook: { path?, authToken? } }, { minio: { endPoint, port, useSSL, accessKey, secretKey } } or { sqs: QUEUE_URL, endpoint?, region? }',
  }).default({ webhook: {} }),
  /** S3 → SQS only: put the bucket's notification configuration (PutBucketNotificationConfiguration) on start. */
  configureBucket: z.boolean().default(false),
  /** The S3 endpoint and region for `configureBucket` (SDK defaults otherwise). */
  endpoint: endpointUrl.optional(),
  region: regionSchema.optional(),
}, {
  error: unknownFieldError,
}).superRefine((settings, ctx) => {
  if (settings.configureBucket && !('sqs' in settings.via)) {
    ctx.addIssue({ code: 'custom', path: ['configureBucket'], message: 'is only supported with via: { sqs: ... }' });
  }
});

export type S3Settings = z.infer<typeof s3SettingsSchema>;
export type MinioSettings = z.infer<typeof minioSchema>;
export type SqsViaSettings = z.infer<typeof sqsViaSchema>;
export type WebhookSettings = z.infer<typeof webhookViaSchema>['webhook'];
