import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { TestRedis } from './helpers/test-redis.js';
import { addEntries, deliveredIds, streamCase } from './fixtures/stream/harness.js';

/**
 * The stream lives on a Redis of its own (`redis:`), one without persistence (a cache): restarted,
 * it comes back empty, and producers write the stream anew. The poller must notice its group is
 * gone and read the new entries, not wait for a hub restart.
 */
describe('a Redis Streams mapping whose Redis restarts empty', { timeout: 60_000 }, () => {
  let hub: TestHub | undefined;
  let server: TestRedis | undefined;
  let producer: Redis | undefined;
  afterEach(async () => {
    await hub?.stop();
    producer?.disconnect();
    await server?.stop();
    hub = undefined;
  });

  for (const startingPosition of ['TRIM_HORIZON', 'LATEST'] as const) {
    it(`recreates the lost consumer group and delivers what producers wrote since (${startingPosition})`, async () => {
      const c = streamCase();
      server = await TestRedis.create(tempDir('th-stream-restart-'), false);
      await server.start();
      producer = new Redis(server.url, { maxRetriesPerRequest: null });
      producer.on('error', () => undefined);
      hub = await startTestHub({
        functions: {
          worker: {
            handler: '../stream/worker.handler',
            environment: { CALLS_FILE: c.callsFile },
            events: [{ stream: { key: c.key, group: c.group, startingPosition, redis: server.url } }],
          },
        },
      });
      // The group exists once the poller reads: an entry added then is delivered.
      await waitFor(async () => (await producer!.exists(c.key)) === 1, 10_000, 'the group and stream to be created');
      const before = await addEntries(producer, c.key, [{ n: 'before' }]);
      await waitFor(() => deliveredIds(c).length === 1, 10_000, 'the entry before the restart');

      await server.stop();
      await server.start();
      const after = await addEntries(producer, c.key, [{ n: 'after-1' }, { n: 'after-2' }]);
      await waitFor(() => deliveredIds(c).length >= 3, 20_000, 'the entries written after the restart');
      expect(deliveredIds(c)).toEqual([...before, ...after]);
      // Acknowledged once the invocation's result is in (the handler wrote its line before it returned).
      await waitFor(async () => (await producer!.xpending(c.key, c.group) as [number])[0] === 0, 10_000, 'the entries to be acknowledged');
    });
  }
});
