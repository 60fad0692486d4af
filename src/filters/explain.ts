import { formatPath, type ObjectNode, type PathPart, type PatternNode } from './compile.js';
import { guardAdmits, matchLeaf, matchObject } from './match.js';
import { isPlainObject, show } from './operators.js';

/**
 * Why a pattern did or did not match, one entry per leaf (and per `$or` group): the CLI's
 * `filter test` prints them. Slow path only; the matcher in match.ts is what filters records.
 */
export interface ExplainEntry {
  /** Path of the key in the event (and pattern), e.g. `body.items[1].sku` or `$or[0].type`. */
  path: string;
  /** `value`: a leaf; `or`: a `$or` group; `format`: Lambda's body/data format rule; `elided`: elements not shown. */
  kind: 'value' | 'or' | 'format' | 'elided';
  /** The pattern side, e.g. `numeric [">", 10]` or `["order"]`. */
  expected: string;
  /** The event's value; undefined when the key is missing (a count for `or` and `elided`). */
  actual: unknown;
  matched: boolean;
}
export interface Explanation { matched: boolean; entries: ExplainEntry[] }

/** Elements of an event array explained when none matched. */
const MAX_ELEMENTS = 10;

export function explainTree(root: ObjectNode, event: unknown): Explanation {
  const entries: ExplainEntry[] = [];
  const matched = explainObject(root, event, [], entries);
  return { matched, entries };
}

function explainObject(node: ObjectNode, value: unknown, path: PathPart[], out: ExplainEntry[]): boolean {
  if (Array.isArray(value) && value.length > 0) {
    const hit = value.findIndex((element) => matchObject(node, element));
    if (hit >= 0) return explainObject(node, value[hit], [...path, hit], out);
    value.slice(0, MAX_ELEMENTS).forEach((element, i) => explainObject(node, element, [...path, i], out));
    if (value.length > MAX_ELEMENTS) {
      out.push({ path: formatPath(path), kind: 'elided', expected: '', actual: value.length - MAX_ELEMENTS, matched: false });
    }
    return false;
  }
  const object = isPlainObject(value) ? value : undefined;
  let all = true;
  for (const { key, node: child } of node.fields) {
    const actual = object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
    all = explainNode(child, actual, [...path, key], out) && all;
  }
  for (const branches of node.ors) {
    const slot = out.length;
    out.push({ path: '', kind: 'or', expected: '', actual: 0, matched: false });
    let count = 0;
    branches.forEach((branch, i) => { if (explainObject(branch, object, [...path, '$or', i], out)) count++; });
    out[slot] = { path: formatPath([...path, '$or']), kind: 'or', expected: `any of ${branches.length} branches`, actual: count, matched: count > 0 };
    all = count > 0 && all;
  }
  return all;
}

function explainNode(node: PatternNode, value: unknown, path: PathPart[], out: ExplainEntry[]): boolean {
  if (node.kind === 'object') return explainObject(node, value, path, out);
  if (node.kind === 'guard') {
    if (guardAdmits(node.wants, value)) return explainNode(node.inner, value, path, out);
    const expected = node.wants === 'json'
      ? 'a JSON object or array (the pattern has fields under it)'
      : 'a non-JSON value (the pattern lists plain values for it)';
    out.push({ path: formatPath(path), kind: 'format', expected, actual: value, matched: false });
    return false;
  }
  const matched = matchLeaf(node, value);
  out.push({ path: formatPath(path), kind: 'value', expected: describeValues(node.source), actual: value, matched });
  return matched;
}

/** `numeric [">", 10]` for a single operator, else the list: `["order", {"prefix": "x"}]`. */
function describeValues(values: readonly unknown[]): string {
  const [only] = values;
  if (values.length === 1 && isPlainObject(only) && Object.keys(only).length === 1) {
    const [name] = Object.keys(only);
    return `${name} ${show(only[name])}`;
  }
  return show(values);
}

const MAX_ACTUAL = 80;
const actualText = (value: unknown) => {
  const text = show(value);
  return text.length > MAX_ACTUAL ? `${text.slice(0, MAX_ACTUAL - 1)}…` : text;
};

const MARK = (matched: boolean) => (matched ? '✓' : '✗');
const LINES: Record<ExplainEntry['kind'], (entry: ExplainEntry) => string> = {
  value: (e) => (e.actual === undefined
    ? `${MARK(e.matched)} ${e.path}: ${e.expected}, key is missing`
    : `${MARK(e.matched)} ${e.path}: ${e.expected} ${e.matched ? 'matched' : 'got'} ${actualText(e.actual)}`),
  or: (e) => `${MARK(e.matched)} ${e.path}: ${e.expected}, ${String(e.actual)} matched`,
  format: (e) => `${MARK(e.matched)} ${e.path}: expected ${e.expected}, got ${e.actual === undefined ? 'nothing (key is missing)' : actualText(e.actual)}`,
  elided: (e) => `… ${e.path}: ${String(e.actual)} more elements, none matched`,
};

/** One line per entry: `✓ body.size: numeric [">", 10] matched 42`, `✗ body.type: ["order"] got "refund"`. */
export function formatExplanation(explanation: Explanation): string[] {
  return explanation.entries.map((entry) => LINES[entry.kind](entry));
}
