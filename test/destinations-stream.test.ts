import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createQueue, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import { HttpSink } from './fixtures/destinations/peers.js';
import { addEntries, pendingCount, startStreamHub, streamCase, testRedis, type StreamCase } from './fixtures/stream/harness.js';

let redis: Redis;
let fauxqs: Fauxqs;
let sink: HttpSink;
let hub: TestHub | undefined;
beforeAll(async () => {
  redis = testRedis();
  [fauxqs, sink] = await Promise.all([startFauxqs(), new HttpSink().up()]);
});
afterEach(async () => { await hub?.stop(); hub = undefined; });
afterAll(async () => {
  await redis.quit();
  await Promise.all([fauxqs?.stop(), sink?.down()]);
});

type Target = { target: () => Promise<{ spec: unknown; received: () => Promise<unknown[]> }> };

const targets: Record<string, Target> = {
  'an SQS queue': {
    target: async () => {
      const queue = await createQueue(fauxqs.client, 'stream-failures');
      return {
        spec: { destination: queue.arn, endpoint: fauxqs.endpoint },
        received: async () => {
          const { Messages = [] } = await fauxqs.client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
          return Messages.map((m) => JSON.parse(m.Body!));
        },
      };
    },
  },
  'an HTTP URL': {
    target: async () => {
      const path = `/stream-${randomUUID().slice(0, 8)}`;
      const before = sink.received.length;
      return { spec: `${sink.url}${path}`, received: async () => sink.received.slice(before).map((r) => r.body) };
    },
  },
  'a Redis stream': {
    target: async () => {
      const key = `t-failures-${randomUUID().slice(0, 8)}`;
      return {
        spec: `redis-stream:${key}`,
        received: async () => (await redis.xrange(key, '-', '+')).map(([, fields]) => JSON.parse(fields[fields.indexOf('record') + 1])),
      };
    },
  },
  'a Redis stream on another Redis (redis-stream://host:port/key)': {
    target: async () => {
      const key = `t-failures-${randomUUID().slice(0, 8)}`;
      return {
        spec: `redis-stream://${new URL(inject('redisUrl')).host}/${key}`,
        received: async () => (await redis.xrange(key, '-', '+')).map(([, fields]) => JSON.parse(fields[fields.indexOf('record') + 1])),
      };
    },
  },
};

describe('stream mappings: on-failure destinations outside the hub', () => {
  it.each(Object.keys(targets))('sends the batch info of a given-up batch to %s, then acknowledges the batch', async (name) => {
    const c: StreamCase = streamCase();
    const { spec, received } = await targets[name].target();
    const ids = await addEntries(redis, c.key, [{ cmd: 'throw' }, { n: '2' }]);
    hub = await startStreamHub(c, { maximumRetryAttempts: 0, destinations: { onFailure: spec } });
    const [record] = await waitFor(async () => {
      const records = await received();
      return records.length > 0 ? records : undefined;
    }, 15_000, 'the on-failure record');
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:worker:$LATEST', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      StreamBatchInfo: { key: c.key, group: c.group, startSequenceNumber: ids[0], endSequenceNumber: ids[1], batchSize: 2 },
    });
    await waitFor(async () => (await pendingCount(redis, c)) === 0, 10_000, 'the batch acknowledged');
  });

  it('refuses dlq and unknown functions as a stream on-failure destination at start', async () => {
    const c = streamCase();
    await expect(startStreamHub(c, { destinations: { onFailure: 'ghost' } }))
      .rejects.toThrow('functions.worker.events[0].stream.destinations.onFailure: "ghost" is not a configured function');
    await expect(startStreamHub(c, { destinations: { onFailure: 'dlq' } }))
      .rejects.toThrow('"dlq" is not a configured function: stream failure records carry no event to dead-letter');
    await expect(startStreamHub(c, { destinations: { onFailure: 'arn:aws:lambda:eu-west-1:000000000000:function:worker' } }))
      .rejects.toThrow('functions.worker.events[0].stream.destinations.onFailure: "arn:aws:lambda:eu-west-1:000000000000:function:worker" is a function of region eu-west-1, not the hub\'s us-east-1');
    await expect(startStreamHub(c, { destinations: { onFailure: 'arn:aws:sqs:us-east-1:000000000000' } }))
      .rejects.toThrow('functions.worker.events[0].stream.destinations.onFailure: "arn:aws:sqs:us-east-1:000000000000" is not a valid SQS queue ARN');
  });
});
