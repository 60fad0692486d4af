import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { stopChild } from './helpers/cli.js';
import { FIXTURES, readLines, tempDir, waitFor } from './helpers/hub.js';
import { kinesisCase, startKinesalite, type Kinesalite } from './helpers/kinesalite.js';
import { upChild } from './helpers/up-child.js';

/** A hub process killed with SIGKILL in the middle of a Kinesis batch, then started again. */
describe('kinesis mapping across a kill -9 of the hub', { timeout: 90_000 }, () => {
  let k: Kinesalite;
  let redis: Redis;
  beforeAll(async () => { k = await startKinesalite(); redis = new Redis(inject('redisUrl')); });
  afterAll(async () => { await k?.close(); await redis?.quit(); });

  it('runs every record at least once and checkpoints the shard at its last record', async () => {
    const c = await kinesisCase(k);
    const dir = tempDir('th-kinesis-kill-');
    writeFileSync(path.join(dir, 'triggerhub.yaml'), [
      `redis: ${inject('redisUrl')}`,
      `queuePrefix: ${c.prefix}`,
      'server: { port: 0, host: 127.0.0.1 }',
      'functions:',
      '  slow:',
      `    handler: ${path.join(FIXTURES, 'slow.handler')}`,
      `    environment: { CALLS_FILE: ${c.callsFile}, AWS_ACCESS_KEY_ID: test, AWS_SECRET_ACCESS_KEY: test }`,
      `    events: [{ kinesis: { stream: ${c.stream}, startingPosition: TRIM_HORIZON, batchSize: 4, endpoint: '${k.endpoint}', region: us-east-1 } }]`,
    ].join('\n'));
    const put = await k.client.send(new PutRecordsCommand({
      StreamName: c.stream,
      Records: Array.from({ length: 24 }, (_, i) => ({ PartitionKey: 'p', Data: Buffer.from(JSON.stringify({ i })) })),
    }));
    const sequences = put.Records!.map((record) => record.SequenceNumber!);
    const seen = () => new Set(readLines(c.callsFile).flatMap((line) => (JSON.parse(line) as { Records: Array<{ kinesis: { sequenceNumber: string } }> }).Records.map((r) => r.kinesis.sequenceNumber)));

    const first = upChild(dir);
    try {
      await first.started;
      await waitFor(() => seen().size >= 8, 30_000, 'two batches');
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      await stopChild(first.child);
    }
    expect(seen().size).toBeLessThan(24);

    const second = upChild(dir);
    try {
      await second.started;
      await waitFor(() => seen().size === 24, 60_000, 'every record');
      const key = `${c.prefix}:kinesis:slow:${c.stream}:checkpoints`;
      await waitFor(async () => Object.values(await redis.hgetall(key)).includes(sequences.at(-1)!), 10_000, 'the checkpoint at the last record');
    } finally {
      await stopChild(second.child);
    }
    expect([...seen()].sort()).toEqual([...sequences].sort());
  });
});
