import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { startHub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { FIXTURES, readLines, tempDir, waitFor } from './helpers/hub.js';
import { kinesisCase, startKinesalite, type Kinesalite } from './helpers/kinesalite.js';
import { TestRedis } from './helpers/test-redis.js';

/** The hub's Redis (with its append-only file) restarted while a Kinesis mapping works through a shard. */
describe('kinesis mapping across a restart of the hub\'s Redis', { timeout: 90_000 }, () => {
  let k: Kinesalite;
  let server: TestRedis;
  beforeAll(async () => {
    k = await startKinesalite();
    server = await TestRedis.create(tempDir('th-kinesis-redis-'));
    await server.start();
  });
  afterAll(async () => { await k?.close(); await server?.stop(); });

  it('resumes after Redis is back, runs every record and checkpoints the last one', async () => {
    const c = await kinesisCase(k);
    const hub = await startHub(buildConfig({
      redis: server.url, queuePrefix: c.prefix, server: { port: 0, host: '127.0.0.1' },
      functions: {
        slow: {
          handler: 'slow.handler', environment: { CALLS_FILE: c.callsFile },
          events: [{ kinesis: { stream: c.stream, startingPosition: 'TRIM_HORIZON', batchSize: 3, endpoint: k.endpoint, region: 'us-east-1' } }],
        },
      },
    }, { baseDir: FIXTURES }), { logger: silentLogger() });
    try {
      const put = await k.client.send(new PutRecordsCommand({
        StreamName: c.stream,
        Records: Array.from({ length: 30 }, (_, i) => ({ PartitionKey: 'p', Data: Buffer.from(JSON.stringify({ i })) })),
      }));
      const sequences = put.Records!.map((record) => record.SequenceNumber!);
      const seen = () => new Set(readLines(c.callsFile).flatMap((line) => (JSON.parse(line) as { Records: Array<{ kinesis: { sequenceNumber: string } }> }).Records.map((r) => r.kinesis.sequenceNumber)));
      await waitFor(() => seen().size >= 6, 30_000, 'two batches');
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 2500)); // the outage itself: longer than the lease's 1.2 s
      await server.start();
      await waitFor(() => seen().size === 30, 60_000, 'every record');
      const redis = new Redis(server.url);
      try {
        const key = `${c.prefix}:kinesis:slow:${c.stream}:checkpoints`;
        await waitFor(async () => Object.values(await redis.hgetall(key)).includes(sequences.at(-1)!), 10_000, 'the checkpoint at the last record');
      } finally {
        await redis.quit();
      }
      expect([...seen()].sort()).toEqual([...sequences].sort());
    } finally {
      await hub.stop();
    }
  });
});
