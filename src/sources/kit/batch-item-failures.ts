import { z } from 'zod';
import type { InvokeResult } from '../../runtime/types.js';
import { parseJson } from '../../json.js';

/** Why a failed invocation failed its whole batch: `<errorType or status>: <message>`. */
export function invocationFailure(result: InvokeResult): string {
  return `${result.error?.errorType ?? result.status}: ${result.error?.errorMessage ?? ''}`;
}

const schemaFor = (responseType: string) => z.object({
  batchItemFailures: z.array(z.object({
    itemIdentifier: z.string({ error: 'itemIdentifier must be a string' }).min(1, { error: 'itemIdentifier must not be empty' }),
  }, { error: 'each entry must be an object with an itemIdentifier' })).nullish(),
}, { error: `the response must be ${responseType} object` }).nullable();

const schemas = new Map<string, ReturnType<typeof schemaFor>>();

/**
 * The item identifiers a successful invocation reported with ReportBatchItemFailures
 * (`SQSBatchResponse`, `StreamsEventResponse`), as Lambda reads them: a null or empty response
 * (no bytes at all, or the empty string `""` a handler returning `''` sends), `{}` and a null or
 * empty list report none; a response that is not such an object, an entry
 * without a non-empty `itemIdentifier`, or an identifier that is not in the batch fail the whole
 * batch (`invalid` says why). `responseType` comes with its article: 'an SQSBatchResponse'.
 */
export function reportedItemFailures(
  result: InvokeResult, inBatch: (id: string) => boolean, responseType: string,
): { ids: string[] } | { invalid: string } {
  let response: unknown;
  try {
    response = parseJson(result.payload?.trim() || 'null');
  } catch {
    return { invalid: 'the response is not valid JSON' };
  }
  let schema = schemas.get(responseType);
  if (!schema) schemas.set(responseType, (schema = schemaFor(responseType)));
  const parsed = schema.safeParse(response === '' ? null : response);
  if (!parsed.success) return { invalid: `invalid batch response: ${parsed.error.issues[0].message}` };
  const ids = (parsed.data?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
  const stranger = ids.find((id) => !inBatch(id));
  if (stranger !== undefined) return { invalid: `invalid batch response: itemIdentifier "${stranger}" is not in the batch` };
  return { ids };
}
