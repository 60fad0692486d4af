import { isPlainObject } from './shape.js';

/** How an authorizer's IAM policy decides one method ARN. */
export type PolicyDecision = 'allow' | 'deny' | 'implicit-deny';

/**
 * Evaluates the `policyDocument` of a Lambda authorizer's answer for `execute-api:Invoke` on
 * `methodArn` as IAM does: an explicit Deny wins, then any Allow; `*` and `?` are wildcards in
 * Action and Resource. A document that is not a policy decides nothing (undefined).
 */
export function evaluatePolicy(document: unknown, methodArn: string): PolicyDecision | undefined {
  if (!isPlainObject(document)) return undefined;
  const statements = listOf(document.Statement);
  if (!statements.every(isPlainObject)) return undefined;
  let allowed = false;
  for (const statement of statements as Array<Record<string, unknown>>) {
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return undefined;
    const actions = listOf(statement.Action);
    const resources = listOf(statement.Resource);
    if (!actions.every(isString) || !resources.every(isString)) return undefined;
    const applies = actions.some((a) => wildcard(a, 'execute-api:Invoke')) && resources.some((r) => wildcard(r, methodArn));
    if (applies && effect === 'Deny') return 'deny';
    if (applies) allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

const isString = (value: unknown): value is string => typeof value === 'string';
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function wildcard(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(value);
}
