/** Lambda's invocation payload limits: 6 MB synchronous (and responses), 1 MB asynchronous. */
export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
