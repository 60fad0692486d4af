/**
 * The values of one leaf array of an EventBridge pattern (`"size": [1, {"numeric": [">", 10]}]`),
 * compiled once into tests of one event leaf. A test never allocates: strings are compared in
 * place, ignore-case forms use precompiled `iu` regular expressions, exact values share one Set.
 */
import { BlockList, isIP } from 'node:net';
import { isObject, own } from '../own.js';
export type Leaf = string | number | boolean | null;
export type LeafTest = (value: Leaf) => boolean;
type Outcome = { test: LeafTest } | { error: string };

export interface LeafNode {
  kind: 'leaf';
  tests: LeafTest[];
  /** `{"exists": true}` is among the values: any leaf at the key matches. */
  whenPresent: boolean;
  /** `{"exists": false}` is among the values: no leaf at the key matches. */
  whenAbsent: boolean;
  /** The pattern array, for explanations. */
  source: readonly unknown[];
}

export const OPERATOR_NAMES = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'cidr', 'exists'] as const;

const ok = (test: LeafTest): Outcome => ({ test });
const fail = (error: string): Outcome => ({ error });
const isString = (value: unknown): value is string => typeof value === 'string';
export const isPlainObject = isObject;

/** JSON as people write it (a space after `,` and `:`), for messages and explanations. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (isPlainObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${show(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

export function anyPasses(tests: readonly LeafTest[], value: Leaf): boolean {
  for (let i = 0; i < tests.length; i++) if (tests[i](value)) return true;
  return false;
}

/** Only the characters that are syntax in a `u`-mode regular expression may be escaped there. */
const escapeRegex = (text: string) => text.replace(/[\^$\\.*+?()[\]{}|/]/g, '\\$&');
const ignoreCase = (text: string, anchor: 'start' | 'end' | 'both') =>
  new RegExp(`${anchor === 'end' ? '' : '^'}${escapeRegex(text)}${anchor === 'start' ? '' : '$'}`, 'iu');

/** `x` or `{"equals-ignore-case": x}`: the forms `prefix` and `suffix` take. */
function affix(name: 'prefix' | 'suffix', arg: unknown): Outcome {
  const atStart = name === 'prefix';
  if (isString(arg)) return ok(atStart ? (v) => isString(v) && v.startsWith(arg) : (v) => isString(v) && v.endsWith(arg));
  if (isPlainObject(arg) && Object.keys(arg).length === 1 && isString(arg['equals-ignore-case'])) {
    const re = ignoreCase(arg['equals-ignore-case'], atStart ? 'start' : 'end');
    return ok((v) => isString(v) && re.test(v));
  }
  return fail(`${name} must be a string or {"equals-ignore-case": "..."} (got ${show(arg)})`);
}

/**
 * Splits a wildcard on its unescaped `*`: `a*b\*c` → ["a", "b*c"]. `\*` is a literal star, `\\` a
 * literal backslash; any other escape and consecutive stars are invalid, as in Event Ruler.
 */
function wildcardSegments(text: string): string[] | string {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return 'wildcard may escape only * and \\ with a backslash';
      current += next;
      i++;
    } else if (c === '*') {
      if (text[i + 1] === '*') return 'wildcard must not contain consecutive * characters';
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  segments.push(current);
  return segments;
}

/** Glob match without backtracking: anchored first and last segments, the middle ones leftmost. */
function globTest(segments: string[]): LeafTest {
  if (segments.length === 1) return (v) => v === segments[0];
  const first = segments[0];
  const last = segments[segments.length - 1];
  return (v) => {
    if (!isString(v) || v.length < first.length + last.length || !v.startsWith(first) || !v.endsWith(last)) return false;
    const end = v.length - last.length;
    let at = first.length;
    for (let i = 1; i < segments.length - 1; i++) {
      const found = v.indexOf(segments[i], at);
      if (found < 0 || found + segments[i].length > end) return false;
      at = found + segments[i].length;
    }
    return true;
  };
}

