import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Callback, Context } from 'aws-lambda';
import type { BootstrapSpec } from '../protocol.js';
import { bindSdkV2Endpoints } from './sdk-v2-endpoints.js';

export type Handler = (event: unknown, context: Context, callback: Callback<unknown>) => unknown;

/**
 * Imports the handler module (ESM, CJS or, with tsx loaded, TS) and finds its export. Failures
 * carry Lambda's error types, as its Node.js runtime (UserFunction.js) gives them:
 * Runtime.ImportModuleError (the module missing, or a CommonJS `require` of one that is: Node's
 * MODULE_NOT_FOUND; an ES module's missing import is Node's own `Error`, ERR_MODULE_NOT_FOUND, on
 * Lambda too), Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound; errors the module itself
 * throws at load pass through unchanged.
 */
export async function loadHandler(spec: BootstrapSpec): Promise<Handler> {
  if (!existsSync(spec.handlerFile)) {
    // Lambda's require.resolve of the module, relative to the task root, from its runtime.
    const module = path.basename(spec.handler).split('.')[0];
    throw runtimeError('Runtime.ImportModuleError', `Error: Cannot find module '${module}'\nRequire stack:\n- ${fileURLToPath(import.meta.url)}`);
  }
  let mod: Record<string, unknown>;
  bindSdkV2Endpoints(spec.handlerFile);
  try {
    mod = await import(pathToFileURL(spec.handlerFile).href);
  } catch (err) {
    const sdk = missingSdkPackage(err);
    // Lambda's Node.js runtimes include the AWS SDK v3, so a handler may import it unpackaged.
    if (sdk) console.error(`[triggerhub] ${sdk} is part of Lambda's Node.js runtime but not installed here: add it to the project (npm install ${sdk})`);
    throw classifyImportError(err);
  }
  // An ES module's handler is one of its exports (Lambda looks on the namespace only). A CJS
  // module's `module.exports` is `default`; named exports are only what Node could detect.
  const handler = isEsModule(spec.handlerFile) ? exported(mod, spec.handlerExport)
    : exported(mod, spec.handlerExport) ?? exported(mod.default, spec.handlerExport);
  if (handler === undefined) throw runtimeError('Runtime.HandlerNotFound', `${spec.handler} is undefined or not exported`);
  if (typeof handler !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${spec.handler} is not a function`);
  return handler as Handler;
}

/**
 * The export a handler's path names: `handler`, or `handlers.main` (each dot a property further
 * in, as Lambda's runtime resolves it; a method of an exported instance counts), never a member
 * every object has (`index.toString`).
 */
function exported(container: unknown, exportPath: string): unknown {
  let value = container;
  for (const key of exportPath.split('.')) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
    if (!Object.hasOwn(value, key) && (Object.hasOwn(Object.prototype, key) || Object.hasOwn(Function.prototype, key))) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The AWS SDK v3 package (`@aws-sdk/client-s3`) a failed import names as missing, if any. */
function missingSdkPackage(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find (?:package|module) '(@aws-sdk\/[\w.-]+)/.exec(String((err as Error).message))?.[1];
}

function classifyImportError(err: unknown): unknown {
  // tsx reports TypeScript it cannot parse as esbuild's TransformError.
  if (err instanceof SyntaxError || (err as Error | null)?.name === 'TransformError') return runtimeError('Runtime.UserCodeSyntaxError', String(err));
  if ((err as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') return runtimeError('Runtime.ImportModuleError', String(err));
  return err;
}

/**
 * `.mjs`, or `.js` whose nearest package.json says `"type": "module"`, looked for as Lambda's
 * runtime does (`_hasFolderPackageJsonTypeModule`: up to the root, stopping at a `node_modules`
 * folder; a package.json that cannot be read counts as CommonJS).
 */
function isEsModule(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let folder = path.dirname(file); !folder.endsWith(`${path.sep}node_modules`); folder = path.dirname(folder)) {
    const manifest = path.join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown } | null)?.type === 'module';
      } catch {
        return false;
      }
    }
    if (folder === path.dirname(folder)) return false;
  }
  return false;
}

function runtimeError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
