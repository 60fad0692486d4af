// Fails on events without a `name`: the walkthrough's way to see retries, the DLQ and a redrive.
export const handler = async (event) => {
  if (!event?.name) {
    const err = new Error('event has no name');
    err.name = 'ValidationError';
    throw err;
  }
  return { hello: event.name };
};