function wildcard(arg: unknown): Outcome {
  if (!isString(arg)) return fail(`wildcard must be a string (got ${show(arg)})`);
  const segments = wildcardSegments(arg);
  return isString(segments) ? fail(segments) : ok(globTest(segments));
}

function equalsIgnoreCase(arg: unknown): Outcome {
  if (!isString(arg)) return fail(`equals-ignore-case must be a string (got ${show(arg)})`);
  const re = ignoreCase(arg, 'both');
  return ok((v) => isString(v) && re.test(v));
}

const LOWER = ['>', '>='];
const UPPER = ['<', '<='];
const NUMERIC_USAGE = 'numeric must be an array like [">", 0, "<=", 5], ["<", 10] or ["=", 5]';

/** `["=", n]`, or one lower bound and/or one upper bound in either order; JSON numbers only. */
function numeric(arg: unknown): Outcome {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    return fail(`${NUMERIC_USAGE} (got ${show(arg)})`);
  }
  let low = -Infinity, lowOpen = false, hasLow = false;
  let high = Infinity, highOpen = false, hasHigh = false;
  for (let i = 0; i < arg.length; i += 2) {
    const [op, n] = [arg[i], arg[i + 1]];
    if (op !== '=' && !LOWER.includes(op) && !UPPER.includes(op)) {
      return fail(`numeric operator must be one of =, <, <=, >, >= (got ${show(op)})`);
    }
    if (typeof n !== 'number' || !Number.isFinite(n)) return fail(`numeric value after "${op}" must be a number (got ${show(n)})`);
    if (op === '=') {
      if (arg.length !== 2) return fail('numeric "=" cannot be combined with another operator');
      return ok((v) => v === n);
    }
    if (LOWER.includes(op)) {
      if (hasLow) return fail('numeric has two lower bounds (> or >=): give at most one lower and one upper bound');
      [low, lowOpen, hasLow] = [n, op === '>', true];
    } else {
      if (hasHigh) return fail('numeric has two upper bounds (< or <=): give at most one lower and one upper bound');
      [high, highOpen, hasHigh] = [n, op === '<', true];
    }
  }
  if (low > high || (low === high && (lowOpen || highOpen))) {
    return fail(`numeric range ${show(arg)} is empty: no number is ${lowOpen ? '>' : '>='} ${low} and ${highOpen ? '<' : '<='} ${high}`);
  }
  return ok((v) => typeof v === 'number' && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high));
}

/**
 * `{"cidr": "10.0.0.0/24"}` (IPv4 or IPv6, `<address>/<prefix length>`): a string leaf that is an IP
 * address of that block, as EventBridge's IP address matching (and Lambda's, which runs the same
 * engine: aws-samples lambda-esm-sqs-filters-sam filters SQS messages on it).
 */
function cidr(arg: unknown): Outcome {
  const usage = `cidr must be "<IPv4 or IPv6 address>/<prefix length>", such as "10.0.0.0/24" (got ${show(arg)})`;
  const slash = isString(arg) ? arg.lastIndexOf('/') : -1;
  if (!isString(arg) || slash < 0) return fail(usage);
  const address = arg.slice(0, slash);
  const bits = arg.slice(slash + 1);
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > max) return fail(usage);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const block = new BlockList();
  block.addSubnet(address, Number(bits), type);
  return ok((v) => isString(v) && isIP(v) === family && block.check(v, type));
}

const ANYTHING_BUT_USAGE = 'anything-but must be a string, a number, a list of only strings or only numbers, '
  + 'or one of {"prefix": "..."}, {"suffix": "..."}, {"equals-ignore-case": "..." | [...]}, {"wildcard": "..." | [...]}';

