/**
 * Lambda event filtering (invocation-eventfiltering) with EventBridge pattern syntax, shared by
 * every source mapping. A mapping's `filterCriteria` holds up to 5 filters; a record is processed
 * when any filter's pattern matches it, and every record when there are none.
 */
import { z } from 'zod';
import { HubError } from '../errors.js';
import {
  compileTree, dataFieldIssues, formatPath, guardDataField, parsePattern, unknownFieldIssues, usesField,
  type ObjectNode, type PatternIssue, type RecordFields,
} from './compile.js';
import { explainTree, type Explanation } from './explain.js';
import { matchObject } from './match.js';
import { isPlainObject } from './operators.js';
import { parseJson } from '../json.js';

export type { ExplainEntry, Explanation } from './explain.js';
export { recordFields, type RecordFields } from './compile.js';
export { formatExplanation } from './explain.js';

export type DataField = 'body' | 'data';
export type DataEncoding = 'utf8' | 'base64';
export type RecordFilter = (record: Record<string, unknown>) => boolean;

/** Lambda's default quota of filters per event source mapping. */
export const MAX_FILTERS = 5;

/** Compiled trees of validated pattern objects, so a pattern is compiled once however it is used. */
const compiled = new WeakMap<object, ObjectNode>();

interface Compiled { object: unknown; root: ObjectNode; issues: PatternIssue[] }

function compile(pattern: unknown): Compiled {
  const cached = typeof pattern === 'object' && pattern !== null ? compiled.get(pattern) : undefined;
  if (cached) return { object: pattern, root: cached, issues: [] };
  const issues: PatternIssue[] = [];
  const object = parsePattern(pattern, issues);
  const root = compileTree(object, issues);
  if (issues.length === 0 && isPlainObject(object)) compiled.set(object, root);
  return { object, root, issues };
}

/** Compiles and, for stream `data`, applies Lambda's rule that the data pattern is an object. */
function check(pattern: unknown, dataField?: DataField): Compiled {
  const result = compile(pattern);
  if (result.issues.length === 0 && dataField === 'data') result.issues.push(...dataFieldIssues(result.root, dataField));
  return result;
}

function invalid(what: string, issues: PatternIssue[]): HubError {
  const lines = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  return new HubError('TH_ERR_CONFIG_INVALID', `invalid ${what}:${lines.length === 1 ? ` ${lines[0]}` : `\n  ${lines.join('\n  ')}`}`);
}

function compileOrThrow(pattern: unknown, dataField?: DataField): ObjectNode {
  const { root, issues } = check(pattern, dataField);
  if (issues.length > 0) throw invalid('filter pattern', issues);
  return root;
}

const patternSchema = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: 'must be a pattern object or its JSON text, e.g. {"body": {"type": ["order"]}}',
}).transform((value, ctx) => {
  const { object, issues } = compile(value);
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return issues.length > 0 ? z.NEVER : object as Record<string, unknown>;
});

/** `filterCriteria: { filters: [ { pattern: {...} | '<json>' } ] }`; patterns come out parsed and compiled. */
export const filterCriteriaSchema = z.object({
  filters: z.array(z.object({ pattern: patternSchema }).strict())
    .max(MAX_FILTERS, { error: `must hold at most ${MAX_FILTERS} filters (Lambda's quota per mapping)` })
    .default([]),
}).strict();

/**
 * For stream mappings (Kinesis, Redis Streams): Lambda also requires the pattern under `data` to be
 * an object of fields, because it filters stream data only once parsed as JSON.
 */
export const streamFilterCriteriaSchema = filterCriteriaSchema.superRefine((criteria, ctx) => {
  criteria.filters.forEach(({ pattern }, i) => {
    for (const issue of check(pattern, 'data').issues) {
      ctx.addIssue({ code: 'custom', path: ['filters', i, 'pattern', ...issue.path], message: issue.message });
    }
  });
});

/** What one source's filters see: `fields` of its records (see RecordFields), called `of` in errors. */
export interface FilterSubject {
  of: string;
  fields: RecordFields;
  /** `data` for streams: the pattern under it must be an object (streamFilterCriteriaSchema). */
  dataField?: DataField;
}

/**
 * A source's `filterCriteria`: also refuses pattern fields its records never have, which would
 * drop (on SQS delete) every record, naming the path and the fields there are.
 */
