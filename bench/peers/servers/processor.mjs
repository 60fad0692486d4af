// BullMQ sandboxed processor (child process, or worker thread with useWorkerThreads): calls the
// handler with the job's event, as a user wiring BullMQ to Lambda-style handlers by hand would.
import { handler } from './handler.mjs';

export default async function process(job) {
  return handler(job.data.event, { awsRequestId: job.id, functionName: 'noop' });
}
