import { isObject, setOwn } from '../own.js';
import { AttributeFromAws, NO_VALUE, type Resolver } from './intrinsics.js';

/**
 * A function's environment variables, each resolved on its own. One that needs an attribute only AWS
 * knows (an AppSync API's GraphQLUrl, a custom resource's output, a nested stack's Outputs) holds a
 * placeholder naming it, with a warning, so the rest of the project runs; any other error stands.
 */
export function environmentVariables(resolver: Resolver, variables: unknown, at: string, warn: (message: string) => void): unknown {
  if (!isObject(variables) || Object.keys(variables).some((key) => key === 'Ref' || key.startsWith('Fn::'))) {
    return resolver.resolve(variables, at);
  }
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) {
    try {
      const variable = resolver.resolve(value, `${at}.${name}`);
      if (variable !== NO_VALUE) setOwn(resolved, name, variable);
    } catch (error) {
      if (!(error instanceof AttributeFromAws)) throw error;
      warn(`${error.message.replace(`${resolver.scope.file}: `, '')}: the variable holds a placeholder`);
      setOwn(resolved, name, `unresolved-locally:${name}`);
    }
  }
  return resolved;
}
