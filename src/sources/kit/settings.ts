import { z } from 'zod';

/**
 * Building blocks of source settings schemas (and of the hub config's own numbers): one wording
 * of each rule, as the README documents it.
 */

/** Integer within [min, max]. */
export const intBetween = (min: number, max: number) =>
  z.number({ error: 'must be a number' })
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min, { error: `must be between ${min} and ${max}` })
    .max(max, { error: `must be between ${min} and ${max}` });

/**
 * A map of user-chosen names (functions, layers, environment variables, aliases, stage variables).
 * z.record skips a key `__proto__` without a word (its output could not hold it as a key), so the
 * entry would vanish: refused by name instead, as an issue at that key.
 */
export const namedRecord = <K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) =>
  z.preprocess((input, ctx) => {
    if (typeof input === 'object' && input !== null && Object.hasOwn(input, '__proto__')) {
      ctx.addIssue({ code: 'custom', message: 'this name cannot be used; rename it', path: ['__proto__'], input });
    }
    return input;
  }, z.record(key, value));

/** One of `values`: a missing value is "required", another one names the choices (and what it was). */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, note = '') =>
  z.enum(values, {
    error: (issue) => (issue.input === undefined
      ? `is required: one of ${values.join(', ')}`
      : `must be one of ${values.join(', ')}${typeof issue.input === 'string' ? `, not ${JSON.stringify(issue.input.slice(0, 40))}` : ''}${note}`),
  });

/** -1 (no limit) or an integer in [min, max]. */
export const unlimitedOr = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((n) => n === -1 || (Number.isInteger(n) && n >= min && n <= max), {
    error: `must be -1 (no limit) or an integer between ${min} and ${max}`,
  });

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** An AWS region name; default the AWS SDK's (AWS_REGION, profile). */
export const regionSchema = z.string().regex(REGION_PATTERN, { error: 'must be an AWS region name like us-east-1' });

/** An http(s) service endpoint URL (LocalStack, an emulator, a VPC endpoint). */
export const endpointSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const REPORT_BATCH_ITEM_FAILURES = 'ReportBatchItemFailures';

/** `functionResponseTypes: [ReportBatchItemFailures]` (SQS and stream mappings). */
export const functionResponseTypesSchema = z.array(z.literal(REPORT_BATCH_ITEM_FAILURES, { error: `must be ${REPORT_BATCH_ITEM_FAILURES}` }))
  .max(1, { error: `may only hold ${REPORT_BATCH_ITEM_FAILURES}` }).default([]);

export const reportsItemFailures = (settings: { functionResponseTypes: readonly string[] }): boolean =>
  settings.functionResponseTypes.includes(REPORT_BATCH_ITEM_FAILURES);
