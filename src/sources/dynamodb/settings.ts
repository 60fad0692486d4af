import { z } from 'zod';
import { unknownFieldError } from '../../config/issues.js';
import { filterCriteriaSchemaFor } from '../../filters/criteria.js';
import { DYNAMODB_FILTER_SUBJECT } from './records.js';
import { endpointSchema, oneOf, regionSchema } from '../kit/settings.js';
import { checkShardMapping, checkStreamMapping, shardMappingShape, streamMappingShape } from '../kit/stream-settings.js';

/** `arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>` (DynamoDB Local's region is `ddblocal`). */
const STREAM_ARN = /^arn:aws[\w-]*:dynamodb:[\w-]+:\d{12}:table\/([\w.-]{3,255})\/stream\/[\w:.-]+$/;
const TABLE_NAME = /^[\w.-]{3,255}$/;
/** Lambda's DynamoDB Streams mappings start at TRIM_HORIZON or LATEST (no AT_TIMESTAMP). */
const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST'] as const;

/**
 * Settings of a `dynamodb` event source mapping: Lambda's DynamoDB Streams mapping settings (the
 * kit's stream mapping settings) and where the stream is: its ARN, or a table whose latest stream
 * is read. Filter patterns apply to the whole record, images in DynamoDB JSON, as on Lambda.
 */
export const dynamodbSettingsSchema = z.strictObject({
  stream: z.string({ error: 'must be a string' }).regex(STREAM_ARN, {
    error: 'must be a DynamoDB stream ARN like arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
  }).optional(),
  table: z.string({ error: 'must be a string' }).regex(TABLE_NAME, { error: 'must be a DynamoDB table name (3-255 letters, digits, _ . -)' }).optional(),
  ...streamMappingShape,
  startingPosition: oneOf(STARTING_POSITIONS, ' (Lambda starts DynamoDB streams at TRIM_HORIZON or LATEST only)'),
  startingPositionTimestamp: z.never({ error: 'is not supported for DynamoDB streams (Lambda starts them at TRIM_HORIZON or LATEST)' }).optional(),
  filterCriteria: filterCriteriaSchemaFor(DYNAMODB_FILTER_SUBJECT).optional(),
  ...shardMappingShape,
  /** DynamoDB (Streams) endpoint; default AWS_ENDPOINT_URL_DYNAMODB_STREAMS, then AWS_ENDPOINT_URL_DYNAMODB, then the SDK's. */
  endpoint: endpointSchema.optional(),
  /** Default the stream ARN's region, else the hub's `region`. */
  region: regionSchema.optional(),
}, {
  error: unknownFieldError,
}).superRefine((settings, ctx) => {
  if ((settings.stream === undefined) === (settings.table === undefined)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'needs exactly one of stream (the stream ARN) or table (read its latest stream)' });
  }
  checkStreamMapping(settings, ctx);
  checkShardMapping(settings, ctx);
});

export type DynamodbSettings = z.infer<typeof dynamodbSettingsSchema>;

/**
 * The stream label of ARNs that name "the table's latest stream": what project templates resolve
 * `!GetAtt Table.StreamArn` to (a local table's real label is only known once it exists).
 */
export const LATEST_STREAM_LABEL = '1970-01-01T00:00:00.000';

/** The table whose latest stream the mapping reads: `table:`, or a stream ARN with LATEST_STREAM_LABEL. */
export function latestStreamTable(settings: Pick<DynamodbSettings, 'stream' | 'table'>): string | undefined {
  if (settings.table) return settings.table;
  const match = settings.stream === undefined ? null : STREAM_ARN.exec(settings.stream);
  return match && settings.stream!.endsWith(`/stream/${LATEST_STREAM_LABEL}`) ? match[1] : undefined;
}
