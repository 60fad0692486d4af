/**
 * SQS benchmark (`npx tsc -p tsconfig.json && npx tsx bench/sqs.ts`): messages per second drained
 * from a fauxqs queue by the hub's SQS poller into a no-op handler (batch 10), beside a plain
 * `sqs-consumer` loop (batch 10, no-op batch handler) on the same fauxqs server, alternating each
 * round. Every round preloads a fresh queue (identical settings), starts the consumer (or the hub)
 * and times until the queue is empty, start-up included. A fresh queue per round because fauxqs
 * finishes a long poll whose client went away (stop aborts it) and hides the next messages for
 * the visibility timeout. Prints its figures; asserts nothing. BENCH_MESSAGES (default 10000) and
 * BENCH_ROUNDS (default 3) change it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
// The compiled hub, as `npm start` runs it (build first).
import { buildConfig } from '../dist/config/load.js';
import { startHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log.js';
import { EmbeddedRedis } from '../dist/redis/embedded.js';
import { createQueue, queueDepth, REGION, sendBodies, startFauxqs } from '../test/helpers/fauxqs.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 1000;

async function preload(client: SQSClient, url: string, count: number): Promise<void> {
  const bodies = Array.from({ length: count }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(100) }));
  const lanes = 16;
  const perLane = Math.ceil(count / lanes / 10) * 10;
  await Promise.all(Array.from({ length: lanes }, (_, lane) =>
    sendBodies(client, url, bodies.slice(lane * perLane, (lane + 1) * perLane))));
}

/** Messages per second from `started` until the queue holds nothing (visible or in flight). */
async function drainRate(client: SQSClient, url: string, count: number, started: number): Promise<number> {
  while ((await queueDepth(client, url)) > 0) await delay(20);
  return (count / (Date.now() - started)) * 1000;
}

async function consumerRound(client: SQSClient, count: number): Promise<number> {
  const { url } = await createQueue(client, 'bench-consumer');
  await preload(client, url, count);
  const started = Date.now();
  const consumer = Consumer.create({
    queueUrl: url, sqs: client, batchSize: 10, waitTimeSeconds: 20, pollingWaitTimeMs: 0,
    handleMessageBatch: async (messages) => messages,
  });
  consumer.on('error', () => undefined); // the aborted long poll at stop
  consumer.start();
  const rate = await drainRate(client, url, count, started);
  consumer.stop({ abort: true });
  return rate;
}

async function hubRound(redisUrl: string, dir: string, endpoint: string, client: SQSClient, count: number): Promise<number> {
  const { url } = await createQueue(client, 'bench-hub');
  await preload(client, url, count);
  const config = buildConfig({
    redis: redisUrl, queuePrefix: `bench-sqs-${Date.now()}`, server: { port: 0 },
    functions: { noop: { handler: 'noop.handler', events: [{ sqs: { queue: url, endpoint, region: REGION, batchSize: 10 } }] } },
  }, { baseDir: dir });
  const started = Date.now();
  const hub = await startHub(config, { logger: silentLogger() });
  const rate = await drainRate(client, url, count, started);
  await hub.stop();
  return rate;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-sqs-'));
  writeFileSync(path.join(dir, 'noop.mjs'), 'export const handler = async () => null;\n');
  const redis = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const redisUrl = await redis.start();
  const sqs = await startFauxqs();
  try {
    console.log(`triggerhub SQS benchmark: ${ROUNDS} rounds of ${MESSAGES} messages, in-process fauxqs, batch 10, node ${process.version}`);
    await consumerRound(sqs.client, WARMUP);
    await hubRound(redisUrl, dir, sqs.endpoint, sqs.client, WARMUP);
    const consumerRates: number[] = [];
    const hubRates: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      consumerRates.push(await consumerRound(sqs.client, MESSAGES));
      hubRates.push(await hubRound(redisUrl, dir, sqs.endpoint, sqs.client, MESSAGES));
      console.log(`round ${round}: sqs-consumer ${consumerRates.at(-1)!.toFixed(0).padStart(6)} msg/s   triggerhub poller ${hubRates.at(-1)!.toFixed(0).padStart(6)} msg/s`);
    }
    const ratio = median(hubRates) / median(consumerRates);
    console.log(`medians: sqs-consumer ${median(consumerRates).toFixed(0)} msg/s, triggerhub ${median(hubRates).toFixed(0)} msg/s, ratio ${ratio.toFixed(2)}`);
  } finally {
    await sqs.stop();
    await redis.stop();
  }
}

await main();