export function filterCriteriaSchemaFor(subject: FilterSubject) {
  const base = subject.dataField === 'data' ? streamFilterCriteriaSchema : filterCriteriaSchema;
  return base.superRefine((criteria, ctx) => {
    criteria.filters.forEach(({ pattern }, i) => {
      for (const issue of unknownFieldIssues(compile(pattern).root, subject.fields, subject.of)) {
        ctx.addIssue({ code: 'custom', path: ['filters', i, 'pattern', ...issue.path], message: issue.message });
      }
    });
  });
}

export type FilterCriteria = z.infer<typeof filterCriteriaSchema>;
export type FilterCriteriaInput = z.input<typeof filterCriteriaSchema>;

const matchAll: RecordFilter = () => true;
const defaultEncoding = (dataField: DataField | undefined): DataEncoding => (dataField === 'data' ? 'base64' : 'utf8');

/**
 * Compiles a mapping's filters once into the per-record test. With `dataField`, each record is
 * seen through `filterView` (only when a pattern looks at that field) and Lambda's format rule
 * applies: a plain-value pattern never matches a JSON body/data, a pattern with fields under it
 * never matches a non-JSON one. Encoding defaults to base64 for `data` (Kinesis), utf8 for `body`.
 * For Kinesis pass the record's `kinesis` object: `data` and `partitionKey` are its keys.
 */
export function compileFilterCriteria(
  criteria: FilterCriteriaInput | undefined,
  dataField?: DataField,
  encoding: DataEncoding = defaultEncoding(dataField),
): RecordFilter {
  const filters = criteria?.filters ?? [];
  if (filters.length === 0) return matchAll;
  if (filters.length > MAX_FILTERS) {
    throw new HubError('TH_ERR_CONFIG_INVALID', `invalid filterCriteria: filters: must hold at most ${MAX_FILTERS} filters`);
  }
  const issues: PatternIssue[] = [];
  const roots = filters.map(({ pattern }, i) => {
    const { root, issues: found } = check(pattern, dataField);
    issues.push(...found.map((issue) => ({ ...issue, path: ['filters', i, 'pattern', ...issue.path] })));
    return dataField ? guardDataField(root, dataField) : root;
  });
  if (issues.length > 0) throw invalid('filterCriteria', issues);
  const field = dataField !== undefined && roots.some((root) => usesField(root, dataField)) ? dataField : undefined;
  return (record) => {
    const view = field === undefined ? record : filterView(record, field, encoding);
    for (let i = 0; i < roots.length; i++) if (matchObject(roots[i], view)) return true;
    return false;
  };
}

/**
 * The record as filters see it: `record[dataField]` decoded (base64 for Kinesis) and, when it is a
 * JSON object or array, parsed. Anything else stays a string; a non-string field is left as is.
 * Returns the record itself when nothing changes, else a shallow copy.
 */
export function filterView(record: Record<string, unknown>, dataField: DataField, encoding: DataEncoding): Record<string, unknown> {
  const raw = record[dataField];
  if (typeof raw !== 'string') return record;
  const text = encoding === 'base64' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const parsed = parseJsonContainer(text);
  if (parsed === undefined && text === raw) return record;
  return { ...record, [dataField]: parsed ?? text };
}

const JSON_WHITESPACE = ' \t\n\r';

/**
 * Parses text that is a JSON object or array; skips JSON.parse for anything else. Text nested
 * deeper than MAX_JSON_DEPTH stays text (matching walks nested arrays recursively).
 */
function parseJsonContainer(text: string): object | undefined {
  let i = 0;
  while (i < text.length && JSON_WHITESPACE.includes(text[i])) i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  try {
    const value = parseJson(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `event` matches `pattern` (an object or its JSON text); throws TH_ERR_CONFIG_INVALID on
 * an invalid pattern. A pattern object is compiled once and cached: do not mutate it afterwards.
 */
export function matchPattern(pattern: unknown, event: unknown): boolean {
  return matchObject(compileOrThrow(pattern), event);
}

/**
 * Which leaves matched and which did not, for people (the CLI's `filter test`). With `dataField`,
 * the event is a record seen as `compileFilterCriteria` sees it.
 */
export function explainPattern(
  pattern: unknown,
  event: unknown,
  options: { dataField?: DataField; encoding?: DataEncoding } = {},
): Explanation {
  const { dataField } = options;
  const root = compileOrThrow(pattern, dataField);
  if (!dataField) return explainTree(root, event);
  const view = isPlainObject(event) ? filterView(event, dataField, options.encoding ?? defaultEncoding(dataField)) : event;
  return explainTree(guardDataField(root, dataField), view);
}
