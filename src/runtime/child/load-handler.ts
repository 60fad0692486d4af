import { pathToFileURL } from 'node:url';
import type { Callback, Context } from 'aws-lambda';
import type { BootstrapSpec } from '../protocol.js';

export type Handler = (event: unknown, context: Context, callback: Callback<unknown>) => unknown;

const MODULE_NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Imports the handler module (ESM, CJS or, with tsx loaded, TS) and finds its export. Failures
 * carry Lambda's error types: Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
 * Runtime.HandlerNotFound; errors the module itself throws at load pass through unchanged.
 */
export async function loadHandler(spec: BootstrapSpec): Promise<Handler> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(spec.handlerFile).href);
  } catch (err) {
    throw classifyImportError(err);
  }
  // A CJS module's `module.exports` is `default`; named exports are only what Node could detect.
  const handler = exported(mod, spec.handlerExport) ?? exported(mod.default, spec.handlerExport);
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

function classifyImportError(err: unknown): unknown {
  // tsx reports TypeScript it cannot parse as esbuild's TransformError.
  if (err instanceof SyntaxError || (err as Error | null)?.name === 'TransformError') return runtimeError('Runtime.UserCodeSyntaxError', String(err));
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && MODULE_NOT_FOUND.has(code)) return runtimeError('Runtime.ImportModuleError', String(err));
  return err;
}

function runtimeError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
