import { statSync } from 'node:fs';
import path from 'node:path';

/** A layer version ARN: `arn:aws:lambda:<region>:<account>:layer:<name>:<version>`. */
const LAYER_ARN = /^arn:aws[\w-]*:lambda:/;

/**
 * Resolves a function's `layers:` entries, in order, to absolute directories laid out like
 * Lambda's /opt (`nodejs/node_modules`, `python`, `bin`, `lib`). An entry is a name from the
 * top-level `layers:` map, else a directory relative to the config file. An ARN names a layer
 * published to AWS, whose content the hub cannot fetch: a config error naming function and ARN.
 */
export function resolveLayers(
  fnName: string,
  entries: readonly string[],
  named: ReadonlyMap<string, string>,
  baseDir: string,
  problems: string[],
): string[] {
  return entries.map((entry, index) => {
    const at = `functions.${fnName}.layers[${index}]`;
    const namedDir = named.get(entry);
    if (namedDir !== undefined) return namedDir;
    if (LAYER_ARN.test(entry)) {
      problems.push(`${at}: layer ${entry} of function ${fnName} cannot be resolved locally: give the layer's content as a local directory (or a name from the top-level layers map)`);
      return entry;
    }
    return existingDir(at, entry, baseDir, problems);
  });
}

/** The top-level `layers:` map (name → directory) with absolute, checked directories. */
export function resolveNamedLayers(layers: Readonly<Record<string, string>>, baseDir: string, problems: string[]): Map<string, string> {
  return new Map(Object.entries(layers).map(([name, dir]) => [name, existingDir(`layers.${name}`, dir, baseDir, problems)]));
}

function existingDir(at: string, dir: string, baseDir: string, problems: string[]): string {
  const absolute = path.resolve(baseDir, dir);
  let isDir = false;
  try {
    isDir = statSync(absolute).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) problems.push(`${at}: no layer directory ${dir} (resolved to ${absolute})`);
  return absolute;
}
