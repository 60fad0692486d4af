import { parseEventMapping, type EventMapping } from '../sources/registry.js';
import { formatPath } from './issues.js';
import { aliasProblem, takeAlias, withAlias } from './mapping-alias.js';
import { isObject } from '../own.js';
import type { FunctionHome } from '../destinations/targets.js';

/**
 * The second pass of loading a config: every `functions.<fn>.events[i]` validated by its source
 * kind (settings schema, then cross-checks against the configured functions). It reads the
 * interpolated config as written, so its problems are listed with the first pass's even when that
 * failed too. Returns each function's mappings, by function name.
 */
export function parseEvents(raw: unknown, home?: FunctionHome): { events: Map<string, EventMapping[]>; problems: string[] } {
  const events = new Map<string, EventMapping[]>();
  const problems: string[] = [];
  const functions = isObject(raw) && isObject(raw.functions) ? raw.functions : {};
  const names = new Set(Object.keys(functions));
  for (const [name, fn] of Object.entries(functions)) {
    const entries = isObject(fn) && Array.isArray(fn.events) ? fn.events as unknown[] : [];
    const mappings: EventMapping[] = [];
    entries.forEach((entry, index) => {
      const { entry: settings, alias } = takeAlias(entry);
      const parsed = parseEventMapping(settings, names, home);
      const aliasIssue = alias === undefined ? undefined : aliasProblem(alias, name, fn);
      if (aliasIssue) problems.push(`${formatPath(['functions', name, 'events', index, Object.keys(settings as object)[0], 'alias'])}: ${aliasIssue}`);
      else if (parsed.mapping) mappings.push(alias === undefined ? parsed.mapping : withAlias(parsed.mapping, alias as string));
      for (const problem of parsed.problems) {
        problems.push(`${formatPath(['functions', name, 'events', index, ...problem.path])}: ${problem.message}`);
      }
    });
    events.set(name, mappings);
  }
  return { events, problems };
}

