import path from 'node:path';
import { runtimeFamily } from '../config/schema.js';
import type { FunctionConfig } from './types.js';

/**
 * The search paths Lambda gives a function's layers (extracted into /opt there), for local layer
 * directories: NODE_PATH (`nodejs/node<major>/node_modules`, `nodejs/node_modules`) for Node,
 * PYTHONPATH (`python/lib/python3.x/site-packages`, `python`) for Python, and for every runtime
 * `bin` after the hub's PATH and `lib` on LD_LIBRARY_PATH, as Lambda's /opt/bin and /opt/lib.
 * Lambda extracts layers in order, a later layer overwriting an earlier one's files, so later
 * layers come first here. The function's own `environment` may still override these variables.
 */
export function layerEnvironment(fn: FunctionConfig, hubPath: string | undefined): Record<string, string> {
  if (!fn.layers.length) return {};
  const dirs = [...fn.layers].reverse();
  const under = (...parts: string[]) => dirs.map((dir) => path.join(dir, ...parts));
  const env: Record<string, string> = {
    PATH: join([...(hubPath ? [hubPath] : []), ...under('bin')]),
    LD_LIBRARY_PATH: join(under('lib')),
  };
  const family = runtimeFamily(fn.runtime);
  if (family === 'node') {
    const major = fn.runtime.match(/^nodejs(\d+)/)?.[1];
    env.NODE_PATH = join(dirs.flatMap((dir) => [path.join(dir, 'nodejs', `node${major}`, 'node_modules'), path.join(dir, 'nodejs', 'node_modules')]));
  } else if (family === 'python') {
    env.PYTHONPATH = join(dirs.flatMap((dir) => [path.join(dir, 'python', 'lib', fn.runtime, 'site-packages'), path.join(dir, 'python')]));
  }
  return env;
}

function join(dirs: string[]): string {
  return dirs.join(path.delimiter);
}
