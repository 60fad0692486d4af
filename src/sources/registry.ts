import { z } from 'zod';
import { issueMessage } from '../config/issues.js';
import { apiKind, apiSettingsSchema } from './api.js';
import { httpKind, httpSettingsSchema } from './http.js';
import { kinesisSettingsSchema, kinesisSourceKind } from './kinesis.js';
import { s3Kind, s3SettingsSchema } from './s3.js';
import { scheduleKind, scheduleSettingsSchema } from './schedule.js';
import { snsKind, snsSettingsSchema } from './sns.js';
import type { SourceKind } from './source.js';
import { sqsSettingsSchema } from './sqs/settings.js';
import { sqsSourceKind } from './sqs/source.js';
import { streamSettingsSchema, streamSourceKind } from './stream.js';

/**
 * Event source mappings (`functions.<fn>.events[]`). Each entry is an object with exactly one
 * key naming its kind; the kind's schema validates (and defaults) the value. Adapters add their
 * kind to both tables; a kind in neither is a config error.
 */
export const SOURCE_KINDS: Record<string, z.ZodType> = {
  http: httpSettingsSchema,
  api: apiSettingsSchema,
  sqs: sqsSettingsSchema,
  stream: streamSettingsSchema,
  sns: snsSettingsSchema,
  schedule: scheduleSettingsSchema,
  kinesis: kinesisSettingsSchema,
  s3: s3SettingsSchema,
};
export const SOURCE_FACTORIES: Record<string, SourceKind<never>> = {
  http: httpKind as SourceKind<never>,
  api: apiKind as SourceKind<never>,
  sqs: sqsSourceKind as SourceKind<never>,
  stream: streamSourceKind as SourceKind<never>,
  sns: snsKind as SourceKind<never>,
  schedule: scheduleKind as SourceKind<never>,
  kinesis: kinesisSourceKind as SourceKind<never>,
  s3: s3Kind as SourceKind<never>,
};

export const eventMappingSchema = z.record(z.string(), z.unknown()).superRefine((entry, ctx) => {
  const kinds = Object.keys(entry);
  const known = Object.keys(SOURCE_KINDS);
  const knownText = known.length ? known.join(', ') : 'none in this version';
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `must have exactly one key naming the source kind (known: ${knownText})` });
    return;
  }
  const kind = kinds[0];
  const schema = SOURCE_KINDS[kind];
  if (!schema) {
    ctx.addIssue({ code: 'custom', path: [kind], message: `unknown event source kind "${kind}" (known: ${knownText})` });
    return;
  }
  const parsed = schema.safeParse(entry[kind]);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: [kind, ...issue.path.map((p) => p as string | number)], message: issueMessage(issue) });
    }
  }
}).transform((entry) => {
  const [kind] = Object.keys(entry);
  return { [kind]: SOURCE_KINDS[kind].parse(entry[kind]) } as EventMapping;
});

export type EventMapping = Record<string, unknown>;
