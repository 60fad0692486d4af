/**
 * ES module resolution from layers. NODE_PATH serves `require` only; Lambda's Node.js runtimes
 * (18 and later) also let `import 'pkg'` find a package in a layer's node_modules. Loaded with
 * `--import` into an environment whose function has layers: it registers itself as a module
 * hook (hooks run on their own thread), and a bare specifier the normal resolution cannot find is
 * resolved again from each NODE_PATH directory, in order. Plain JavaScript, so the same file
 * serves the hub run from src/ and from dist/ (tsc does not copy it: read from src/, as the
 * Python bootstrap is).
 */
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

const parents = (process.env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean)
  // A file beside node_modules: resolving a bare name from it looks in that node_modules first.
  .map((dir) => pathToFileURL(path.join(path.dirname(dir), 'layer-resolve.mjs')).href);

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
