import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { SnsFixture } from './helpers/sns-fixture.js';
import { handlerJson, startExample, type LogLine } from './fixtures/examples/run.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders-events';

/**
 * examples/fanout: one topic, two functions. SNS delivers a separate, signed HTTP POST to each
 * subscription; the fixture plays SNS (real format, really signed, certificate on loopback).
 */
describe('examples/fanout', () => {
  let sns: SnsFixture;
  let hub: Hub;
  let logs: LogLine[];

  beforeAll(async () => {
    sns = await SnsFixture.start();
    ({ hub, logs } = await startExample('fanout', { FANOUT_TOPIC_ARN: TOPIC, SNS_CERT_HOST: sns.host, SNS_ALLOW_HTTP: 'true' }));
  });
  afterAll(async () => {
    await hub?.stop();
    await sns?.stop();
  });

  it('confirms both subscriptions', async () => {
    for (const fn of ['email', 'analytics']) {
      const response = await sns.post(`${hub.url}/sns/${fn}`, sns.confirmation('SubscriptionConfirmation', { topicArn: TOPIC }));
      expect(response.status).toBe(200);
    }
    expect(sns.confirmations).toHaveLength(2);
  });

  it('runs both functions for one notification, each with its own copy', async () => {
    const message = sns.notification({ topicArn: TOPIC, subject: 'order placed', message: JSON.stringify({ customer: 'ada@example.com', total: 42 }) });
    for (const fn of ['email', 'analytics']) {
      expect((await sns.post(`${hub.url}/sns/${fn}`, message)).status).toBe(200);
    }
    const email = await waitFor(() => handlerJson(logs, 'email').find((l) => l.messageId === message.MessageId), 10_000, 'email');
    const analytics = await waitFor(() => handlerJson(logs, 'analytics').find((l) => l.messageId === message.MessageId), 10_000, 'analytics');
    expect(email).toEqual({ fanout: 'email', messageId: message.MessageId, to: 'ada@example.com', subject: 'order placed' });
    expect(analytics).toEqual({ fanout: 'analytics', messageId: message.MessageId, total: 42, topic: TOPIC });
  });

  it('rejects a notification from another topic on both routes, invoking neither', async () => {
    const other = sns.notification({ topicArn: 'arn:aws:sns:us-east-1:000000000000:other', message: '{}' });
    for (const fn of ['email', 'analytics']) {
      const response = await sns.post(`${hub.url}/sns/${fn}`, other);
      expect(response.status).toBe(403);
    }
    // A good notification after them: once both functions ran it and their queues are empty, any
    // event the rejected ones had queued would have run too.
    const marker = sns.notification({ topicArn: TOPIC, message: JSON.stringify({ customer: 'marker@example.com', total: 1 }) });
    for (const fn of ['email', 'analytics']) expect((await sns.post(`${hub.url}/sns/${fn}`, marker)).status).toBe(200);
    await waitFor(async () => ['email', 'analytics'].every((fn) => handlerJson(logs, fn).some((l) => l.messageId === marker.MessageId))
      && (await hub.queues.depth('email')) + (await hub.queues.depth('analytics')) === 0, 10_000, 'the marker handled by both');
    expect([...handlerJson(logs, 'email'), ...handlerJson(logs, 'analytics')].some((l) => l.messageId === other.MessageId)).toBe(false);
  });
});
