import type { InvokeResult, LambdaErrorPayload } from '../../runtime/types.js';

/** Lambda's invocation payload limits: 6 MB synchronous, 1 MB asynchronous. */
export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
/** The deprecated InvokeAsync operation kept the old asynchronous limit, 256 KB (Lambda's API reference). */
export const INVOKE_ASYNC_PAYLOAD_LIMIT = 256 * 1024;
/** SNS takes messages of at most 256 KiB, message attributes included. */
export const SNS_MESSAGE_BYTES = 256 * 1024;
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
  return { ...result, status: 'error', payload: undefined, error: responseTooLarge(size) };
}

/** Lambda's error for a response of `size` bytes over its limit. */
export function responseTooLarge(size: number): LambdaErrorPayload {
  return {
    errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  };
}

/** `{"Records":[]}` around a batch's records. */
const EVENT_OVERHEAD_BYTES = 14;

/**
 * A poller's batch as Lambda fills it: up to `batchSize` records and no more than `maxBytes` of
 * event (Lambda's 6 MB synchronous payload; a single larger record goes alone). Records offered
 * once it is full, or that would take it over, go to `rest`, in order, for the next batch.
 */
export class PayloadBatch<R> {
  readonly records: R[] = [];
  readonly rest: R[] = [];
  #bytes = EVENT_OVERHEAD_BYTES;

  constructor(private readonly batchSize: number, private readonly maxBytes = SYNC_PAYLOAD_LIMIT) {}

  get full(): boolean {
    return this.rest.length > 0 || this.records.length >= this.batchSize;
  }

  take(incoming: Iterable<R>): void {
    for (const record of incoming) {
      const size = Buffer.byteLength(JSON.stringify(record)) + 1;
      if (this.full || (this.records.length && this.#bytes + size > this.maxBytes)) this.rest.push(record);
      else {
        this.records.push(record);
        this.#bytes += size;
      }
    }
  }
}
