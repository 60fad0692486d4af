import { createServer, type AddressInfo, type Socket } from 'node:net';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, waitFor } from './helpers/hub.js';
import { SnsFixture } from './helpers/sns-fixture.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:events';

describe('SNS mappings: settings, routes, subscribe on start', () => {
  let sns: SnsFixture;
  let fauxqs: Fauxqs;

  beforeAll(async () => {
    sns = await SnsFixture.start();
    fauxqs = await startFauxqs();
  });
  afterAll(async () => {
    await sns?.stop();
    await fauxqs?.stop();
  });

  it('rejects bad sns settings at start-up with the field path', () => {
    const attempt = (settings: unknown) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ sns: settings }] } } }, { baseDir: FIXTURES });
    expect(attempt({})).toThrow(/functions\.f\.events\[0\]\.sns\.topic: is required/);
    expect(attempt({ topic: 'arn:aws:sqs:us-east-1:123456789012:q' })).toThrow(/sns\.topic: must be a topic ARN/);
    expect(attempt({ topic: TOPIC, path: '/urls/x' })).toThrow(/sns\.path: must not use the hub's own paths/);
    expect(attempt({ topic: TOPIC, path: '/a/{id}' })).toThrow(/sns\.path: must start with \//);
    expect(attempt({ topic: TOPIC, trustedCertHosts: ['https://sns.example'] })).toThrow(/sns\.trustedCertHosts\[0\]: must be a host name/);
    expect(attempt({ topic: TOPIC, subscribe: { endpointUrl: 'ftp://x' } })).toThrow(/sns\.subscribe\.endpointUrl: must be the http\(s\) URL/);
    expect(attempt({ topic: TOPIC, autoconfirm: true })).toThrow(/sns: unknown field "autoconfirm"/);
  });

  it('trusts only sns.<region>.amazonaws.com over https by default', async () => {
    const hub = await startTestHub({ functions: { f: { handler: 'noop.handler', events: [{ sns: { topic: TOPIC } }] } } });
    try {
      const local = await sns.post(`${hub.url}/sns/f`, sns.notification({ topicArn: TOPIC }));
      expect(local.status).toBe(403);
      expect(await local.json()).toMatchObject({ reason: 'untrusted_cert_url', message: expect.stringContaining('must use https') });
      const httpsLocal = sns.notification({ topicArn: TOPIC });
      const response = await sns.post(`${hub.url}/sns/f`, sns.sign({ ...httpsLocal, SigningCertURL: `https://${sns.host}/SimpleNotificationService-x.pem` }));
      expect(await response.json()).toMatchObject({ reason: 'untrusted_cert_url', message: expect.stringContaining('(trusted: sns.eu-west-1.amazonaws.com)') });
    } finally {
      await hub.stop();
    }
  });

  it('numbers default paths when a function has several sns mappings, and refuses a taken path', async () => {
    const trust = { trustedCertHosts: [sns.host], allowHttp: true };
    const other = 'arn:aws:sns:eu-west-1:123456789012:other';
    const hub = await startTestHub({
      functions: { f: { handler: 'noop.handler', events: [{ sns: { topic: TOPIC, ...trust } }, { sns: { topic: other, ...trust } }] } },
    });
    try {
      expect((await sns.post(`${hub.url}/sns/f/0`, sns.notification({ topicArn: TOPIC }))).status).toBe(200);
      expect((await sns.post(`${hub.url}/sns/f/1`, sns.notification({ topicArn: other }))).status).toBe(200);
      expect((await sns.post(`${hub.url}/sns/f/1`, sns.notification({ topicArn: TOPIC }))).status).toBe(403);
    } finally {
      await hub.stop();
    }
    await expect(startTestHub({
      functions: {
        a: { handler: 'noop.handler', events: [{ http: { path: '/hook', methods: ['POST'] } }] },
        b: { handler: 'noop.handler', events: [{ sns: { topic: TOPIC, path: '/hook' } }] },
      },
    })).rejects.toMatchObject({ code: 'TH_ERR_CONFIG_INVALID', message: expect.stringMatching(/events\[0\]\.sns\.path: POST \/hook is already taken/) });
  });

  it('answers 503 when the event cannot be queued, so SNS retries', async () => {
    const hub = await startTestHub({ functions: { f: { handler: 'noop.handler', events: [{ sns: { topic: TOPIC, trustedCertHosts: [sns.host], allowHttp: true } }] } } });
    try {
      await hub.queues.close();
      const response = await sns.post(`${hub.url}/sns/f`, sns.notification({ topicArn: TOPIC }));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ reason: 'enqueue_failed', message: expect.stringContaining('shutting down') });
    } finally {
      await hub.stop();
    }
  });

  it('subscribes endpointUrl to the topic once the hub listens', async () => {
    const client = new SNSClient({ endpoint: fauxqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: `t-${Date.now()}` }));
    const endpointUrl = 'http://127.0.0.1:9/sns/f';
    const hub = await startTestHub({
      functions: { f: { handler: 'noop.handler', events: [{ sns: { topic: TopicArn, subscribe: { endpointUrl }, endpoint: fauxqs.endpoint, region: 'us-east-1' } }] } },
    });
    try {
      const subscription = await waitFor(async () => {
        const out = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
        return out.Subscriptions?.find((s) => s.Endpoint === endpointUrl);
      }, 10_000, 'subscription');
      expect(subscription).toMatchObject({ Protocol: 'http', TopicArn });
    } finally {
      await hub.stop();
      client.destroy();
    }
  });

  it('keeps retrying a subscribe that fails without holding up start or stop', async () => {
    // SNS fails the first call (the connection is dropped) and never answers the ones after it.
    const sockets: Socket[] = [];
    const sns = createServer((socket) => { sockets.push(socket); if (sockets.length === 1) socket.destroy(); });
    await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = sns.address() as AddressInfo;
      // Start does not wait for a subscribe that never succeeds ...
      const hub = await startTestHub({
        functions: { f: { handler: 'noop.handler', events: [{ sns: { topic: TOPIC, subscribe: { endpointUrl: 'https://hub.example/sns/f' }, endpoint: `http://127.0.0.1:${port}` } }] } },
      });
      // ... which is tried again after it failed, and stop abandons the call left hanging (it would wait forever).
      await waitFor(() => sockets.length >= 2, 15_000, 'a second subscribe attempt');
      await hub.stop();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => sns.close(() => resolve()));
    }
  });
});
