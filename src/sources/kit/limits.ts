import type { InvokeResult } from '../../runtime/types.js';

/** Lambda's invocation payload limits: 6 MB synchronous, 1 MB asynchronous. */
export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
/** Lambda's limit on a synchronous response: 6 MB and 100 bytes (6291556), the figure its error names. */
export const SYNC_RESPONSE_LIMIT = SYNC_PAYLOAD_LIMIT + 100;
/** A streamed response (InvokeWithResponseStream, RESPONSE_STREAM function URLs). */
export const STREAMED_RESPONSE_LIMIT = 200 * 1024 * 1024;

/**
 * A successful result over Lambda's response limit is a failed invocation, as Lambda reports it:
 * `Function.ResponseSizeTooLarge` (Invoke answers it with `X-Amz-Function-Error`; function URLs,
 * API Gateway and ALB answer their failure status).
 */
export function withinResponseLimit(result: InvokeResult): InvokeResult {
  const size = result.status === 'success' ? Buffer.byteLength(result.payload ?? 'null') : 0;
  if (size <= SYNC_RESPONSE_LIMIT) return result;
  return {
    ...result,
    status: 'error',
    payload: undefined,
    error: {
      errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    },
  };
}
