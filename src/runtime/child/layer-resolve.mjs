/**
 * ES module resolution from layers. NODE_PATH serves `require` only; Lambda's Node.js runtimes
 * (18 and later) also let `import 'pkg'` find a package in a layer's node_modules. Registered by
 * layer-register.mjs as a module hook: a bare specifier the normal resolution cannot find is
 * resolved again from each NODE_PATH directory, in order. Plain JavaScript, so the same file
 * serves the hub run from src/ and from dist/ (tsc does not copy it: read from src/, as the
 * Python bootstrap is).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** One file URL beside each NODE_PATH directory: resolving a bare name from it looks in that node_modules first. */
let parents = [];

export function initialize({ nodePath }) {
  parents = nodePath.split(path.delimiter).filter(Boolean)
    .map((dir) => pathToFileURL(path.join(path.dirname(dir), 'layer-resolve.mjs')).href);
}

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const parentURL of parents) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch {
        // not in this layer
      }
    }
    throw err;
  }
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}
