import { describe, expect, it } from 'vitest';
import { formatIssues } from '../src/config/issues.js';
import { buildConfig } from '../src/config/load.js';
import { FIXTURES } from './helpers/paths.js';
import { isHubError } from '../src/errors.js';
import {
  compileFilterCriteria, explainPattern, filterCriteriaSchema, filterView, formatExplanation, matchPattern,
  streamFilterCriteriaSchema,
} from '../src/filters/criteria.js';

type Case = [name: string, pattern: Record<string, unknown>, event: unknown, matches: boolean];

/** Every case runs through matchPattern and explainPattern, which must agree. */
function table(title: string, cases: Case[]) {
  describe(title, () => {
    it.each(cases)('%s', (_name, pattern, event, matches) => {
      expect(matchPattern(pattern, event)).toBe(matches);
      expect(explainPattern(pattern, event).matched).toBe(matches);
    });
  });
}

// The sample event of the Event Ruler README (the engine behind EventBridge and Lambda filtering).
const ec2 = {
  version: '0',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

table('exact values', [
  ['string equals', { name: ['Alice'] }, { name: 'Alice' }, true],
  ['strings are case-sensitive', { name: ['Alice'] }, { name: 'alice' }, false],
  ['a value list is an OR', { pay: ['Credit', 'Debit'] }, { pay: 'Debit' }, true],
  ['a value list misses', { pay: ['Credit', 'Debit'] }, { pay: 'Cash' }, false],
  ['empty string matches empty', { last: [''] }, { last: '' }, true],
  ['empty string is not missing', { last: [''] }, {}, false],
  ['number equals', { n: [5] }, { n: 5 }, true],
  ['300 and 300.0 are one JSON number once parsed', { n: [300] }, { n: 300.0 }, true],
  ['a number does not match its string', { n: [5] }, { n: '5' }, false],
  ['a string does not match the number', { n: ['5'] }, { n: 5 }, false],
  ['true matches true', { ok: [true] }, { ok: true }, true],
  ['true does not match "true"', { ok: [true] }, { ok: 'true' }, false],
  ['false does not match a missing key', { ok: [false] }, {}, false],
  ['null matches null', { id: [null] }, { id: null }, true],
  ['null does not match a missing key', { id: [null] }, {}, false],
  ['null does not match "null"', { id: [null] }, { id: 'null' }, false],
  ['mixed list', { v: ['a', 1, null, false] }, { v: false }, true],
  ['a leaf pattern does not match an object', { detail: ['x'] }, { detail: { x: 1 } }, false],
]);

table('prefix, suffix, equals-ignore-case', [
  ['prefix', { region: [{ prefix: 'us-' }] }, { region: 'us-east-1' }, true],
  ['prefix miss', { region: [{ prefix: 'us-' }] }, { region: 'eu-west-1' }, false],
  ['prefix is case-sensitive', { region: [{ prefix: 'us-' }] }, { region: 'US-east-1' }, false],
  ['prefix only on strings', { n: [{ prefix: '1' }] }, { n: 123 }, false],
  ['empty prefix matches any string', { s: [{ prefix: '' }] }, { s: 'x' }, true],
  ['prefix ignore case', { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'eventbridge' }, true],
  ['prefix ignore case miss', { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'xeventb' }, false],
  ['suffix', { file: [{ suffix: '.png' }] }, { file: 'cat.png' }, true],
  ['suffix is case-sensitive', { file: [{ suffix: '.png' }] }, { file: 'cat.PNG' }, false],
  ['suffix ignore case', { file: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { file: 'cat.PNG' }, true],
  ['suffix only on strings', { n: [{ suffix: '3' }] }, { n: 123 }, false],
  ['equals-ignore-case', { name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'ALICE' }, true],
  ['equals-ignore-case is whole-value', { name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'alicex' }, false],
  ['equals-ignore-case takes regex characters literally', { v: [{ 'equals-ignore-case': 'a.b+' }] }, { v: 'A.B+' }, true],
  ['regex characters are not wildcards', { v: [{ 'equals-ignore-case': 'a.b' }] }, { v: 'axb' }, false],
  ['equals-ignore-case is Unicode-aware', { v: [{ 'equals-ignore-case': 'ÉCOLE' }] }, { v: 'école' }, true],
]);

table('anything-but', [
  ['string', { state: [{ 'anything-but': 'initializing' }] }, { state: 'running' }, true],
  ['string excluded', { state: [{ 'anything-but': 'initializing' }] }, { state: 'initializing' }, false],
  ['number', { x: [{ 'anything-but': 123 }] }, { x: 124 }, true],
  ['number excluded', { x: [{ 'anything-but': 123 }] }, { x: 123 }, false],
  ['a string list', { state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { state: 'overloaded' }, false],
  ['a number list', { x: [{ 'anything-but': [100, 200, 300] }] }, { x: 301.8 }, true],
  ['a missing key never matches', { state: [{ 'anything-but': 'x' }] }, {}, false],
  ['another type is not excluded', { state: [{ 'anything-but': 'x' }] }, { state: 5 }, true],
  ['an event array matches if any element is not excluded', { s: [{ 'anything-but': 'a' }] }, { s: ['a', 'b'] }, true],
  ['an event array of only excluded values', { s: [{ 'anything-but': ['a', 'b'] }] }, { s: ['a', 'b'] }, false],
  ['prefix', { state: [{ 'anything-but': { prefix: 'init' } }] }, { state: 'running' }, true],
  ['prefix excluded', { state: [{ 'anything-but': { prefix: 'init' } }] }, { state: 'initializing' }, false],
  ['suffix', { file: [{ 'anything-but': { suffix: '.png' } }] }, { file: 'a.jpg' }, true],
  ['suffix excluded', { file: [{ 'anything-but': { suffix: '.png' } }] }, { file: 'a.png' }, false],
  ['equals-ignore-case', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false],
  ['equals-ignore-case list', { s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] }, { s: 'C' }, true],
  ['wildcard', { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { path: '/usr/lib/x' }, false],
  ['wildcard other path', { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { path: '/usr/bin/x' }, true],
]);

table('numeric', [
  ['range inside', { t: [{ numeric: ['>', 50, '<=', 60] }] }, { t: 60 }, true],
  ['range open bottom', { t: [{ numeric: ['>', 50, '<=', 60] }] }, { t: 50 }, false],
  ['range above', { t: [{ numeric: ['>', 50, '<=', 60] }] }, { t: 60.0001 }, false],
  ['upper bound first', { t: [{ numeric: ['<', 10, '>=', 0] }] }, { t: 0 }, true],
  ['upper bound first, outside', { t: [{ numeric: ['<', 10, '>=', 0] }] }, { t: 10 }, false],
  ['only a lower bound', { t: [{ numeric: ['>=', -5] }] }, { t: -5 }, true],
  ['only an upper bound', { t: [{ numeric: ['<', 0] }] }, { t: -0.5 }, true],
  ['equals', { price: [{ numeric: ['=', 100] }] }, { price: 100 }, true],
  ['equals with exponent', { x: [{ numeric: ['=', 3.018e2] }] }, { x: 301.8 }, true],
  ['equals zero and minus zero', { x: [{ numeric: ['=', 0] }] }, { x: -0 }, true],
  ['a numeric string is not a number', { x: [{ numeric: ['>', 1] }] }, { x: '5' }, false],
  ['null is not a number', { x: [{ numeric: ['<', 1] }] }, { x: null }, false],
  ['a missing key', { x: [{ numeric: ['<', 1] }] }, {}, false],
  ['any array element in range', { x: [{ numeric: ['>', 10] }] }, { x: [1, 20] }, true],
  ['large values', { ts: [{ numeric: ['>=', 1700000000000] }] }, { ts: 1700000000001 }, true],
  ['floats', { x: [{ numeric: ['>', 0.1, '<', 0.3] }] }, { x: 0.1 + 0.2 - 0.0000001 }, true],
  ['combined with exact values (OR)', { x: [{ numeric: ['>', 100] }, 5] }, { x: 5 }, true],
]);

table('exists and null', [
  ['exists: true on a present key', { p: [{ exists: true }] }, { p: 'x' }, true],
  ['exists: true on a missing key', { p: [{ exists: true }] }, {}, false],
  ['exists: true on null (null is a value)', { p: [{ exists: true }] }, { p: null }, true],
  ['exists: false on a missing key', { p: [{ exists: false }] }, {}, true],
  ['exists: false on null', { p: [{ exists: false }] }, { p: null }, false],
  ['exists: false on an empty string', { p: [{ exists: false }] }, { p: '' }, false],
  // EventBridge: exists only works on leaf nodes, so an object there counts as absent.
  ['exists: true on an object', { d: { c: [{ exists: true }] } }, { d: { c: { c1: 100 } } }, false],
  ['exists: false on an object', { d: { c: [{ exists: false }] } }, { d: { c: { c1: 100 } } }, true],
  ['exists: false on an empty array', { p: [{ exists: false }] }, { p: [] }, true],
  ['exists: true on an array with values', { p: [{ exists: true }] }, { p: [1] }, true],
  ['exists: false under a missing parent', { d: { c: [{ exists: false }] } }, {}, true],
  ['exists: false under a string parent', { d: { c: [{ exists: false }] } }, { d: 'x' }, true],
  ['exists: true under a missing parent', { d: { c: [{ exists: true }] } }, {}, false],
  ['exists: false OR a value', { p: [{ exists: false }, 'x'] }, { p: 'x' }, true],
  ['exists: false OR a value, other value', { p: [{ exists: false }, 'x'] }, { p: 'y' }, false],
  ['inherited names are not keys', { constructor: [{ exists: true }] }, {}, false],
]);

// aws-samples lambda-esm-sqs-filters-sam filters SQS messages with it (Lambda runs EventBridge's engine).
table('cidr', [
  ['an IPv4 address in the block', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }, true],
  ['an IPv4 address outside it', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' }, false],
  ['an IPv6 address in the block', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:ffff::1' }, true],
  ['an IPv4 address against an IPv6 block', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' }, false],
  ['not an address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.0.0.0/8' }, false],
  ['not a string', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 10 }, false],
  ['OR-ed with an exact value', { ip: ['192.168.1.1', { cidr: '10.0.0.0/8' }] }, { ip: '192.168.1.1' }, true],
]);

table('wildcard', [
  ['star in the middle', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueService' }, true],
  ['star matches nothing', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleService' }, true],
  ['anchored at both ends', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'xSimpleQueueService' }, false],
  ['several stars', { s: [{ wildcard: '*/lib/*.so' }] }, { s: '/usr/lib/libc.so' }, true],
  ['several stars, wrong order', { s: [{ wildcard: 'a*b*c' }] }, { s: 'acb' }, false],
  ['overlapping segments', { s: [{ wildcard: 'ab*ba' }] }, { s: 'aba' }, false],
  ['repeated segments', { s: [{ wildcard: '*ab*ab' }] }, { s: 'xxabab' }, true],
  ['only a star', { s: [{ wildcard: '*' }] }, { s: '' }, true],
  ['no star is exact', { s: [{ wildcard: 'abc' }] }, { s: 'abcd' }, false],
  ['escaped star is literal', { s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' }, true],
  ['escaped star is not a wildcard', { s: [{ wildcard: 'a\\*b' }] }, { s: 'axb' }, false],
  ['escaped backslash', { s: [{ wildcard: 'a\\\\*' }] }, { s: 'a\\bc' }, true],
  ['only on strings', { s: [{ wildcard: '1*' }] }, { s: 123 }, false],
  ['newlines are ordinary characters', { s: [{ wildcard: 'a*b' }] }, { s: 'a\nb' }, true],
]);

table('AND, $or, nesting', [
  ['every key must match', { a: ['1'], b: ['2'] }, { a: '1', b: '2', c: '3' }, true],
  ['one key failing fails all', { a: ['1'], b: ['2'] }, { a: '1', b: '3' }, false],
  ['a missing key fails', { a: ['1'], b: ['2'] }, { a: '1' }, false],
  ['nested object', { d: { s: ['x'] } }, { d: { s: 'x' } }, true],
  ['nested object missing', { d: { s: ['x'] } }, { s: 'x' }, false],
  ['$or at the root', { source: ['cw'], $or: [{ metric: ['CPU'] }, { ns: ['EC2'] }] }, { source: 'cw', ns: 'EC2' }, true],
  ['$or with no branch matching', { source: ['cw'], $or: [{ metric: ['CPU'] }, { ns: ['EC2'] }] }, { source: 'cw', ns: 'ES' }, false],
  ['$or does not bypass the AND', { source: ['cw'], $or: [{ metric: ['CPU'] }, { ns: ['EC2'] }] }, { source: 'x', ns: 'EC2' }, false],
  ['$or nested in an object', { detail: { $or: [{ a: [1] }, { b: [2] }] } }, { detail: { b: 2 } }, true],
  ['$or branch with an AND', { $or: [{ a: [1], b: [2] }, { c: [3] }] }, { a: 1, b: 3 }, false],
  ['$or inside $or', { $or: [{ a: [1] }, { b: [2], $or: [{ c: [3] }, { d: [4] }] }] }, { b: 2, d: 4 }, true],
  ['$or inside $or, inner fails', { $or: [{ a: [1] }, { b: [2], $or: [{ c: [3] }, { d: [4] }] }] }, { b: 2, d: 5 }, false],
  ['$or with exists: false', { $or: [{ a: [{ exists: false }] }, { a: ['x'] }] }, { a: 'x' }, true],
]);

const employees = { employees: [{ first: 'John', last: 'Doe' }, { first: 'Anna', last: 'Smith' }, { first: 'Peter', last: 'Jones' }] };

table('arrays in events', [
  ['leaf: any element matches', { resources: ['arn:b'] }, { resources: ['arn:a', 'arn:b'] }, true],
  ['leaf: no element matches', { resources: ['arn:c'] }, { resources: ['arn:a', 'arn:b'] }, false],
  ['leaf: empty array', { resources: ['arn:c'] }, { resources: [] }, false],
  ['leaf: nested arrays are flattened', { v: [3] }, { v: [[1, 2], [3]] }, true],
  ['objects in an array', { employees: { first: ['Anna'] } }, employees, true],
  ['fields of one element', { employees: { first: ['Anna'], last: ['Smith'] } }, employees, true],
  ['fields from different elements never combine', { employees: { first: ['Anna'], last: ['Jones'] } }, employees, false],
  ['multi-level arrays', { employees: { first: ['Peter'] } }, { employees: [[employees.employees[0]], [employees.employees[2]]] }, true],
  ['an array at the root', { a: [1] }, [{ a: 2 }, { a: 1 }], true],
  ['exists: false in one element', { employees: { middle: [{ exists: false }] } }, employees, true],
  ['objects inside a leaf array are not leaves', { v: [{ exists: true }] }, { v: [{ a: 1 }] }, false],
]);

table('AWS documentation examples', [
  // Lambda, invocation-eventfiltering: the comparison operator table.
  ['Null', { UserID: [null] }, { UserID: null }, true],
  ['Empty', { LastName: [''] }, { LastName: '' }, true],
  ['Equals', { Name: ['Alice'] }, { Name: 'Alice' }, true],
  ['And', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' }, true],
  ['Or', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Credit' }, true],
  ['Not', { Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' }, true],
  ['Numeric (equals)', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, true],
  ['Numeric (range)', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, true],
  ['Exists', { ProductName: [{ exists: true }] }, { ProductName: 'x' }, true],
  ['Does not exist', { ProductName: [{ exists: false }] }, {}, true],
  ['Begins with', { Region: [{ prefix: 'us-' }] }, { Region: 'us-west-2' }, true],
  // Lambda: metadata and data properties of a Kinesis record (data already parsed).
  ['Kinesis partitionKey and Location', { partitionKey: ['1'], data: { Location: ['Los Angeles'] } }, { partitionKey: '1', data: { Location: 'Los Angeles' } }, true],
  ['DynamoDB multi-level', { dynamodb: { Keys: { Id: { N: ['101'] } } } }, { dynamodb: { Keys: { Id: { N: '101' } }, SizeBytes: 26 } }, true],
  // Event Ruler README / EventBridge content filtering, on its sample EC2 event.
  ['Ruler simple matching', { 'detail-type': ['EC2 Instance State-change Notification'], resources: [ec2.resources[0]], detail: { state: ['initializing', 'running'] } }, ec2, true],
  ['Ruler numeric matching', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, ec2, true],
  ['Ruler complex example', {
    time: [{ prefix: '2017-10-02' }],
    detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ 'anything-but': [100, 200, 300] }] },
  }, ec2, true],
  ['Ruler exists: false', { detail: { 'c-count': [{ exists: false }] } }, ec2, false],
  ['Ruler suffix', { source: [{ suffix: 'ec2' }] }, ec2, true],
  ['Ruler equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ec2, true],
]);

describe('invalid patterns', () => {
  const invalid: [pattern: unknown, message: string][] = [
    [{ body: { size: 'x' } }, 'body.size: must be an array of match values such as ["x"], or an object of nested fields (got "x")'],
    [{ size: 5 }, 'size: must be an array of match values such as [5]'],
    [{}, '(root): must not be empty: AWS rejects {}'],
    [{ a: {} }, 'a: must not be an empty object'],
    [{ a: [] }, 'a: must not be an empty array'],
    [[{ a: [1] }], '(root): must be a JSON object of fields'],
    ['{"a": ', '(root): is not valid JSON'],
    [{ a: [[1]] }, 'a: match values must be strings, numbers, booleans, null or operator objects (got [1])'],
    [{ a: [{ cidrs: '10.0.0.0/24' }] }, 'a: unknown operator "cidrs" (known: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, cidr, exists)'],
    [{ a: [{ cidr: '10.0.0.0' }] }, 'a: cidr must be "<IPv4 or IPv6 address>/<prefix length>", such as "10.0.0.0/24" (got "10.0.0.0")'],
    [{ a: [{ cidr: '10.0.0.0/33' }] }, 'a: cidr must be "<IPv4 or IPv6 address>/<prefix length>"'],
    [{ a: [{ cidr: '10.0.0/8' }] }, 'a: cidr must be'],
    [{ a: [{ cidr: 24 }] }, 'a: cidr must be'],
    [{ a: [{ prefix: 'x', suffix: 'y' }] }, 'a: an operator object must have exactly one key (got prefix, suffix)'],
    [{ a: [{}] }, 'a: an operator object must have exactly one key (got none)'],
    [{ a: [{ prefix: 1 }] }, 'a: prefix must be a string or {"equals-ignore-case": "..."} (got 1)'],
    [{ a: [{ suffix: { 'equals-ignore-case': 1 } }] }, 'a: suffix must be a string'],
    [{ a: [{ 'equals-ignore-case': ['x'] }] }, 'a: equals-ignore-case must be a string'],
    [{ a: [{ exists: 'yes' }] }, 'a: exists must be true or false (got "yes")'],
    [{ body: { size: [{ numeric: ['>', 'x'] }] } }, 'body.size: numeric value after ">" must be a number (got "x")'],
    [{ n: [{ numeric: '>5' }] }, 'n: numeric must be an array like'],
    [{ n: [{ numeric: ['>', 1, '<'] }] }, 'n: numeric must be an array like'],
    [{ n: [{ numeric: ['!=', 1] }] }, 'n: numeric operator must be one of =, <, <=, >, >= (got "!=")'],
    [{ n: [{ numeric: ['=', 1, '<', 5] }] }, 'n: numeric "=" cannot be combined with another operator'],
    [{ n: [{ numeric: ['>', 1, '>=', 5] }] }, 'n: numeric has two lower bounds'],
    [{ n: [{ numeric: ['<', 1, '<=', 5] }] }, 'n: numeric has two upper bounds'],
    [{ n: [{ numeric: ['>', 5, '<', 1] }] }, 'n: numeric range [">", 5, "<", 1] is empty'],
    [{ n: [{ numeric: ['>', 5, '<=', 5] }] }, 'is empty'],
    [{ n: [{ numeric: ['>', Number.NaN] }] }, 'n: numeric value after ">" must be a number (got NaN)'],
    [{ s: [{ wildcard: 'a**b' }] }, 's: wildcard must not contain consecutive * characters'],
    [{ s: [{ wildcard: 'a\\b' }] }, 's: wildcard may escape only * and \\ with a backslash'],
    [{ s: [{ wildcard: 'a\\' }] }, 's: wildcard may escape only'],
    [{ s: [{ 'anything-but': ['a', 1] }] }, 's: anything-but must be a string, a number, a list of only strings or only numbers'],
    [{ s: [{ 'anything-but': [] }] }, 's: anything-but must be'],
    [{ s: [{ 'anything-but': null }] }, 's: anything-but must be'],
    [{ s: [{ 'anything-but': { prefix: '' } }] }, 's: anything-but prefix/suffix must not be empty'],
    [{ s: [{ 'anything-but': { numeric: ['>', 1] } }] }, 's: anything-but must be'],
    [{ $or: [{ a: [1] }] }, '$or: $or must be an array of at least 2 pattern objects'],
    [{ $or: { a: [1] } }, '$or: $or must be an array of at least 2 pattern objects'],
    [{ $or: [{ a: [1] }, {}] }, '$or[1]: each $or branch must be a non-empty pattern object'],
    [{ d: { $or: [{ a: [1] }, { numeric: ['>', 1] }] } }, 'd.$or[1].numeric: "numeric" is an operator, not a field'],
    [{ d: { $or: [{ a: [1] }, { b: [{ prefix: 2 }] }] } }, 'd.$or[1].b: prefix must be a string'],
    [{ a: ['x'.repeat(5000)] }, '(root): is 5010 characters as JSON; Lambda allows at most 4096'],
  ];

  it.each(invalid.map(([pattern, message]) => ({ pattern, message })))('$message', ({ pattern, message }) => {
    let error: unknown;
    try {
      matchPattern(pattern, {});
    } catch (err) {
      error = err;
    }
    expect(isHubError(error, 'TH_ERR_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(message);
    expect(() => explainPattern(pattern, {})).toThrow(message);
  });

  it('reports every problem, each with its path', () => {
    expect(() => matchPattern({ a: 'x', b: [{ numeric: [] }] }, {})).toThrow(
      'invalid filter pattern:\n  a: must be an array of match values such as ["x"], or an object of nested fields (got "x")\n  b: numeric must be an array like',
    );
  });
});

describe('explainPattern', () => {
  it('gives one line per leaf with what matched and what the event held', () => {
    const explanation = explainPattern(
      { body: { size: [{ numeric: ['>', 10] }], type: ['order'], note: [{ exists: true }] } },
      { body: { size: 42, type: 'refund' } },
    );
    expect(explanation.matched).toBe(false);
    expect(explanation.entries).toContainEqual({ path: 'body.size', kind: 'value', expected: 'numeric [">", 10]', actual: 42, matched: true });
    expect(formatExplanation(explanation)).toEqual([
      '✓ body.size: numeric [">", 10] matched 42',
      '✗ body.type: ["order"] got "refund"',
      '✗ body.note: exists true, key is missing',
    ]);
  });

  it('shows $or groups, their branches and the array element that matched', () => {
    const lines = formatExplanation(explainPattern(
      { items: { sku: ['b'] }, $or: [{ a: [1] }, { b: [{ prefix: 'x' }, 'y'] }] },
      { items: [{ sku: 'a' }, { sku: 'b' }], b: 'xy' },
    ));
    expect(lines).toEqual([
      '✓ items[1].sku: ["b"] matched "b"',
      '✓ $or: any of 2 branches, 1 matched',
      '✗ $or[0].a: [1], key is missing',
      '✓ $or[1].b: [{"prefix": "x"}, "y"] matched "xy"',
    ]);
  });

  it('explains each element when none matched, up to ten', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ sku: `s${i}` }));
    const lines = formatExplanation(explainPattern({ items: { sku: ['z'] } }, { items }));
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('✗ items[0].sku: ["z"] got "s0"');
    expect(lines[10]).toBe('… items: 2 more elements, none matched');
  });

  it('explains the body format rule when asked to see the record as SQS does', () => {
    const explanation = explainPattern({ body: ['hello'] }, { body: '{"a": 1}' }, { dataField: 'body' });
    expect(explanation.matched).toBe(false);
    expect(formatExplanation(explanation)).toEqual(['✗ body: expected a non-JSON value (the pattern lists plain values for it), got {"a": 1}']);
  });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('filterView', () => {
  it('parses an SQS body holding a JSON object or array, and copies the record', () => {
    const record = { messageId: 'm1', body: ' {"type": "order"}' };
    expect(filterView(record, 'body', 'utf8')).toEqual({ messageId: 'm1', body: { type: 'order' } });
    expect(record.body).toBe(' {"type": "order"}');
    expect(filterView({ body: '[1, 2]' }, 'body', 'utf8')).toEqual({ body: [1, 2] });
  });

  it('leaves a plain-text body, a JSON scalar and broken JSON as the same record', () => {
    for (const body of ['hello', '42', '"quoted"', '{"broken": ', '']) {
      const record = { body };
      expect(filterView(record, 'body', 'utf8')).toBe(record);
    }
  });

  it('decodes base64 Kinesis data, parsing JSON', () => {
    expect(filterView({ partitionKey: '1', data: b64('{"temp": 46}') }, 'data', 'base64')).toEqual({ partitionKey: '1', data: { temp: 46 } });
    expect(filterView({ data: b64('plain text') }, 'data', 'base64')).toEqual({ data: 'plain text' });
  });

  it('leaves a field that is not a string alone', () => {
    const record = { data: { already: 'parsed' } };
    expect(filterView(record, 'data', 'base64')).toBe(record);
    const empty = {};
    expect(filterView(empty, 'body', 'utf8')).toBe(empty);
  });
});

describe('compileFilterCriteria', () => {
  it('lets every record through without filters', () => {
    expect(compileFilterCriteria(undefined)({ body: 'x' })).toBe(true);
    expect(compileFilterCriteria({ filters: [] })({ body: 'x' })).toBe(true);
    expect(compileFilterCriteria(filterCriteriaSchema.parse({}))({ body: 'x' })).toBe(true);
  });

  it('applies one filter', () => {
    const filter = compileFilterCriteria({ filters: [{ pattern: { eventSource: ['aws:sqs'] } }] });
    expect(filter({ eventSource: 'aws:sqs' })).toBe(true);
    expect(filter({ eventSource: 'aws:kinesis' })).toBe(false);
  });

  it('processes a record when any of several filters matches', () => {
    const filter = compileFilterCriteria({
      filters: [{ pattern: { a: [1] } }, { pattern: '{"b": [2]}' }, { pattern: { c: [{ exists: true }] } }],
    });
    expect([{ a: 1 }, { b: 2 }, { c: null }, { a: 2, b: 3 }].map(filter)).toEqual([true, true, true, false]);
  });

  it('takes the output of filterCriteriaSchema', () => {
    const criteria = filterCriteriaSchema.parse({ filters: [{ pattern: '{"body": {"type": ["order"]}}' }] });
    expect(criteria.filters[0].pattern).toEqual({ body: { type: ['order'] } });
    expect(compileFilterCriteria(criteria, 'body')({ body: '{"type": "order"}' })).toBe(true);
  });

  it('rejects invalid criteria with the path of each problem', () => {
    expect(() => compileFilterCriteria({ filters: [{ pattern: { a: [1] } }, { pattern: { b: { c: 'x' } } }] }))
      .toThrow('invalid filterCriteria: filters[1].pattern.b.c: must be an array of match values');
    const six = Array.from({ length: 6 }, () => ({ pattern: { a: [1] } }));
    expect(() => compileFilterCriteria({ filters: six })).toThrow('at most 5 filters');
  });

  describe('SQS body (dataField body)', () => {
    const sqs = (body: string) => ({ messageId: 'm1', body, attributes: { ApproximateReceiveCount: '1' }, eventSource: 'aws:sqs' });
    const cases: [pattern: Record<string, unknown>, body: string, matches: boolean][] = [
      [{ body: { RequestCode: ['BBBB'] } }, '{"RecordNumber": 1234, "RequestCode": "BBBB"}', true],
      [{ body: { RequestCode: ['BBBB'] } }, '{"RequestCode": "AAAA"}', false],
      [{ body: ['hello'] }, 'hello', true],
      [{ body: [{ prefix: 'he' }] }, 'hello', true],
      [{ body: [{ wildcard: '*ll*' }] }, 'hello', true],
      // A plain-string pattern never matches a JSON body, nor an object pattern a plain one.
      [{ body: ['{"a":1}'] }, '{"a":1}', false],
      [{ body: [{ exists: true }] }, '{"a":1}', false],
      [{ body: [{ exists: false }] }, '{"a":1}', false],
      [{ body: { a: [{ exists: false }] } }, 'hello', false],
      // No pattern on body: only the metadata counts, whatever the body holds.
      [{ attributes: { ApproximateReceiveCount: ['1'] } }, 'hello', true],
      [{ attributes: { ApproximateReceiveCount: ['1'] } }, '{"a": 1}', true],
      [{ eventSource: ['aws:sqs'], body: { a: [1] } }, '{"a": 1}', true],
      [{ $or: [{ body: { a: [1] } }, { body: ['hello'] }] }, 'hello', true],
      [{ $or: [{ body: { a: [1] } }, { body: ['hello'] }] }, '{"a": 1}', true],
      [{ $or: [{ body: { a: [1] } }, { body: ['hello'] }] }, '{"a": 2}', false],
    ];
    it.each(cases)('%j on body %j', (pattern, body, matches) => {
      expect(compileFilterCriteria({ filters: [{ pattern }] }, 'body')(sqs(body))).toBe(matches);
      expect(explainPattern(pattern, sqs(body), { dataField: 'body' }).matched).toBe(matches);
    });
  });

  describe('stream data (dataField data)', () => {
    it('decodes base64 JSON data and filters on it with the metadata', () => {
      const filter = compileFilterCriteria({ filters: [{ pattern: { partitionKey: ['1'], data: { order: { type: ['buy'] } } } }] }, 'data');
      expect(filter({ partitionKey: '1', data: b64('{"order": {"type": "buy", "quantity": 1000}}') })).toBe(true);
      expect(filter({ partitionKey: '2', data: b64('{"order": {"type": "buy"}}') })).toBe(false);
      expect(filter({ partitionKey: '1', data: b64('{"order": {"type": "sell"}}') })).toBe(false);
    });

    it('drops a record whose data is not JSON when a pattern looks at data', () => {
      const filter = compileFilterCriteria({ filters: [{ pattern: { data: { a: [{ exists: false }] } } }] }, 'data');
      expect(filter({ data: b64('plain text') })).toBe(false);
      expect(filter({ data: b64('{"b": 1}') })).toBe(true);
    });

    it('filters on metadata alone when no pattern looks at data', () => {
      const filter = compileFilterCriteria({ filters: [{ pattern: { partitionKey: ['1'] } }] }, 'data');
      expect(filter({ partitionKey: '1', data: b64('plain text') })).toBe(true);
    });

    it('reads utf8 data when told (Redis Streams)', () => {
      const filter = compileFilterCriteria({ filters: [{ pattern: { data: { n: [{ numeric: ['>', 1] }] } } }] }, 'data', 'utf8');
      expect(filter({ data: '{"n": 2}' })).toBe(true);
    });

    it('rejects a plain-value pattern on data, as Lambda does for streams', () => {
      expect(() => compileFilterCriteria({ filters: [{ pattern: { data: ['hello'] } }] }, 'data'))
        .toThrow('filters[0].pattern.data: must be an object of fields such as {"type": ["order"]}');
      expect(() => compileFilterCriteria({ filters: [{ pattern: { $or: [{ a: [1] }, { data: ['x'] }] } }] }, 'data'))
        .toThrow('filters[0].pattern.$or[1].data: must be an object of fields');
    });
  });
});

describe('filterCriteriaSchema', () => {
  const issues = (schema: typeof filterCriteriaSchema, value: unknown) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? '' : formatIssues(parsed.error.issues);
  };

  it('accepts pattern objects and JSON strings and outputs objects', () => {
    const criteria = filterCriteriaSchema.parse({ filters: [{ pattern: { a: [1] } }, { pattern: '{"b": ["x"]}' }] });
    expect(criteria).toEqual({ filters: [{ pattern: { a: [1] } }, { pattern: { b: ['x'] } }] });
  });

  it('names the path of every problem inside a pattern', () => {
    expect(issues(filterCriteriaSchema, {
      filters: [{ pattern: { body: { size: [{ numeric: ['<'] }] } } }, { pattern: '{"a": 1}' }, { pattern: 3 }],
    })).toBe([
      'filters[0].pattern.body.size: numeric must be an array like [">", 0, "<=", 5], ["<", 10] or ["=", 5] (got ["<"])',
      'filters[1].pattern.a: must be an array of match values such as [1], or an object of nested fields (got 1)',
      'filters[2].pattern: must be a pattern object or its JSON text, e.g. {"body": {"type": ["order"]}}',
    ].join('\n'));
  });

  it('rejects more than 5 filters, unknown fields and an empty pattern', () => {
    const six = Array.from({ length: 6 }, () => ({ pattern: { a: [1] } }));
    expect(issues(filterCriteriaSchema, { filters: six })).toBe("filters: must hold at most 5 filters (Lambda's quota per mapping)");
    expect(issues(filterCriteriaSchema, { Filters: [] })).toBe('(root): unknown field "Filters"');
    expect(issues(filterCriteriaSchema, { filters: [{ pattern: {} }] })).toContain('filters[0].pattern: must not be empty');
  });

  it('requires an object under data for streams', () => {
    expect(issues(streamFilterCriteriaSchema, { filters: [{ pattern: { data: { a: [1] } } }] })).toBe('');
    expect(issues(streamFilterCriteriaSchema, { filters: [{ pattern: { a: [1] } }, { pattern: { data: [{ prefix: 'x' }] } }] }))
      .toBe('filters[1].pattern.data: must be an object of fields such as {"type": ["order"]}: Lambda only filters stream data parsed as JSON');
    expect(issues(filterCriteriaSchema, { filters: [{ pattern: { data: ['x'] } }] })).toBe('');
  });
});

describe('filter fields per source', () => {
  const load = (events: unknown[]) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events } } }, { baseDir: FIXTURES });
  const queue = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';
  const criteria = (...patterns: unknown[]) => ({ filters: patterns.map((pattern) => ({ pattern })) });

  it('refuses a field the records never have, naming its path and the fields there are (it would drop every record)', () => {
    expect(load([{ kinesis: { stream: 's', startingPosition: 'LATEST', filterCriteria: criteria({ kinesis: { data: { a: [1] } } }) } }]))
      .toThrow("functions.f.events[0].kinesis.filterCriteria.filters[0].pattern.kinesis: is not a field of a Kinesis record's kinesis object (what filters see); "
        + 'use kinesisSchemaVersion, partitionKey, sequenceNumber, data or approximateArrivalTimestamp');
    expect(load([{ sqs: { queue, filterCriteria: criteria('{"Body": {"type": ["order"]}}') } }]))
      .toThrow('functions.f.events[0].sqs.filterCriteria.filters[0].pattern.Body: is not a field of an SQS record; use messageId, ');
    expect(load([{ dynamodb: { table: 'orders', startingPosition: 'LATEST', filterCriteria: criteria({ dynamodb: { newImage: { s: { S: ['x'] } } } }) } }]))
      .toThrow('functions.f.events[0].dynamodb.filterCriteria.filters[0].pattern.dynamodb.newImage: is not a field of dynamodb; use ApproximateCreationDateTime, ');
    expect(load([{ stream: { key: 'k', startingPosition: 'LATEST', filterCriteria: criteria({ a: [1] }, { $or: [{ data: { a: [1] } }, { __proto__x: [1], eventName: ['x'] }] }) } }]))
      .toThrow(/filters\[0\]\.pattern\.a: is not a field of a Redis stream record's stream object[^]*filters\[1\]\.pattern\.\$or\[1\]\.__proto__x: [^]*filters\[1\]\.pattern\.\$or\[1\]\.eventName: /);
    expect(load([{ sqs: { queue, filterCriteria: criteria('{"__proto__": [1]}') } }])).toThrow('pattern.__proto__: is not a field of an SQS record');
  });

  it('accepts the fields each source\'s filters see, and anything below free-form ones (body, data, images, attributes)', () => {
    expect(load([
      { sqs: { queue, filterCriteria: criteria({ body: { anything: [1] }, attributes: { ApproximateReceiveCount: ['1'] }, messageAttributes: { t: { stringValue: ['x'] } } }) } },
      { kinesis: { stream: 's', startingPosition: 'LATEST', filterCriteria: criteria({ partitionKey: ['1'], data: { x: { y: [1] } } }) } },
      { dynamodb: { table: 'orders', startingPosition: 'LATEST', filterCriteria: criteria({ eventName: ['INSERT'], dynamodb: { NewImage: { s: { S: ['x'] } }, Keys: { id: { N: ['1'] } } } }) } },
      { stream: { key: 'k', startingPosition: 'LATEST', filterCriteria: criteria({ partitionKey: ['p'], fields: { f: ['v'] }, $or: [{ data: { a: [1] } }, { key: ['k'] }] }) } },
    ])).not.toThrow();
  });
});
