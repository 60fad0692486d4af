import type { EventMapping } from '../sources/registry.js';
import { isObject } from '../own.js';

/**
 * `alias:` in an event mapping's settings (`- sqs: { queue, alias: live }`): the mapping invokes
 * that alias of its function (its version and environment), as an AWS event source mapping or
 * API integration pointed at an alias ARN does. Taken out before the kind validates its settings,
 * checked against the function's `aliases`, and kept on the parsed settings for the source's start.
 */
export function takeAlias(entry: unknown): { entry: unknown; alias?: unknown } {
  if (!isObject(entry)) return { entry };
  const [kind] = Object.keys(entry);
  const settings = entry[kind];
  if (Object.keys(entry).length !== 1 || !isObject(settings) || !Object.hasOwn(settings, 'alias')) return { entry };
  const { alias, ...rest } = settings;
  return { entry: { [kind]: rest }, alias };
}

/** The problem with a mapping's alias, if any (`fn` is the raw function config). */
export function aliasProblem(alias: unknown, fnName: string, fn: unknown): string | undefined {
  if (typeof alias !== 'string') return 'must be the name of one of the function\'s aliases';
  const aliases = isObject(fn) && isObject(fn.aliases) ? fn.aliases : {};
  return Object.hasOwn(aliases, alias) ? undefined : `function ${fnName} has no alias "${alias}" (see its aliases:)`;
}

export function withAlias(mapping: EventMapping, alias: string): EventMapping {
  const [kind] = Object.keys(mapping);
  return { [kind]: { ...(mapping[kind] as object), alias } };
}

/** The alias a parsed mapping's settings name, if any. */
export function mappingAlias(settings: unknown): string | undefined {
  return isObject(settings) && typeof settings.alias === 'string' ? settings.alias : undefined;
}

