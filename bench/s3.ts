/**
 * S3 webhook benchmark (`npx tsc -p tsconfig.json && npx tsx bench/s3.ts`): MinIO webhook POSTs/s
 * accepted by the `s3` mapping (token checked, record normalised and filtered, one envelope queued
 * for a no-op handler), the end-to-end rate until the queue is empty, and async Invoke API ingest
 * on the same hub for comparison. Prints its figures; asserts nothing. BENCH_SECONDS (default 8)
 * sets each phase's duration.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
// The compiled hub, as `npm start` runs it.
import { buildConfig } from '../dist/config/load.js';
import { startHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log.js';
import { EmbeddedRedis } from '../dist/redis/embedded.js';
import { minioRecord } from '../test/helpers/s3-bridge.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const BUCKET = 'bench-bucket';
const TOKEN = 'bench-token';
const POOL = Number(process.env.BENCH_POOL ?? 20_000);

type Hub = Awaited<ReturnType<typeof startHub>>;

function report(name: string, result: autocannon.Result): number {
  const rate = result['2xx'] / SECONDS;
  console.log(`${name.padEnd(30)} ${rate.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   (${result['2xx']} accepted, ${result.non2xx} non-2xx, ${result.errors} errors)`);
  return result['2xx'];
}

async function drain(hub: Hub, accepted: number, started: number, quiet = false): Promise<void> {
  while ((await hub.queues.depth('noop')) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!quiet) console.log(`${'  end-to-end'.padEnd(30)} ${((accepted / (Date.now() - started)) * 1000).toFixed(0).padStart(6)} events/s`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-s3-'));
  writeFileSync(path.join(dir, 'noop.mjs'), 'export const handler = async () => null;\n');
  const redis = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const hub = await startHub(buildConfig({
    redis: await redis.start(), server: { port: 0 },
    functions: { noop: { handler: 'noop.handler', events: [{ s3: { bucket: BUCKET, via: { webhook: { authToken: TOKEN } } } }] } },
  }, { baseDir: dir }), { logger: silentLogger() });
  try {
    console.log(`S3 webhook benchmark: ${SECONDS} s per phase, ${CONNECTIONS} connections, node ${process.version}`);
    // Distinct records (own sequencers, so own envelope ids), built before the clock starts and
    // reused round-robin: a reused record's job is long done by then.
    const bodies = Array.from({ length: POOL }, (_, i) => {
      const record = minioRecord(BUCKET, `uploads/file ${i} ü.jpg`, 's3:ObjectCreated:Put', `BENCH${i.toString(16).padStart(12, '0')}`);
      return JSON.stringify({ EventName: record.eventName, Key: `${BUCKET}/uploads/file ${i} ü.jpg`, Records: [record] });
    });
    let next = 0;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
    // Warm-up (JIT, handler environments, Redis connections), not reported: the first phase would pay for it.
    await autocannon({
      url: `${hub.url}/2015-03-31/functions/noop/invocations`, connections: CONNECTIONS, duration: 2, method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event', 'content-type': 'application/json' }, body: '{"n":0}',
    });
    await drain(hub, 0, Date.now(), true);
    const started = Date.now();
    const webhook = await autocannon({
      url: `${hub.url}/s3/noop`, connections: CONNECTIONS, duration: SECONDS, method: 'POST', headers,
      requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
    });
    await drain(hub, report('MinIO webhook records', webhook), started);
    const invokeStarted = Date.now();
    const invoke = await autocannon({
      url: `${hub.url}/2015-03-31/functions/noop/invocations`, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event', 'content-type': 'application/json' }, body: '{"n":1}',
    });
    await drain(hub, report('async Invoke API (baseline)', invoke), invokeStarted);
  } finally {
    await hub.stop();
    await redis.stop();
  }
}

await main();
