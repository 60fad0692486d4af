import type { Resolver } from './intrinsics.js';

/**
 * Condition functions (Fn::Equals, Fn::And, Fn::Or, Fn::Not and `Condition: Name`), used in
 * `Conditions:` and wherever a template writes them inline.
 */
type Fn = (resolver: Resolver, args: unknown, at: string) => boolean;

function operands(resolver: Resolver, args: unknown, at: string, min: number, max: number): unknown[] {
  if (!Array.isArray(args) || args.length < min || args.length > max) {
    throw resolver.error(at, min === max ? `must be a list of ${min}` : `must be a list of ${min} to ${max} conditions`);
  }
  return args.map((arg, i) => resolver.resolve(arg, `${at}[${i}]`));
}

function truth(resolver: Resolver, value: unknown, at: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw resolver.error(at, 'must be a condition (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)');
}

export const conditionFunctions = new Map<string, Fn>([
  ['Fn::Equals', (resolver, args, at) => {
    const [a, b] = operands(resolver, args, at, 2, 2);
    return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
  }],
  ['Fn::And', (resolver, args, at) => operands(resolver, args, at, 2, 10).every((value, i) => truth(resolver, value, `${at}[${i}]`))],
  ['Fn::Or', (resolver, args, at) => operands(resolver, args, at, 2, 10).some((value, i) => truth(resolver, value, `${at}[${i}]`))],
  ['Fn::Not', (resolver, args, at) => !truth(resolver, operands(resolver, args, at, 1, 1)[0], `${at}[0]`)],
  ['Condition', (resolver, args, at) => {
    if (typeof args !== 'string') throw resolver.error(at, 'must name a condition');
    return resolver.scope.condition(args, at);
  }],
]);
