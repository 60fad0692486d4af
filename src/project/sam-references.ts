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
/** An AWS::Serverless::Api's or HttpApi's `!Ref MyApi.Stage` (`${MyApi.Stage}`): its StageName (an HTTP API's default: `$default`). */
const STAGE = /^(.+)\.Stage$/;

export function samReference(stack: Stack, reference: string): string | undefined {
  const property = PROPERTY.exec(reference);
  if (property) return qualified(stack, property[1], property[2] as 'Alias' | 'Version');
  const stage = STAGE.exec(reference);
  if (stage) return stageName(stack, stage[1]);
  if (IMPLICIT_APIS.has(reference)) return implicitApi(stack, reference);
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

/** SAM's implicit APIs, made for Api / HttpApi events that name no API of the template. */
const IMPLICIT_APIS = new Map([['ServerlessRestApi', ['Api', 'RestApiId']], ['ServerlessHttpApi', ['HttpApi', 'ApiId']]]);

/** Ref of an implicit API SAM generates: its id (the logical id here, as for any API), when an event makes it. */
function implicitApi(stack: Stack, logicalId: string): string | undefined {
  const [type, idProperty] = IMPLICIT_APIS.get(logicalId)!;
  for (const resource of stack.resources.values()) {
    if (resource.Type !== 'AWS::Serverless::Function' || typeof resource.Properties.Events !== 'object' || resource.Properties.Events === null) continue;
    for (const event of Object.values(resource.Properties.Events as Record<string, unknown>)) {
      const { Type, Properties } = (event ?? {}) as { Type?: unknown; Properties?: Record<string, unknown> };
      if (Type === type && Properties?.[idProperty] === undefined) return logicalId;
    }
  }
  return undefined;
}

function stageName(stack: Stack, logicalId: string): string | undefined {
  const resource = stack.resources.get(logicalId);
  if (resource?.Type !== 'AWS::Serverless::Api' && resource?.Type !== 'AWS::Serverless::HttpApi') return undefined;
  const name = resource.Properties.StageName;
  if (name === undefined) return resource.Type === 'AWS::Serverless::HttpApi' ? '$default' : undefined;
  return stack.resolver.string(name, `Resources.${logicalId}.Properties.StageName`);
}

function alias(stack: Stack, logicalId: string): string | undefined {
  const value = stack.resources.get(logicalId)?.Properties.AutoPublishAlias;
  return value === undefined ? undefined : stack.resolver.string(value, `Resources.${logicalId}.Properties.AutoPublishAlias`);
}
