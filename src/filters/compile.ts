import { compileLeaf, isPlainObject, OPERATOR_NAMES, show, type LeafNode } from './operators.js';

/**
 * Validates an EventBridge pattern and compiles it into a tree the matcher walks. Every problem
 * is collected with its path inside the pattern (`body.size`), so config errors list them all.
 */
export type PathPart = string | number;
export interface PatternIssue { path: PathPart[]; message: string }

export interface ObjectNode {
  kind: 'object';
  /** Every field must match (AND). */
  fields: FieldNode[];
  /** Each `$or` group must have a matching branch; branches apply to the same object. */
  ors: ObjectNode[][];
}
export interface FieldNode { key: string; node: PatternNode }

/**
 * Lambda's body/data format rule (see `guardDataField`): `json` only matches a value parsed from
 * JSON (object or array), `text` only one that is not.
 */
export interface GuardNode { kind: 'guard'; wants: 'json' | 'text'; inner: PatternNode }

export type PatternNode = ObjectNode | LeafNode | GuardNode;

/** Lambda's limit on a pattern's JSON text. */
export const MAX_PATTERN_LENGTH = 4096;

const OPERATORS = new Set<string>(OPERATOR_NAMES);

/** `body.items[0].$or[1].type`; the pattern root is `(root)`. */
export function formatPath(parts: readonly PathPart[]): string {
  let out = '';
  for (const part of parts) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(root)';
}

/** Parses a JSON-string pattern (an object is used as it is) and checks Lambda's length limit. */
export function parsePattern(pattern: unknown, issues: PatternIssue[]): unknown {
  let object = pattern;
  if (typeof pattern === 'string') {
    try {
      object = JSON.parse(pattern) as unknown;
    } catch (err) {
      issues.push({ path: [], message: `is not valid JSON: ${(err as Error).message}` });
      return undefined;
    }
  }
  const length = typeof pattern === 'string' ? pattern.length : isPlainObject(pattern) ? JSON.stringify(pattern).length : 0;
  if (length > MAX_PATTERN_LENGTH) {
    issues.push({ path: [], message: `is ${length} characters as JSON; Lambda allows at most ${MAX_PATTERN_LENGTH}` });
  }
  return object;
}

/** Compiles a parsed pattern; problems go to `issues` (the tree is then unusable). */
export function compileTree(pattern: unknown, issues: PatternIssue[]): ObjectNode {
  if (!isPlainObject(pattern)) {
    if (pattern !== undefined || issues.length === 0) {
      issues.push({ path: [], message: `must be a JSON object of fields, e.g. {"body": {"type": ["order"]}} (got ${show(pattern)})` });
    }
    return { kind: 'object', fields: [], ors: [] };
  }
  if (Object.keys(pattern).length === 0) {
    issues.push({ path: [], message: 'must not be empty: AWS rejects {} (to process every record, give no filters)' });
  }
  return compileObject(pattern, [], issues, false);
}

function compileObject(pattern: Record<string, unknown>, path: PathPart[], issues: PatternIssue[], inOr: boolean): ObjectNode {
  const node: ObjectNode = { kind: 'object', fields: [], ors: [] };
  for (const [key, value] of Object.entries(pattern)) {
    const at = [...path, key];
    if (key === '$or') {
      node.ors.push(compileOr(value, at, issues));
    } else if (inOr && OPERATORS.has(key)) {
      issues.push({ path: at, message: `"${key}" is an operator, not a field: each $or branch is a pattern object such as {"price": [{"numeric": [">", 1]}]}` });
    } else if (Array.isArray(value)) {
      const problems: string[] = [];
      node.fields.push({ key, node: compileLeaf(value, problems) });
      for (const message of problems) issues.push({ path: at, message });
    } else if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) issues.push({ path: at, message: 'must not be an empty object' });
      node.fields.push({ key, node: compileObject(value, at, issues, false) });
    } else {
      const example = typeof value === 'string' || typeof value === 'number' ? JSON.stringify([value]) : '["value"]';
      issues.push({ path: at, message: `must be an array of match values such as ${example}, or an object of nested fields (got ${show(value)})` });
    }
  }
  return node;
}

