import type { Stack } from './stack.js';
import { attributeValue } from './physical.js';

/**
 * References to resources SAM generates for an AWS::Serverless::Function with AutoPublishAlias:
 * its referable properties `!Ref MyFunction.Alias` and `!Ref MyFunction.Version` (also
 * `${MyFunction.Alias}` in Fn::Sub) and the generated logical id `MyFunctionAlias<alias>`. They
 * give what Ref of the AWS::Lambda::Alias / AWS::Lambda::Version gives: the alias's ARN, and the
 * version's (version 1: locally every version runs the current code).
 */
const PROPERTY = /^(.+)\.(Alias|Version)$/;

export function samReference(stack: Stack, reference: string): string | undefined {
  const property = PROPERTY.exec(reference);
  if (property) return qualified(stack, property[1], property[2] as 'Alias' | 'Version');
  for (const [logicalId, resource] of stack.resources) {
    if (resource.Type !== 'AWS::Serverless::Function' || !reference.startsWith(`${logicalId}Alias`)) continue;
    if (alias(stack, logicalId) === reference.slice(`${logicalId}Alias`.length)) return qualified(stack, logicalId, 'Alias');
  }
  return undefined;
}

function qualified(stack: Stack, logicalId: string, kind: 'Alias' | 'Version'): string | undefined {
  const resource = stack.resources.get(logicalId);
  const name = alias(stack, logicalId);
  if (resource?.Type !== 'AWS::Serverless::Function' || name === undefined) return undefined;
  return `${attributeValue(resource.Type, 'Arn', stack.name(logicalId), stack.identity)}:${kind === 'Alias' ? name : '1'}`;
}

function alias(stack: Stack, logicalId: string): string | undefined {
  const value = stack.resources.get(logicalId)?.Properties.AutoPublishAlias;
  return value === undefined ? undefined : stack.resolver.string(value, `Resources.${logicalId}.Properties.AutoPublishAlias`);
}
