/**
 * Kinesis benchmark (`npx tsc -p tsconfig.json && npx tsx bench/kinesis.ts`): records per second
 * through the hub's Kinesis poller into a no-op handler (batch 100) on an in-process kinesalite
 * with BENCH_SHARDS shards (default 4), and the iterator age (MillisBehindLatest) under load.
 * Phase 1 drains a preloaded backlog of BENCH_RECORDS (default 20000; timed from hub start);
 * phase 2 produces BENCH_RATE/s (default 1000) for BENCH_SECONDS (default 5) and samples the
 * iterator age: Lambda's IteratorAge (age of a batch's last record when it is invoked, measured
 * in the handler) and MillisBehindLatest as GetRecords reports it (kinesalite reports 0 for open
 * shards). Prints its figures; asserts nothing.
 */
import type { Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Redis } from 'ioredis';
// The compiled hub, as `npm start` runs it (build first).
import { buildConfig } from '../dist/config/load.js';
import { startHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log.js';
import { EmbeddedRedis } from '../dist/redis/embedded.js';
import { liveKinesisSources } from '../dist/sources/kinesis.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const STREAM = 'bench-kinesis';

process.env.AWS_ACCESS_KEY_ID ??= 'bench';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';

/** PutRecords in chunks of 500; returns the last sequence number of each shard. */
async function put(client: KinesisClient, from: number, count: number, last: Map<string, string>): Promise<void> {
  for (let i = from; i < from + count; i += 500) {
    const entries = Array.from({ length: Math.min(500, from + count - i) }, (_, j) => ({
      PartitionKey: `key-${i + j}`, Data: Buffer.from(JSON.stringify({ n: i + j, pad: 'x'.repeat(100) })),
    }));
    const out = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: entries }));
    for (const record of out.Records ?? []) if (record.ShardId && record.SequenceNumber) last.set(record.ShardId, record.SequenceNumber);
  }
}

/** Waits until every shard's checkpoint has reached its last record. */
async function caughtUp(redis: Redis, last: Map<string, string>): Promise<void> {
  for (;;) {
    const saved = await redis.hgetall(`bench-kinesis:kinesis:noop:${STREAM}:checkpoints`);
    if ([...last].every(([shardId, sequence]) => saved[shardId] && BigInt(saved[shardId]) >= BigInt(sequence))) return;
    await delay(10);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-kinesis-'));
  const agesFile = path.join(dir, 'ages.txt');
  writeFileSync(path.join(dir, 'noop.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export const handler = async (event) => {',
    '  const now = Date.now();',
    `  appendFileSync(${JSON.stringify(agesFile)}, \`\${now} \${now - Math.round(event.Records.at(-1).kinesis.approximateArrivalTimestamp * 1000)}\\n\`);`,
    '  return null;',
    '};',
  ].join('\n'));
  const kinesalite = (await import('kinesalite')).default as (options: object) => Server;
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new KinesisClient({ endpoint, region: 'us-east-1', requestHandler: new NodeHttpHandler() });
  const embedded = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const redisUrl = await embedded.start();
  const redis = new Redis(redisUrl);
  try {
    console.log(`triggerhub Kinesis benchmark: ${SHARDS} shards, ${RECORDS} preloaded records, then ${RATE}/s for ${SECONDS} s; batch 100, node ${process.version}`);
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: SHARDS }));
    await delay(100);
    const last = new Map<string, string>();
    await put(client, 0, RECORDS, last);
    const config = buildConfig({
      redis: redisUrl, queuePrefix: 'bench-kinesis', server: { port: 0 },
      functions: { noop: { handler: 'noop.handler', events: [{ kinesis: { stream: STREAM, startingPosition: 'TRIM_HORIZON', batchSize: 100, endpoint, region: 'us-east-1' } }] } },
    }, { baseDir: dir });
    const started = Date.now();
    const hub = await startHub(config, { logger: silentLogger() });
    await caughtUp(redis, last);
    const drainMs = Date.now() - started;
    console.log(`backlog drain   ${((RECORDS / drainMs) * 1000).toFixed(0).padStart(7)} records/s   (${RECORDS} records in ${drainMs} ms, start-up included)`);

    const behind: number[] = [];
    const steadyFrom = Date.now();
    const sampler = setInterval(() => {
      for (const source of liveKinesisSources()) behind.push(Math.max(0, ...source.lag.values()));
    }, 100);
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
    const until = Date.now() + SECONDS * 1000;
    let produced = 0;
    while (Date.now() < until) {
      const tick = Date.now();
      await put(client, RECORDS + produced, perTick, last);
      produced += perTick;
      await delay(Math.max(0, tickMs - (Date.now() - tick)));
    }
    const produceEnd = Date.now();
    await caughtUp(redis, last);
    clearInterval(sampler);
    const ages = readFileSync(agesFile, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number))
      .filter(([at]) => at >= steadyFrom).map(([, age]) => age);
    const percentiles = (values: number[]): string => {
      const sorted = [...values].sort((x, y) => x - y);
      const p = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      return `p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  max ${p(1)} ms`;
    };
    console.log(`steady ${(produced / SECONDS).toFixed(0).padStart(6)}/s   caught up ${Date.now() - produceEnd} ms after the last put`);
    console.log(`  IteratorAge (last record of each batch at invoke, ${ages.length} batches)  ${percentiles(ages)}`);
    console.log(`  MillisBehindLatest (GetRecords, max over shards every 100 ms)         ${percentiles(behind)}`);
    await hub.stop();
  } finally {
    client.destroy();
    await redis.quit();
    await embedded.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

await main();
