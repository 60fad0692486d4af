import path from 'node:path';
import { SnsSchema } from '@aws-lambda-powertools/parser/schemas';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationId } from '../src/router/envelope.js';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { SnsFixture, type SignedMessage } from './helpers/sns-fixture.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';

describe('SNS HTTP subscription endpoint', () => {
  let hub: TestHub;
  let sns: SnsFixture;
  const dir = tempDir();
  const calls = path.join(dir, 'calls.log');
  const failCalls = path.join(dir, 'fail-calls.log');

  beforeAll(async () => {
    sns = await SnsFixture.start();
    const trust = { trustedCertHosts: [sns.host], allowHttp: true };
    hub = await startTestHub({
      functions: {
        recorder: { handler: 'record.handler', environment: { CALLS_FILE: calls }, events: [{ sns: { topic: TOPIC, ...trust } }] },
        manual: { handler: 'record.handler', environment: { CALLS_FILE: calls }, events: [{ sns: { topic: TOPIC, path: '/hooks/manual', autoConfirm: false, ...trust } }] },
        flaky: {
          handler: 'fail.handler', maximumRetryAttempts: 2, retryBackoffSeconds: 0.05, environment: { CALLS_FILE: failCalls },
          events: [{ sns: { topic: TOPIC, ...trust } }],
        },
        // Reserved concurrency 0: queued events stay queued, so the tests can count what was enqueued.
        parked: { handler: 'record.handler', reservedConcurrency: 0, events: [{ sns: { topic: TOPIC, ...trust } }] },
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await sns?.stop();
  });

  const url = (fn: string) => `${hub.url}/sns/${fn}`;
  const received = (messageId: string) => waitFor(
    () => readLines(calls).map((line) => JSON.parse(line) as SNSEvent).find((event) => event.Records?.[0]?.Sns.MessageId === messageId),
    10_000, `handler call for ${messageId}`,
  );
  const rejected = async (message: SignedMessage | string, headers: Record<string, string | undefined> = {}) => {
    const depth = await hub.queues.depth('parked');
    const response = await sns.post(url('parked'), message, headers);
    expect(await hub.queues.depth('parked')).toBe(depth);
    return { status: response.status, body: await response.json() as { message: string; reason: string } };
  };

  it('delivers a SignatureVersion 1 notification to the handler as Lambda\'s SNS event, with MessageAttributes', async () => {
    const attributes = {
      color: { Type: 'String', Value: 'blue' },
      size: { Type: 'Number', Value: '42' },
      blob: { Type: 'Binary', Value: Buffer.from([0, 1, 2]).toString('base64') },
      tags: { Type: 'String.Array', Value: '["a","b"]' },
    };
    const message = sns.notification({ topicArn: TOPIC, subject: 'Order placed', message: '{"order":1}\nline two ü', attributes });
    const response = await sns.post(url('recorder'), message);
    expect(response.status).toBe(200);
    const event = await received(message.MessageId);
    expect(() => SnsSchema.parse(event)).not.toThrow();
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toEqual({
      EventVersion: '1.0',
      EventSubscriptionArn: `${TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
      EventSource: 'aws:sns',
      Sns: {
        SignatureVersion: '1', Timestamp: message.Timestamp, Signature: message.Signature,
        SigningCertUrl: message.SigningCertURL, MessageId: message.MessageId, Message: '{"order":1}\nline two ü',
        MessageAttributes: attributes, Type: 'Notification', UnsubscribeUrl: message.UnsubscribeURL,
        TopicArn: TOPIC, Subject: 'Order placed',
      },
    });
  });

  it('delivers a SignatureVersion 2 notification without subject (Subject null, MessageAttributes {})', async () => {
    const message = sns.notification({ topicArn: TOPIC, signatureVersion: '2' });
    const response = await sns.post(url('recorder'), message, { 'x-amz-sns-subscription-arn': undefined });
    expect(response.status).toBe(200);
    const event = await received(message.MessageId);
    expect(() => SnsSchema.parse(event)).not.toThrow();
    expect(event.Records[0].Sns).toMatchObject({ SignatureVersion: '2', Subject: null, MessageAttributes: {} });
    expect(event.Records[0].EventSubscriptionArn).toMatch(new RegExp(`^${TOPIC}:[0-9a-f-]{36}$`));
  });

  it('keeps message attributes named __proto__ and constructor (valid SNS names) as attributes', async () => {
    const attributes = JSON.parse('{"__proto__":{"Type":"String","Value":"p"},"constructor":{"Type":"Number","Value":"1"}}') as Record<string, { Type: string; Value: string }>;
    const message = sns.notification({ topicArn: TOPIC, attributes });
    expect((await sns.post(url('recorder'), message)).status).toBe(200);
    const received = (await waitFor(
      () => readLines(calls).find((line) => line.includes(message.MessageId)), 10_000, `handler call for ${message.MessageId}`,
    ));
    const event = JSON.parse(received) as SNSEvent;
    const got = event.Records[0].Sns.MessageAttributes;
    expect(Object.keys(got)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).toEqual({ Type: 'String', Value: 'p' });
    expect(Object.getOwnPropertyDescriptor(got, 'constructor')?.value).toEqual({ Type: 'Number', Value: '1' });
  });

  it('confirms a subscription by fetching SubscribeURL from a trusted host (v1 and v2)', async () => {
    for (const signatureVersion of ['1', '2'] as const) {
      const message = sns.confirmation('SubscriptionConfirmation', { topicArn: TOPIC, signatureVersion });
      const response = await sns.post(url('recorder'), message);
      expect(response.status).toBe(200);
      expect(sns.confirmations).toContain(message.Token);
    }
  });

  it('answers 502 when the confirmation fetch fails, so SNS sends it again', async () => {
    const message = sns.confirmation('SubscriptionConfirmation', { topicArn: TOPIC });
    const broken = sns.sign({ ...message, SubscribeURL: `http://${sns.host}/?Action=Nothing` });
    const response = await sns.post(url('recorder'), broken);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ reason: 'confirmation_failed', message: expect.stringContaining('HTTP 404') });
  });

  it('does not fetch SubscribeURL with autoConfirm false, nor from an untrusted host', async () => {
    const manual = sns.confirmation('SubscriptionConfirmation', { topicArn: TOPIC });
    expect((await sns.post(`${hub.url}/hooks/manual`, manual)).status).toBe(200);
    expect(sns.confirmations).not.toContain(manual.Token);

    const port = sns.host.split(':')[1];
    const foreign = sns.confirmation('SubscriptionConfirmation', { topicArn: TOPIC, subscribeHost: `localhost:${port}` });
    const { status, body } = await rejected(foreign);
    expect(status).toBe(403);
    expect(body.reason).toBe('untrusted_subscribe_url');
    expect(body.message).toContain('SubscribeURL host localhost');
    expect(sns.confirmations).not.toContain(foreign.Token);
  });

  it('acknowledges an UnsubscribeConfirmation without fetching or enqueueing anything', async () => {
    const message = sns.confirmation('UnsubscribeConfirmation', { topicArn: TOPIC, signatureVersion: '2' });
    const depth = await hub.queues.depth('parked');
    expect((await sns.post(url('parked'), message)).status).toBe(200);
    expect(await hub.queues.depth('parked')).toBe(depth);
    expect(sns.confirmations).not.toContain(message.Token);
  });

  it('rejects tampered, wrongly signed and unsigned messages (403/400) and enqueues nothing', async () => {
    const tampered = { ...sns.notification({ topicArn: TOPIC }), Message: 'changed after signing' };
    expect(await rejected(tampered)).toMatchObject({ status: 403, body: { reason: 'signature_invalid' } });
    const other = sns.notification({ topicArn: TOPIC, signatureVersion: '2' });
    const wrong = { ...sns.notification({ topicArn: TOPIC, signatureVersion: '2' }), Signature: other.Signature };
    expect(await rejected(wrong)).toMatchObject({ status: 403, body: { reason: 'signature_invalid' } });
    const v1AsV2 = { ...sns.notification({ topicArn: TOPIC, signatureVersion: '1' }), SignatureVersion: '2' };
    expect(await rejected(v1AsV2)).toMatchObject({ status: 403, body: { reason: 'signature_invalid' } });
    const unsigned: SignedMessage = { ...sns.notification({ topicArn: TOPIC }) };
    delete unsigned.Signature;
    expect(await rejected(unsigned)).toMatchObject({ status: 400, body: { reason: 'invalid_message', message: expect.stringContaining('Signature') } });
    const v3 = sns.sign({ ...sns.notification({ topicArn: TOPIC }), SignatureVersion: '3' });
    expect(await rejected(v3)).toMatchObject({ status: 400, body: { reason: 'invalid_message', message: expect.stringContaining('SignatureVersion') } });
  });

  it('rejects a certificate URL on an untrusted host without fetching it', async () => {
    const port = sns.host.split(':')[1];
    const message = sns.notification({ topicArn: TOPIC, certHost: `localhost:${port}`, certName: 'untrusted' });
    const { status, body } = await rejected(message);
    expect(status).toBe(403);
    expect(body.reason).toBe('untrusted_cert_url');
    expect(body.message).toMatch(/SigningCertURL host localhost:\d+ is not trusted/);
    expect(sns.fetchCount('untrusted')).toBe(0);
  });

  it('rejects another topic, malformed JSON, unknown message types and oversized bodies', async () => {
    const otherTopic = sns.notification({ topicArn: 'arn:aws:sns:us-east-1:123456789012:refunds' });
    expect(await rejected(otherTopic)).toMatchObject({ status: 403, body: { reason: 'topic_mismatch' } });
    expect(await rejected('{"Type": "Notification",', { 'x-amz-sns-message-type': 'Notification' }))
      .toMatchObject({ status: 400, body: { reason: 'invalid_json', message: 'the request body is not JSON' } });
    const message = sns.notification({ topicArn: TOPIC });
    expect(await rejected(message, { 'x-amz-sns-message-type': 'Telegram' })).toMatchObject({ status: 400, body: { reason: 'unknown_message_type' } });
    expect(await rejected(message, { 'x-amz-sns-message-type': undefined })).toMatchObject({ status: 400, body: { reason: 'unknown_message_type' } });
    expect(await rejected(message, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' })).toMatchObject({ status: 400, body: { reason: 'invalid_message' } });
    // A subscription with RawMessageDelivery: the bare message, SNS's headers, nothing signed.
    for (const raw of ['{"order":1}', 'plain text']) {
      expect(await rejected(raw, { 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': TOPIC, 'x-amz-sns-rawdelivery': 'true' }))
        .toMatchObject({ status: 400, body: { reason: 'invalid_message', message: expect.stringContaining('RawMessageDelivery') } });
    }
    const huge = sns.notification({ topicArn: TOPIC, message: 'x'.repeat(600 * 1024) });
    expect(await rejected(huge)).toMatchObject({ status: 413, body: { reason: 'body_too_large' } });
  });

  it('accepts a 256 KB message that JSON escaping doubles', async () => {
    const message = sns.notification({ topicArn: TOPIC, message: '"'.repeat(256 * 1024 - 1) });
    const response = await sns.post(url('parked'), message);
    expect(response.status).toBe(200);
  });

  it('retries a failing handler asynchronously, then dead-letters the event under the id derived from its MessageId', async () => {
    const message = sns.notification({ topicArn: TOPIC, message: 'poison' });
    expect((await sns.post(url('flaky'), message)).status).toBe(200);
    const id = invocationId(message.MessageId, 'flaky');
    const record = await waitFor(() => hub.dlq.get(id).catch(() => undefined), 15_000, 'DLQ record');
    expect(record.reason).toBe('RetriesExhausted');
    expect(record.attempts).toHaveLength(3);
    expect(record.envelope).toMatchObject({ id, source: TOPIC, type: 'aws.sns' });
    expect(() => SnsSchema.parse(record.envelope.data)).not.toThrow();
    expect(readLines(failCalls).filter((line) => line === id)).toHaveLength(3);
  });

  it('does not queue a redelivered MessageId twice while the event is queued', async () => {
    const depth = await hub.queues.depth('parked');
    const message = sns.notification({ topicArn: TOPIC });
    expect((await sns.post(url('parked'), message)).status).toBe(200);
    expect((await sns.post(url('parked'), message)).status).toBe(200);
    expect(await hub.queues.depth('parked')).toBe(depth + 1);
    expect(await hub.queues.queue('parked').getJob(invocationId(message.MessageId, 'parked'))).toBeDefined();
  });

  it('fetches a signing certificate once and reuses it', async () => {
    const burst = Array.from({ length: 5 }, () => sns.notification({ topicArn: TOPIC, certName: 'burst', signatureVersion: '2' }));
    const statuses = await Promise.all(burst.map(async (message) => (await sns.post(url('parked'), message)).status));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect((await sns.post(url('parked'), sns.notification({ topicArn: TOPIC, certName: 'burst' }))).status).toBe(200);
    expect(sns.fetchCount('burst')).toBe(1);
  });
});
