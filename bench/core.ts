/**
 * Core benchmark (`npm run bench`): async Invoke ingest rate, end-to-end async throughput to a
 * no-op handler, sync Invoke latency at a fixed rate, and the same HTTP → BullMQ add → worker
 * pipeline built on raw BullMQ as the baseline, on one redis-server it starts itself. Prints its
 * figures; asserts nothing. BENCH_SECONDS (default 8) sets each phase's duration.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
// The compiled hub, as `npm start` runs it (`npm run bench` builds first).
import { buildConfig } from '../dist/config/load.js';
import { startHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log.js';
import { redisClient } from '../dist/redis/connection.js';
import { EmbeddedRedis } from '../dist/redis/embedded.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const SYNC_RATE = 200;

interface Pipeline {
  url: string;
  invokePath: string;
  /** Events accepted but not yet processed (waiting, delayed or active jobs). */
  backlog(): Promise<number>;
  stop(): Promise<void>;
}

async function load(url: string, options: Partial<autocannon.Options>): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: SECONDS, method: 'POST', body: '{"n":1}', ...options });
}

/** Events per second from the start of the load until the backlog is empty. */
async function drain(pipeline: Pipeline, accepted: number, started: number): Promise<number> {
  while ((await pipeline.backlog()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  return (accepted / (Date.now() - started)) * 1000;
}

async function measure(name: string, pipeline: Pipeline): Promise<{ ingest: number; e2e: number }> {
  const started = Date.now();
  const ingest = await load(pipeline.url + pipeline.invokePath, { headers: { 'x-amz-invocation-type': 'Event', 'content-type': 'application/json' } });
  const accepted = ingest['2xx'];
  const e2e = await drain(pipeline, accepted, started);
  const ingestRate = accepted / SECONDS;
  console.log(`${name.padEnd(10)} async ingest ${ingestRate.toFixed(0).padStart(7)} req/s   end-to-end ${e2e.toFixed(0).padStart(7)} events/s   (${accepted} events, ${ingest.non2xx} non-2xx)`);
  return { ingest: ingestRate, e2e };
}

async function rawBullmq(redisUrl: string): Promise<Pipeline> {
  const connection = redisClient(redisUrl);
  const queue = new Queue('raw-noop', { connection, prefix: 'bench-raw' });
  const worker = new Worker('raw-noop', async () => null, { connection, prefix: 'bench-raw', concurrency: 10 });
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/invoke', async (request, reply) => {
    const data = JSON.parse((request.body as Buffer).toString());
    await queue.add('event', { data }, { removeOnComplete: true, attempts: 3 });
    return reply.code(202).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`, invokePath: '/invoke',
    backlog: () => queue.getJobCountByTypes('waiting', 'delayed', 'active'),
    stop: async () => { await app.close(); await worker.close(); await queue.close(); await connection.quit(); },
  };
}

async function hubPipeline(redisUrl: string, dir: string) {
  writeFileSync(path.join(dir, 'noop.mjs'), 'export const handler = async () => null;\n');
  const config = buildConfig({
    redis: redisUrl, queuePrefix: 'bench-hub', server: { port: 0 }, runtime: { maxEnvironments: Number(process.env.BENCH_ENVS ?? 10) },
    functions: { noop: { handler: 'noop.handler' } },
  }, { baseDir: dir });
  const hub = await startHub(config, { logger: silentLogger() });
  return {
    hub,
    pipeline: {
      url: hub.url, invokePath: '/2015-03-31/functions/noop/invocations',
      backlog: () => hub.queues.depth('noop'),
      stop: () => hub.stop(),
    } satisfies Pipeline,
  };
}

async function syncLatency(url: string): Promise<autocannon.Result> {
  return load(`${url}/2015-03-31/functions/noop/invocations`, { overallRate: SYNC_RATE, connections: 16 });
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-'));
  const redis = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const redisUrl = await redis.start();
  console.log(`triggerhub core benchmark: ${ROUNDS} rounds, ${SECONDS} s per phase, ${CONNECTIONS} connections, redis-server with AOF everysec, node ${process.version}`);
  const rawRuns: Array<{ ingest: number; e2e: number }> = [];
  const hubRuns: Array<{ ingest: number; e2e: number }> = [];
  try {
    const { hub, pipeline } = await hubPipeline(redisUrl, dir);
    await fetch(`${hub.url}/2015-03-31/functions/noop/invocations`, { method: 'POST', body: '{}' }); // one warm environment
    // Alternate the pipelines so that drift in the machine's speed hits both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      const raw = await rawBullmq(redisUrl);
      rawRuns.push(await measure('raw bullmq', raw));
      await raw.stop();
      hubRuns.push(await measure('triggerhub', pipeline));
    }
    const sync = await syncLatency(hub.url);
    console.log(`triggerhub sync invoke at ${SYNC_RATE} req/s: p50 ${sync.latency.p50} ms  p99 ${sync.latency.p99} ms  max ${sync.latency.max} ms  (${sync.non2xx} non-2xx)`);
    const ratio = (key: 'ingest' | 'e2e') => (median(hubRuns.map((r) => r[key])) / median(rawRuns.map((r) => r[key]))).toFixed(2);
    console.log(`ratio to raw bullmq (medians): ingest ${ratio('ingest')}  end-to-end ${ratio('e2e')}`);
    console.log(`hub process RSS after the run: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (the hub shares this process with the load generator and the raw pipeline)`);
    await pipeline.stop();
  } finally {
    await redis.stop();
  }
}

await main();
