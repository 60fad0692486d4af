/** Lambda's invocation payload limits: 6 MB synchronous (and responses), 1 MB asynchronous. */
export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
/** A streamed response (InvokeWithResponseStream, RESPONSE_STREAM function URLs). */
export const STREAMED_RESPONSE_LIMIT = 200 * 1024 * 1024;
