// Module scope survives warm invocations, as on Lambda: the count grows until the
// execution environment is recycled (idle timeout, crash, timeout).
import type { Context } from 'aws-lambda';

let invocations = 0;
const coldStartAt = new Date().toISOString();

export const handler = async (_event: unknown, context: Context) => {
  invocations += 1;
  return { invocations, coldStartAt, remainingMs: context.getRemainingTimeInMillis() };
};
