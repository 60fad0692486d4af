// What a user builds by hand: fastify → queue.add (202 once Redis has the job) → BullMQ worker.
// argv: <redis port> <http port> <inproc|sandboxed|threads>. Job options mirror the hub's
// (attempts 3 with backoff, removeOnComplete, failed jobs capped at 1000).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { handler } from './handler.mjs';

const [redisPort, httpPort, mode] = process.argv.slice(2);
const connection = new Redis({ port: Number(redisPort), host: '127.0.0.1', maxRetriesPerRequest: null });
const queue = new Queue('noop', { connection });
const processorFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'processor.mjs');
const processor = mode === 'inproc'
  ? async (job) => handler(job.data.event, { awsRequestId: job.id, functionName: 'noop' })
  : processorFile;
const worker = new Worker('noop', processor, {
  connection, concurrency: 10, useWorkerThreads: mode === 'threads',
});
worker.on('error', () => undefined);

const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/invoke', async (request, reply) => {
  let event;
  try { event = JSON.parse(request.body.toString()); } catch { return reply.code(400).send({ message: 'invalid JSON' }); }
  await queue.add('event', { event }, { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 1000 } });
  return reply.code(202).send();
});
await app.listen({ port: Number(httpPort), host: '127.0.0.1' });

process.on('SIGTERM', async () => {
  await app.close();
  await worker.close();
  await queue.close();
  await connection.quit();
  process.exit(0);
});
