import { afterAll, describe, expect, it } from 'vitest';
import { redisClient } from '../src/redis/connection.js';
import { buildEnvelope, newDelivery } from '../src/router/envelope.js';
import { EVENTS_MAX_LEN, EventQueues, queueName } from '../src/router/queues.js';
import { testConfig } from './helpers/hub.js';

describe('function queues', () => {
  const config = testConfig({ functions: { noop: { handler: 'record.handler' } } });
  const redis = redisClient(config.redis!);
  const queues = new EventQueues(redis, config.queuePrefix, config.functions);
  afterAll(async () => {
    await queues.close();
    await redis.quit();
  });

  it('keep their BullMQ events stream short (nothing reads it), whatever number of events is queued', async () => {
    const key = `${config.queuePrefix}:${queueName('noop')}`;
    for (let i = 0; i < 600; i += 1) {
      await queues.enqueue(buildEnvelope({ source: 'test', type: 'test', data: { i } }), newDelivery('noop', 'Event'));
    }
    expect(await redis.hget(`${key}:meta`, 'opts.maxLenEvents')).toBe(String(EVENTS_MAX_LEN));
    expect(await redis.llen(`${key}:wait`)).toBe(600);
    // XADD … MAXLEN ~ trims whole stream nodes (100 entries each), so a node more may stay.
    expect(await redis.xlen(`${key}:events`)).toBeLessThanOrEqual(EVENTS_MAX_LEN + 100);
  });
});