function compileOr(value: unknown, path: PathPart[], issues: PatternIssue[]): ObjectNode[] {
  if (!Array.isArray(value) || value.length < 2) {
    issues.push({ path, message: `$or must be an array of at least 2 pattern objects (got ${show(value)})` });
    return [];
  }
  return value.map((branch, i) => {
    if (!isPlainObject(branch) || Object.keys(branch).length === 0) {
      issues.push({ path: [...path, i], message: `each $or branch must be a non-empty pattern object (got ${show(branch)})` });
      return { kind: 'object', fields: [], ors: [] };
    }
    return compileObject(branch, [...path, i], issues, true);
  });
}

/**
 * Lambda checks the format of `body` (SQS) or `data` (streams) against the pattern's format for it
 * (invocation-eventfiltering, "Properly filtering Amazon SQS messages"): a plain-value pattern
 * never matches a JSON body, and a pattern with fields under it never matches a non-JSON one.
 * Wraps the root-level `field` (also inside root-level `$or` branches) in a guard saying so.
 */
export function guardDataField(root: ObjectNode, field: string): ObjectNode {
  return {
    kind: 'object',
    fields: root.fields.map((f) => (f.key === field
      ? { key: f.key, node: { kind: 'guard', wants: f.node.kind === 'leaf' ? 'text' : 'json', inner: f.node } }
      : f)),
    ors: root.ors.map((group) => group.map((branch) => guardDataField(branch, field))),
  };
}

/** Whether the root level (or a root-level `$or` branch) has a pattern for `field`. */
export function usesField(root: ObjectNode, field: string): boolean {
  return root.fields.some((f) => f.key === field) || root.ors.some((group) => group.some((branch) => usesField(branch, field)));
}

/**
 * Streams (Kinesis, DynamoDB; here also Redis Streams) require the pattern under the data field to
 * be an object of fields: Lambda rejects `{"data": ["text"]}` when the mapping is created.
 */
export function dataFieldIssues(root: ObjectNode, field: string, path: PathPart[] = []): PatternIssue[] {
  const issues: PatternIssue[] = [];
  for (const f of root.fields) {
    if (f.key === field && f.node.kind === 'leaf') {
      issues.push({ path: [...path, field], message: `must be an object of fields such as {"type": ["order"]}: Lambda only filters stream ${field} parsed as JSON` });
    }
  }
  for (const group of root.ors) group.forEach((branch, i) => issues.push(...dataFieldIssues(branch, field, [...path, '$or', i])));
  return issues;
}

/**
 * The fields of a source's records as filters see them: a field mapped to `null` may hold anything
 * (a body, data, an item image); one mapped to fields holds only those. Looked up as Map keys.
 */
export type RecordFields = ReadonlyMap<string, RecordFields | null>;

/** RecordFields from an object literal of the record's field names. */
export function recordFields(fields: { [key: string]: RecordFields | null }): RecordFields {
  return new Map(Object.entries(fields));
}

/**
 * Pattern fields the records never have (`{"kinesis": {"data": ...}}` where filters see the
 * `kinesis` object, `Body` for `body`): such a filter would drop, or on SQS delete, every record.
 * `$or` branches apply to the object they are in.
 */
export function unknownFieldIssues(root: ObjectNode, fields: RecordFields, of: string, path: PathPart[] = []): PatternIssue[] {
  const issues: PatternIssue[] = [];
  for (const { key, node } of root.fields) {
    const inner = fields.get(key);
    if (inner === undefined) {
      const known = [...fields.keys()];
      issues.push({ path: [...path, key], message: `is not a field of ${of}; use ${known.slice(0, -1).join(', ')} or ${known.at(-1)}` });
    } else if (inner && node.kind === 'object') {
      issues.push(...unknownFieldIssues(node, inner, key, [...path, key]));
    }
  }
  for (const group of root.ors) group.forEach((branch, i) => issues.push(...unknownFieldIssues(branch, fields, of, [...path, '$or', i])));
  return issues;
}
