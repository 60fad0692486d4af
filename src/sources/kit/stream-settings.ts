import { z } from 'zod';
import { unknownFieldError } from '../../config/issues.js';
import { destinationSchema, type DestinationSpec } from '../../destinations/targets.js';
import { functionResponseTypesSchema, intBetween, oneOf, reportsItemFailures, unlimitedOr } from './settings.js';
import { defaultRetryDelayMs, type StreamBatchPolicy } from './stream-batch.js';

/**
 * Lambda's settings of ordered stream mappings (Kinesis, DynamoDB Streams, and Redis Streams
 * after them), with their ranges and defaults: one definition each, composed by the kinds.
 */

export const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;

export const streamMappingShape = {
  startingPosition: oneOf(STARTING_POSITIONS),
  /** Unix time in seconds (as Lambda's StartingPositionTimestamp), for AT_TIMESTAMP. */
  startingPositionTimestamp: z.number({ error: 'must be a Unix time in seconds' }).nonnegative({ error: 'must be a Unix time in seconds' }).optional(),
  batchSize: intBetween(1, 10_000).default(100),
  maximumBatchingWindowInSeconds: intBetween(0, 300).default(0),
  bisectBatchOnFunctionError: z.boolean({ error: 'must be true or false' }).default(false),
  maximumRetryAttempts: unlimitedOr(0, 10_000).default(-1),
  maximumRecordAgeInSeconds: unlimitedOr(60, 604_800).default(-1),
  functionResponseTypes: functionResponseTypesSchema,
  /** The hub's form: `destinations: { onFailure: TARGET }`. */
  destinations: z.strictObject({ onFailure: destinationSchema.optional() }, { error: unknownFieldError }).default({}),
  /** Lambda's (and SAM's) form: `destinationConfig: { onFailure: { destination: ARN } }`. */
  destinationConfig: z.strictObject({
    onFailure: destinationSchema.optional(),
  }, { error: unknownFieldError }).optional(),
};

/** What shard mappings (Kinesis, DynamoDB Streams) add to the stream mapping settings. */
export const shardMappingShape = {
  /** Concurrent batches per shard; records of one key stay in order. */
  parallelizationFactor: intBetween(1, 10).default(1),
  /** Lambda's tumbling windows: 0 (off) or 1–900 seconds; state is carried per shard. */
  tumblingWindowInSeconds: intBetween(0, 900).default(0),
};

/** The hub keeps one window state per shard, so windows run one batch at a time (no lanes). */
export function checkShardMapping(settings: { parallelizationFactor: number; tumblingWindowInSeconds: number }, ctx: z.RefinementCtx): void {
  if (settings.tumblingWindowInSeconds > 0 && settings.parallelizationFactor > 1) {
    ctx.addIssue({ code: 'custom', path: ['parallelizationFactor'], message: 'must be 1 with tumblingWindowInSeconds (the window state is per shard)' });
  }
}

type MappingRules = {
  startingPosition: string;
  startingPositionTimestamp?: number;
  destinations: { onFailure?: DestinationSpec };
  destinationConfig?: { onFailure?: DestinationSpec };
};

/**
 * `startingPositionTimestamp` goes with AT_TIMESTAMP and only with it, and is not in the future;
 * the on-failure target is given in one of the two forms.
 */
export function checkStreamMapping(settings: MappingRules, ctx: z.RefinementCtx): void {
  const atTimestamp = settings.startingPosition === 'AT_TIMESTAMP';
  if (atTimestamp && settings.startingPositionTimestamp === undefined) {
    ctx.addIssue({ code: 'custom', path: ['startingPositionTimestamp'], message: 'is required with startingPosition AT_TIMESTAMP' });
  }
  // Lambda refuses a start in the future; a value in milliseconds would start some 50,000 years on, reading nothing.
  if (atTimestamp && settings.startingPositionTimestamp !== undefined && settings.startingPositionTimestamp > Date.now() / 1000) {
    const ms = settings.startingPositionTimestamp > 1e11 ? ' (it is in seconds: this looks like milliseconds)' : '';
    ctx.addIssue({ code: 'custom', path: ['startingPositionTimestamp'], message: `cannot be in the future${ms}` });
  }
  if (!atTimestamp && settings.startingPositionTimestamp !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['startingPositionTimestamp'], message: 'is only valid with startingPosition AT_TIMESTAMP' });
  }
  if (settings.destinations.onFailure !== undefined && settings.destinationConfig?.onFailure !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['destinationConfig'], message: 'give the on-failure destination once: destinations.onFailure or destinationConfig.onFailure' });
  }
}

/** The mapping's on-failure destination, whichever form named it, and the path it was named at. */
export function onFailureTarget(settings: MappingRules): { target?: DestinationSpec; path: string[] } {
  const lambdaForm = settings.destinationConfig?.onFailure;
  return lambdaForm === undefined
    ? { target: settings.destinations.onFailure, path: ['destinations', 'onFailure'] }
    : { target: lambdaForm, path: ['destinationConfig', 'onFailure'] };
}

export type StreamPolicySettings = {
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  functionResponseTypes: readonly string[];
};

/**
 * The retry policy of a stream mapping's batches. With the stream's retention, records are given
 * up once they expire from it, as on Lambda ("-1 means infinite: failed records are retried until
 * the record expires"), so a failing record blocks its shard for at most that long.
 */
export function streamBatchPolicy(settings: StreamPolicySettings, retentionSeconds?: number): StreamBatchPolicy {
  const maxAge = settings.maximumRecordAgeInSeconds;
  return {
    maximumRetryAttempts: settings.maximumRetryAttempts,
    maximumRecordAgeInSeconds: retentionSeconds === undefined ? maxAge : maxAge < 0 ? retentionSeconds : Math.min(maxAge, retentionSeconds),
    bisectBatchOnFunctionError: settings.bisectBatchOnFunctionError,
    reportBatchItemFailures: reportsItemFailures(settings),
    retryDelayMs: defaultRetryDelayMs,
  };
}
