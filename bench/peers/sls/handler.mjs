// The no-op handler every system runs: what a function URL would answer, ignored for async events.
export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
