import type { FunctionConfig } from './load.js';

/** The unpublished version: the function's code and configuration as they are now. */
export const LATEST = '$LATEST';
/**
 * The one published version of a function that has aliases. The hub publishes no code snapshots:
 * version 1 runs the same code as $LATEST (with `--watch`, the current code), and every alias
 * points at it, as right after a first `sam deploy` with AutoPublishAlias.
 */
export const PUBLISHED_VERSION = '1';

/** What an invocation's qualifier names. */
export interface FunctionVariant {
  /** `$LATEST` or `1`: `context.functionVersion`, `X-Amz-Executed-Version`. */
  version: string;
  /** The alias invoked, if any: its environment overrides apply. */
  alias?: string;
  /** The qualifier as given (alias, version or `$LATEST`); absent for an unqualified call. */
  qualifier?: string;
}

/**
 * Resolves an invocation's qualifier (`Qualifier`, `fn:qualifier`, or a qualified ARN): none and
 * `$LATEST` are the latest version; `1` and alias names exist only on a function with `aliases`.
 * Undefined when the function has no such version or alias (the API answers 404).
 */
export function resolveQualifier(fn: FunctionConfig, qualifier: string | undefined): FunctionVariant | undefined {
  if (qualifier === undefined || qualifier === LATEST) return { version: LATEST, qualifier };
  if (!hasVersions(fn)) return undefined;
  if (qualifier === PUBLISHED_VERSION) return { version: PUBLISHED_VERSION, qualifier };
  return Object.hasOwn(fn.aliases, qualifier) ? { version: PUBLISHED_VERSION, alias: qualifier, qualifier } : undefined;
}

/** A function with aliases has a published version (1) besides $LATEST. */
export function hasVersions(fn: FunctionConfig): boolean {
  return Object.keys(fn.aliases).length > 0;
}

/**
 * The function as one variant runs it: the alias's environment over the function's. Each variant
 * has its own execution environments (see RuntimeManager), so aliases never share them.
 */
export function variantEnvironment(fn: FunctionConfig, variant: FunctionVariant): Record<string, string> {
  const alias = variant.alias === undefined ? undefined : fn.aliases[variant.alias];
  return alias ? { ...fn.environment, ...alias.environment } : fn.environment;
}