/** Each value of a string-or-list argument through `compile`, OR-ed. */
function anyOf(arg: unknown, compile: (value: unknown) => Outcome): Outcome {
  const values = Array.isArray(arg) ? arg : [arg];
  if (values.length === 0) return fail(ANYTHING_BUT_USAGE);
  const tests: LeafTest[] = [];
  for (const value of values) {
    const outcome = compile(value);
    if ('error' in outcome) return outcome;
    tests.push(outcome.test);
  }
  return ok(tests.length === 1 ? tests[0] : (v) => anyPasses(tests, v));
}

const nonEmpty = (compile: (value: unknown) => Outcome) => (value: unknown): Outcome =>
  value === '' ? fail('anything-but prefix/suffix must not be empty') : compile(value);

const ANYTHING_BUT_FORMS: Record<string, (arg: unknown) => Outcome> = {
  prefix: nonEmpty((value) => (isString(value) ? affix('prefix', value) : fail(ANYTHING_BUT_USAGE))),
  suffix: nonEmpty((value) => (isString(value) ? affix('suffix', value) : fail(ANYTHING_BUT_USAGE))),
  'equals-ignore-case': (arg) => anyOf(arg, equalsIgnoreCase),
  wildcard: (arg) => anyOf(arg, wildcard),
};

/** Matches a present leaf the inner form does not match (a missing key never matches). */
function anythingBut(arg: unknown): Outcome {
  let inner: Outcome;
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const form = keys.length === 1 ? own(ANYTHING_BUT_FORMS, keys[0]) : undefined;
    inner = form ? form(arg[keys[0]]) : fail(`${ANYTHING_BUT_USAGE} (got ${show(arg)})`);
  } else {
    const values = Array.isArray(arg) ? arg : [arg];
    const allStrings = values.every(isString);
    const allNumbers = values.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0 || !(allStrings || allNumbers)) return fail(`${ANYTHING_BUT_USAGE} (got ${show(arg)})`);
    const excluded = new Set<Leaf>(values as Leaf[]);
    inner = ok((v) => excluded.has(v));
  }
  if ('error' in inner) return inner;
  const test = inner.test;
  return ok((v) => !test(v));
}

const OPERATORS: Record<string, (arg: unknown) => Outcome> = {
  prefix: (arg) => affix('prefix', arg),
  suffix: (arg) => affix('suffix', arg),
  'equals-ignore-case': equalsIgnoreCase,
  wildcard,
  'anything-but': anythingBut,
  numeric,
  cidr,
};

/**
 * Compiles one leaf array. Problems are appended to `problems` (the caller adds the path); an
 * invalid leaf still yields a node, never used because the pattern as a whole is rejected.
 */
export function compileLeaf(values: readonly unknown[], problems: string[]): LeafNode {
  const node: LeafNode = { kind: 'leaf', tests: [], whenPresent: false, whenAbsent: false, source: values };
  if (values.length === 0) problems.push('must not be an empty array: list at least one value (AWS rejects [])');
  const exact = new Set<Leaf>();
  for (const value of values) {
    if (value === null || isString(value) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      exact.add(value);
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length !== 1) {
        problems.push(`an operator object must have exactly one key (got ${keys.length ? keys.join(', ') : 'none'})`);
        continue;
      }
      const [name] = keys;
      const arg = value[name];
      if (name === 'exists') {
        if (typeof arg !== 'boolean') problems.push(`exists must be true or false (got ${show(arg)})`);
        else if (arg) node.whenPresent = true;
        else node.whenAbsent = true;
        continue;
      }
      const operator = own(OPERATORS, name);
      if (!operator) {
        problems.push(`unknown operator "${name}" (known: ${OPERATOR_NAMES.join(', ')})`);
        continue;
      }
      const outcome = operator(arg);
      if ('error' in outcome) problems.push(outcome.error);
      else node.tests.push(outcome.test);
    } else {
      problems.push(`match values must be strings, numbers, booleans, null or operator objects (got ${show(value)})`);
    }
  }
  if (exact.size === 1) {
    const [only] = exact;
    node.tests.unshift((v) => v === only);
  } else if (exact.size > 1) {
    node.tests.unshift((v) => exact.has(v));
  }
  return node;
}
