import type { LambdaErrorPayload } from '../types.js';
import { parseJson } from '../../json.js';

/**
 * The Lambda-Runtime-Function-Error-Type of an `/error` or `/init/error` call as RAPID keeps it
 * (fatalerror.GetValidRuntimeOrFunctionErrorType): a `Runtime.X` or `Function.X` type as sent,
 * else `Function.Unknown` for another `Function.` one and `Runtime.Unknown` for the rest (missing,
 * `Unhandled`, `MyError`).
 */
export function validErrorType(header: string | string[] | undefined): string {
  const type = typeof header === 'string' ? header : '';
  if (/(Runtime|Function)\.[A-Z][a-zA-Z]+/.test(type)) return type;
  return type.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

/**
 * The error document the runtime posted, passed on unchanged (`trace`, `stackTrace`, fields of its
 * own), as Lambda does; only a missing `errorType` is filled in from the
 * Lambda-Runtime-Function-Error-Type header (validated) or trailer (as sent). A body that is not
 * a JSON object becomes the message of a document of that type.
 */
export function errorPayload(body: string, header: string | string[] | undefined): LambdaErrorPayload {
  const typeHeader = typeof header === 'string' && header !== '' ? header : undefined;
  let parsed: unknown;
  try {
    parsed = parseJson(body);
  } catch { /* a runtime may post any body; the header still names the type */ }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { errorType: typeHeader ?? 'Runtime.Unknown', errorMessage: body };
  }
  const document = parsed as LambdaErrorPayload;
  if (typeof document.errorType !== 'string') document.errorType = typeHeader ?? 'Runtime.Unknown';
  return document;
}
