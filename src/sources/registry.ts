import type { z } from 'zod';
import { issueMessage } from '../config/issues.js';
import { albKind } from './alb.js';
import { apiKind } from './api.js';
import { dynamodbKind } from './dynamodb.js';
import { httpKind } from './http.js';
import { kinesisKind } from './kinesis.js';
import { s3Kind } from './s3.js';
import { scheduleKind } from './schedule.js';
import { snsKind } from './sns.js';
import type { SettingsProblem, SourceKind } from './source.js';
import type { FunctionHome } from '../destinations/targets.js';
import { sqsKind } from './sqs/source.js';
import { streamKind } from './stream.js';

/** Every event source kind, by the key that names it in `events:` entries. Add a kind here, once. */
export const SOURCE_KINDS: ReadonlyMap<string, SourceKind> = new Map(
  ([httpKind, apiKind, albKind, sqsKind, streamKind, snsKind, scheduleKind, kinesisKind, dynamodbKind, s3Kind] as SourceKind[]).map((kind) => [kind.name, kind]),
);

/** One validated event source mapping: `{ <kind>: settings }`, as written in the config. */
export type EventMapping = Record<string, unknown>;

/** The kind of a validated mapping and its settings. */
export function mappingKind(mapping: EventMapping): { kind: SourceKind; settings: unknown } {
  const [name] = Object.keys(mapping);
  return { kind: SOURCE_KINDS.get(name)!, settings: mapping[name] };
}

/**
 * Validates one `events[]` entry (an object with exactly one key naming its kind) with its kind's
 * schema and cross-checks; problems carry paths relative to the entry.
 */
export function parseEventMapping(entry: unknown, functions: ReadonlySet<string>, home?: FunctionHome): { mapping?: EventMapping; problems: SettingsProblem[] } {
  const known = [...SOURCE_KINDS.keys()].join(', ');
  const names = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
  if (names.length !== 1) {
    return { problems: [{ path: [], message: `must have exactly one key naming the source kind (known: ${known})` }] };
  }
  const [name] = names;
  const kind = SOURCE_KINDS.get(name);
  if (!kind) return { problems: [{ path: [name], message: `unknown event source kind "${name}" (known: ${known})` }] };
  const parsed = kind.settings.safeParse((entry as Record<string, unknown>)[name]);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => relativeTo(name, issue)) };
  const problems = (kind.check?.(parsed.data, functions, home) ?? []).map((problem) => ({ ...problem, path: [name, ...problem.path] }));
  return problems.length ? { problems } : { mapping: { [name]: parsed.data }, problems };
}

function relativeTo(name: string, issue: z.core.$ZodIssue): SettingsProblem {
  return { path: [name, ...issue.path.map((part) => part as string | number)], message: issueMessage(issue) };
}
