/**
 * SNS endpoint benchmark (`npx tsc -p tsconfig.json && npx tsx bench/sns.ts`): signed SNS
 * notifications/s accepted by the endpoint (signature verified against a cached certificate,
 * then queued for a no-op handler), the end-to-end rate until the queue is empty, and async
 * Invoke API ingest on the same hub for comparison. Prints its figures; asserts nothing.
 * BENCH_SECONDS (default 8) sets each phase's duration.
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
import { SnsFixture, type SignedMessage } from '../test/helpers/sns-fixture.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
/** Distinct pre-signed messages, reused round-robin: a reused MessageId's job is long done by then. */
const POOL = Number(process.env.BENCH_POOL ?? 4000);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:bench';

type Hub = Awaited<ReturnType<typeof startHub>>;

function report(name: string, result: autocannon.Result): number {
  const rate = result['2xx'] / SECONDS;
  console.log(`${name.padEnd(30)} ${rate.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   (${result['2xx']} accepted, ${result.non2xx} non-2xx, ${result.errors} errors)`);
  return result['2xx'];
}

async function drain(hub: Hub, accepted: number, started: number): Promise<void> {
  while ((await hub.queues.depth('noop')) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  console.log(`${'  end-to-end'.padEnd(30)} ${((accepted / (Date.now() - started)) * 1000).toFixed(0).padStart(6)} events/s`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-sns-'));
  writeFileSync(path.join(dir, 'noop.mjs'), 'export const handler = async () => null;\n');
  const sns = await SnsFixture.start();
  const redis = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const hub = await startHub(buildConfig({
    redis: await redis.start(), server: { port: 0 },
    functions: { noop: { handler: 'noop.handler', events: [{ sns: { topic: TOPIC, trustedCertHosts: [sns.host], allowHttp: true } }] } },
  }, { baseDir: dir }), { logger: silentLogger() });
  try {
    const signingStarted = Date.now();
    const pool: SignedMessage[] = Array.from({ length: POOL }, (_, i) => sns.notification({ topicArn: TOPIC, signatureVersion: i % 2 ? '2' : '1', message: `{"n":${i}}` }));
    const bodies = pool.map((message) => JSON.stringify(message, null, 2));
    console.log(`SNS endpoint benchmark: ${SECONDS} s per phase, ${CONNECTIONS} connections, ${POOL} pre-signed messages (SignatureVersion 1 and 2, signed in ${Date.now() - signingStarted} ms), node ${process.version}`);
    await sns.post(`${hub.url}/sns/noop`, pool[0]); // warm: certificate fetched and cached, one environment started
    let next = 0;
    const headers = { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': TOPIC };
    const started = Date.now();
    const snsResult = await autocannon({
      url: `${hub.url}/sns/noop`, connections: CONNECTIONS, duration: SECONDS, method: 'POST', headers,
      requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
    });
    await drain(hub, report('SNS notifications (verified)', snsResult), started);
    const invokeStarted = Date.now();
    const invoke = await autocannon({
      url: `${hub.url}/2015-03-31/functions/noop/invocations`, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event', 'content-type': 'application/json' }, body: '{"n":1}',
    });
    await drain(hub, report('async Invoke API (baseline)', invoke), invokeStarted);
    console.log(`certificate fetches: ${sns.fetchCount()}`);
  } finally {
    await hub.stop();
    await redis.stop();
    await sns.stop();
  }
}

await main();
