/**
 * Redis Streams benchmark (`npx tsc -p tsconfig.json && npx tsx bench/stream.ts`): records per
 * second through the hub's stream poller into a no-op handler (batch 100), on a redis-server it
 * starts itself. Phase 1 drains a preloaded backlog (timed from hub start, start-up included);
 * phase 2 produces at a steady rate and reports the lag at the end: the age of the newest
 * processed record when the group has acknowledged it. Prints its figures; asserts nothing.
 * BENCH_RECORDS (default 20000), BENCH_RATE (default 2000/s) and BENCH_SECONDS (default 5).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
// The compiled hub, as `npm start` runs it (build first).
import { buildConfig } from '../dist/config/load.js';
import { startHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log.js';
import { EmbeddedRedis } from '../dist/redis/embedded.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const KEY = 'bench-stream';
const GROUP = 'bench';

async function preload(redis: Redis, count: number): Promise<string> {
  let last = '';
  for (let i = 0; i < count; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(count, i + 1000); j += 1) pipeline.xadd(KEY, '*', 'data', JSON.stringify({ n: j, pad: 'x'.repeat(100) }));
    const results = await pipeline.exec();
    last = String(results?.at(-1)?.[1]);
  }
  return last;
}

/** Waits until the group has delivered `lastId` and acknowledged everything. */
async function caughtUp(redis: Redis, lastId: string): Promise<void> {
  for (;;) {
    const groups = await redis.xinfo('GROUPS', KEY) as unknown[][];
    const info = groups.map((fields) => Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]])))
      .find((group) => group.name === GROUP);
    if (info && info['last-delivered-id'] === lastId && info.pending === 0) return;
    await delay(5);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-stream-'));
  writeFileSync(path.join(dir, 'noop.mjs'), 'export const handler = async () => null;\n');
  const embedded = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const redisUrl = await embedded.start();
  const redis = new Redis(redisUrl);
  try {
    console.log(`triggerhub Redis Streams benchmark: ${RECORDS} preloaded records, then ${RATE}/s for ${SECONDS} s; batch 100, node ${process.version}`);
    const lastPreloaded = await preload(redis, RECORDS);
    const config = buildConfig({
      redis: redisUrl, queuePrefix: 'bench-stream', server: { port: 0 },
      functions: { noop: { handler: 'noop.handler', events: [{ stream: { key: KEY, group: GROUP, startingPosition: 'TRIM_HORIZON', batchSize: 100 } }] } },
    }, { baseDir: dir });
    const started = Date.now();
    const hub = await startHub(config, { logger: silentLogger() });
    await caughtUp(redis, lastPreloaded);
    const drainMs = Date.now() - started;
    console.log(`backlog drain   ${((RECORDS / drainMs) * 1000).toFixed(0).padStart(7)} records/s   (${RECORDS} records in ${drainMs} ms, start-up included)`);

    let lastId = '';
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
    const until = Date.now() + SECONDS * 1000;
    let produced = 0;
    while (Date.now() < until) {
      const pipeline = redis.pipeline();
      for (let i = 0; i < perTick; i += 1) pipeline.xadd(KEY, '*', 'data', JSON.stringify({ n: produced + i }));
      lastId = String((await pipeline.exec())?.at(-1)?.[1]);
      produced += perTick;
      await delay(tickMs);
    }
    await caughtUp(redis, lastId);
    const lagMs = Date.now() - Number(lastId.split('-')[0]);
    console.log(`steady ${(produced / SECONDS).toFixed(0).padStart(6)}/s   lag at the end ${String(lagMs).padStart(5)} ms   (age of the newest record when acknowledged; ${produced} records)`);
    await hub.stop();
  } finally {
    await redis.quit();
    await embedded.stop();
  }
}

await main();
