import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { OUTBOX_QUEUE } from '../src/destinations/outbox.js';
import { createQueue, REGION, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { startHub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { FIXTURES, readLines, startTestHub, testConfig, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';
import { HttpSink, TcpProxy } from './fixtures/destinations/peers.js';
import { runCli } from './helpers/cli.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** Small backoff so retries happen within a test. */
const FAST = { baseDelayMs: 50, maxDelayMs: 200, maxAgeSeconds: 600, timeoutMs: 2000 };

let fauxqs: Fauxqs;
let sns: SNSClient;
let hub: TestHub | undefined;
const sinks: HttpSink[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sns = new SNSClient({ endpoint: fauxqs.endpoint, region: REGION });
});
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
  await Promise.all([...sinks.splice(0).map((s) => s.down()), ...proxies.splice(0).map((p) => p.down())]);
});
afterAll(async () => {
  sns?.destroy();
  await fauxqs?.stop();
});

const newSink = async (): Promise<HttpSink> => {
  const sink = await new HttpSink().up();
  sinks.push(sink);
  return sink;
};

/** One function (maybe-fail.mjs, no retries) whose onSuccess and onFailure both go to `target`. */
const sender = (target: unknown) => ({
  handler: 'maybe-fail.handler', maximumRetryAttempts: 0, destinations: { onSuccess: target, onFailure: target },
});

/** An async invoke with a traceparent; returns the request id. */
async function invokeAsync(fn: string, payload: unknown): Promise<string> {
  const response = await fetch(`${hub!.url}/2015-03-31/functions/${fn}/invocations`, {
    method: 'POST',
    headers: { 'x-amz-invocation-type': 'Event', traceparent: TRACEPARENT },
    body: JSON.stringify(payload),
  });
  expect(response.status).toBe(202);
  return response.headers.get('x-amzn-requestid')!;
}

/** Receives and deletes every visible message (with attributes). */
async function drain(queueUrl: string, into: Message[]): Promise<Message[]> {
  for (;;) {
    const { Messages = [] } = await fauxqs.client.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'],
    }));
    if (!Messages.length) return into;
    for (const message of Messages) {
      into.push(message);
      await fauxqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/** Outbox jobs not yet delivered, and whether each was tried at least once. */
async function outboxBacklog(prefix: string): Promise<{ pending: number; tried: number }> {
  const queue = new Queue(OUTBOX_QUEUE, { connection: hub!.redis, prefix });
  try {
    const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
    return { pending: jobs.length, tried: jobs.filter((job) => job.attemptsMade >= 1).length };
  } finally {
    await queue.close();
  }
}

const arnOf = (fn: string) => `arn:aws:lambda:us-east-1:000000000000:function:${fn}:$LATEST`;

function expectSuccess(record: unknown, fn: string, requestId: string, n: number): void {
  expect(record).toEqual({
    version: '1.0',
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    requestContext: { requestId, functionArn: arnOf(fn), condition: 'Success', approximateInvokeCount: 1 },
    requestPayload: { n },
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    responsePayload: { ok: true, event: { n } },
  });
}

function expectFailure(record: unknown, fn: string, requestId: string, n: number): void {
  expect(record).toMatchObject({
    version: '1.0',
    requestContext: { requestId, functionArn: arnOf(fn), condition: 'RetriesExhausted', approximateInvokeCount: 1 },
    requestPayload: { fail: true, n },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'AskedToFail', errorMessage: expect.stringContaining('asked to fail') },
  });
}

describe('destinations of async invocations', () => {
  it('sends Lambda-shaped records on success and on failure to a function, SQS, SNS, HTTP and a Redis stream', async () => {
    const dir = tempDir();
    const sinkCalls = path.join(dir, 'sink.jsonl');
    const queue = await createQueue(fauxqs.client, 'dest');
    const topicQueue = await createQueue(fauxqs.client, 'dest-topic');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `dest-${randomUUID().slice(0, 8)}` }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: topicQueue.arn }));
    const http = await newSink();
    const streamKey = `t-dest-${randomUUID().slice(0, 8)}`;
    hub = await startTestHub({
      destinationDelivery: FAST,
      functions: {
        viaName: sender('sink'),
        viaArn: sender('arn:aws:lambda:us-east-1:000000000000:function:sink'),
        viaSqs: sender({ destination: queue.arn, endpoint: fauxqs.endpoint }),
        viaSns: sender({ destination: TopicArn, endpoint: fauxqs.endpoint }),
        viaHttp: sender(http.url),
        viaStream: sender(`redis-stream:${streamKey}`),
        sink: { handler: 'record.handler', environment: { CALLS_FILE: sinkCalls } },
      },
    });
    const fns = ['viaName', 'viaArn', 'viaSqs', 'viaSns', 'viaHttp', 'viaStream'];
    const ids = new Map<string, { ok: string; fail: string }>();
    for (const [n, fn] of fns.entries()) {
      ids.set(fn, { ok: await invokeAsync(fn, { n }), fail: await invokeAsync(fn, { fail: true, n }) });
    }
    const check = (fn: string, records: Array<{ requestContext: { requestId: string } }>) => {
      const n = fns.indexOf(fn);
      const { ok, fail } = ids.get(fn)!;
      expect(records).toHaveLength(2);
      expectSuccess(records.find((r) => r.requestContext.requestId === ok), fn, ok, n);
      expectFailure(records.find((r) => r.requestContext.requestId === fail), fn, fail, n);
    };

    const fromFunction = await waitFor(() => {
      const records = readLines(sinkCalls).map((line) => JSON.parse(line));
      return records.length === 4 ? records : undefined;
    }, 15_000, 'records at the sink function');
    check('viaName', fromFunction.filter((r) => r.requestContext.functionArn === arnOf('viaName')));
    check('viaArn', fromFunction.filter((r) => r.requestContext.functionArn === arnOf('viaArn')));

    const sqsMessages: Message[] = [];
    await waitFor(async () => (await drain(queue.url, sqsMessages)).length >= 2, 15_000, 'SQS messages');
    check('viaSqs', sqsMessages.map((m) => JSON.parse(m.Body!)));
    for (const m of sqsMessages) expect(m.MessageAttributes?.traceparent).toMatchObject({ DataType: 'String', StringValue: TRACEPARENT });

    const snsMessages: Message[] = [];
    await waitFor(async () => (await drain(topicQueue.url, snsMessages)).length >= 2, 15_000, 'SNS notifications');
    const notifications = snsMessages.map((m) => JSON.parse(m.Body!));
    check('viaSns', notifications.map((note) => JSON.parse(note.Message)));
    for (const note of notifications) expect(note.MessageAttributes.traceparent).toEqual({ Type: 'String', Value: TRACEPARENT });

    await waitFor(() => http.received.length >= 2, 15_000, 'HTTP posts');
    check('viaHttp', http.received.map((r) => r.body));
    for (const r of http.received) {
      expect(r.headers).toMatchObject({ 'content-type': 'application/json', traceparent: TRACEPARENT });
      expect(r.headers['idempotency-key']).toMatch(new RegExp(`^${r.body.requestContext.requestId}-(ok|fail)$`));
    }

    const entries = await waitFor(async () => {
      const found = await hub!.redis.xrange(streamKey, '-', '+');
      return found.length >= 2 ? found : undefined;
    }, 15_000, 'stream entries');
    const fields = entries.map(([, flat]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]])));
    check('viaStream', fields.map((f) => JSON.parse(f.record)));
    for (const f of fields) expect(f.traceparent).toBe(TRACEPARENT);
  });

  it('sends an SNS destination a record over 256 KB without its payloads, as Lambda does, instead of retrying it', async () => {
    const topicQueue = await createQueue(fauxqs.client, 'big-topic');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `big-${randomUUID().slice(0, 8)}` }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: topicQueue.arn }));
    hub = await startTestHub({ destinationDelivery: FAST, functions: { viaSns: sender({ destination: TopicArn, endpoint: fauxqs.endpoint }) } });
    // 150 KB in, echoed back: a 300 KB record, which SNS (fauxqs too) refuses whole.
    const big = await invokeAsync('viaSns', { n: 1, pad: 'x'.repeat(150_000) });
    const small = await invokeAsync('viaSns', { n: 2 });
    const messages: Message[] = [];
    await waitFor(async () => (await drain(topicQueue.url, messages)).length >= 2, 15_000, 'SNS notifications');
    const records = messages.map((m) => JSON.parse(JSON.parse(m.Body!).Message));
    expect(records.find((r) => r.requestContext.requestId === big)).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: { requestId: big, functionArn: arnOf('viaSns'), condition: 'Success', approximateInvokeCount: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    });
    expectSuccess(records.find((r) => r.requestContext.requestId === small), 'viaSns', small, 2);
    expect(await outboxBacklog(hub.config.queuePrefix)).toEqual({ pending: 0, tried: 0 });
  });

  it('HTTP destination refusing connections, then answering 503, then up: every record arrives exactly once', async () => {
    const http = await newSink();
    await http.down();
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    hub = await startTestHub({ queuePrefix: prefix, destinationDelivery: FAST, functions: { f: sender(http.url) } });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await invokeAsync('f', n % 2 ? { fail: true, n } : { n }));
    await waitFor(async () => (await outboxBacklog(prefix)).tried === 5, 15_000, 'every record tried while the server is down');

    http.status = 503;
    await http.up();
    for (let n = 5; n < 10; n++) ids.push(await invokeAsync('f', n % 2 ? { fail: true, n } : { n }));
    await waitFor(async () => (await outboxBacklog(prefix)).tried === 10, 15_000, 'every record refused with 503');
    expect(http.received).toHaveLength(0);

    http.status = 200;
    await waitFor(async () => http.received.length >= 10 && (await outboxBacklog(prefix)).pending === 0, 15_000, 'every record delivered');
    expect(http.requestIds().sort()).toEqual([...ids].sort());
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    const sample = (outcome: string) => Number(metrics.match(new RegExp(`^triggerhub_destination_deliveries_total\\{function="f",kind="http",outcome="${outcome}"\\} (\\d+)$`, 'm'))?.[1]);
    expect(sample('delivered')).toBe(10);
    expect(sample('retrying')).toBeGreaterThanOrEqual(10);
  });

  it('a target that is down warns once, not once per record and try, and says when it takes records again', async () => {
    const http = await newSink();
    await http.down();
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const { lines, destination } = jsonLogLines();
    const started = await startHub(testConfig({ queuePrefix: prefix, destinationDelivery: FAST, functions: { f: sender(http.url) } }), { logger: createLogger({ destination }) });
    hub = Object.assign(started, { lambda: undefined as never }); // invoked over HTTP; afterEach stops it
    const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => invokeAsync('f', { n })));
    const retrying = () => lines.filter((line) => line.event === 'destination_retry');
    const failedTries = async () => Number((await (await fetch(`${hub!.url}/metrics`)).text()).match(/kind="http",outcome="retrying"\} (\d+)/)?.[1] ?? 0);
    await waitFor(async () => (await failedTries()) >= 60, 15_000, 'every record tried about three times');
    expect(retrying().filter((line) => line.level === 40)).toHaveLength(1);
    expect(retrying()[0]).toMatchObject({ destination: http.url, err: expect.objectContaining({ message: expect.any(String) }) });
    await http.up();
    await waitFor(() => http.received.length >= 20, 15_000, 'every record delivered');
    expect(http.requestIds().sort()).toEqual([...ids].sort());
    expect(lines.filter((line) => line.event === 'destination_recovered')).toEqual([expect.objectContaining({ level: 30, destination: http.url })]);
  });

  it('SQS destination unreachable, then reachable: every record arrives exactly once', async () => {
    const queue = await createQueue(fauxqs.client, 'dest-down');
    const proxy = await new TcpProxy({ host: '127.0.0.1', port: Number(new URL(fauxqs.endpoint).port) }).up();
    proxies.push(proxy);
    await proxy.down();
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    hub = await startTestHub({
      queuePrefix: prefix, destinationDelivery: FAST,
      functions: { f: sender({ destination: queue.arn, endpoint: proxy.endpoint }) },
    });
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) ids.push(await invokeAsync('f', n % 2 ? { fail: true, n } : { n }));
    await waitFor(async () => (await outboxBacklog(prefix)).tried === 6, 15_000, 'every record tried while SQS is down');
    await proxy.up();
    const messages: Message[] = [];
    await waitFor(async () => (await drain(queue.url, messages)).length >= 6 && (await outboxBacklog(prefix)).pending === 0, 15_000, 'every record delivered');
    expect(messages.map((m) => JSON.parse(m.Body!).requestContext.requestId).sort()).toEqual([...ids].sort());
  });

  it('keeps undelivered records across a hub restart and delivers them once the destination is up', async () => {
    const http = await newSink();
    await http.down();
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const config = { queuePrefix: prefix, destinationDelivery: FAST, functions: { f: sender(http.url) } };
    hub = await startTestHub(config);
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await invokeAsync('f', { n }));
    await waitFor(async () => (await outboxBacklog(prefix)).tried === 5, 15_000, 'every record tried while the server is down');
    await hub.stop();
    hub = undefined;

    await http.up();
    expect(http.received).toHaveLength(0);
    hub = await startTestHub(config);
    await waitFor(async () => http.received.length >= 5 && (await outboxBacklog(prefix)).pending === 0, 15_000, 'every record delivered after the restart');
    expect(http.requestIds().sort()).toEqual([...ids].sort());
  });

  it('parks a record in the DLQ (reason DestinationFailed) once it is older than maxAgeSeconds', async () => {
    const http = await newSink();
    http.status = 503;
    hub = await startTestHub({ destinationDelivery: { ...FAST, maxAgeSeconds: 1 }, functions: { f: sender(http.url) } });
    const id = await invokeAsync('f', { n: 1 });
    const parked = await waitFor(() => hub!.dlq.get(`destination-${id}-ok`).catch(() => undefined), 15_000, 'the parked record');
    expect(parked).toMatchObject({
      function: 'f',
      reason: 'DestinationFailed',
      source: arnOf('f'),
      envelope: { type: 'aws.lambda.destination', subject: http.url, data: { requestContext: { requestId: id, condition: 'Success' } } },
      delivery: { traceparent: TRACEPARENT },
    });
    expect(parked.attempts.length).toBeGreaterThan(1);
    expect(parked.attempts.at(-1)).toMatchObject({ status: 'error', errorMessage: `HTTP 503 from ${http.url}` });
    // The event itself succeeded: only the destination record is in the DLQ.
    await expect(hub.dlq.get(id)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_NOT_FOUND' });

    // Redriven (admin API) once the target is back: delivered as the next round of the same record.
    http.status = 200;
    const redrive = await fetch(`${hub.url}/admin/dlq/${parked.id}/redrive`, { method: 'POST' });
    expect(await redrive.json()).toEqual({ redriven: [parked.id], failed: [] });
    await expect(hub.dlq.get(parked.id)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_NOT_FOUND' });
    await waitFor(() => http.received.length >= 1, 15_000, 'the redriven record');
    expect(http.received).toHaveLength(1);
    expect(http.received[0].body).toEqual(parked.envelope.data);
    expect(http.received[0].headers).toMatchObject({ 'idempotency-key': `${id}-ok-r1`, traceparent: TRACEPARENT });
  });

  it('a dead-letter message its queue never took is parked, and redriven it still arrives as the raw event with Lambda\'s attributes', async () => {
    const queue = await createQueue(fauxqs.client, 'dead-letters-down');
    const proxy = await new TcpProxy({ host: '127.0.0.1', port: Number(new URL(fauxqs.endpoint).port) }).up();
    proxies.push(proxy);
    await proxy.down();
    hub = await startTestHub({
      destinationDelivery: { ...FAST, maxAgeSeconds: 1 },
      functions: { f: { handler: 'maybe-fail.handler', maximumRetryAttempts: 0, deadLetterQueue: { destination: queue.arn, endpoint: proxy.endpoint } } },
    });
    const event = { fail: true, n: 3 };
    const id = await invokeAsync('f', event);
    const parked = await waitFor(() => hub!.dlq.get(`destination-${id}-dead-letter`).catch(() => undefined), 15_000, 'the parked dead letter');
    expect(parked).toMatchObject({ reason: 'DestinationFailed', envelope: { type: 'aws.lambda.dead-letter', data: { requestPayload: event } } });

    await proxy.up();
    const redrive = await fetch(`${hub.url}/admin/dlq/${parked.id}/redrive`, { method: 'POST' });
    expect(await redrive.json()).toEqual({ redriven: [parked.id], failed: [] });
    const messages: Message[] = [];
    await waitFor(async () => (await drain(queue.url, messages)).length >= 1, 15_000, 'the redriven dead letter');
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0].Body!)).toEqual(event);
    expect(messages[0].MessageAttributes).toEqual({
      RequestID: { DataType: 'String', StringValue: id },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: `asked to fail: ${JSON.stringify(event)}` },
    });
  });

  it('`triggerhub dlq redrive` sends parked records back to their destination, and --to to a function', async () => {
    const http = await newSink();
    http.status = 503;
    const dir = tempDir('th-dest-cli-');
    const callsFile = path.join(dir, 'g.log');
    const g = { handler: 'record.handler', environment: { CALLS_FILE: callsFile } };
    hub = await startTestHub({ destinationDelivery: { ...FAST, maxAgeSeconds: 1 }, functions: { f: sender(http.url), g } });
    const ok = await invokeAsync('f', { n: 1 });
    const failed = await invokeAsync('f', { fail: true, n: 2 });
    await waitFor(async () => (await hub!.dlq.list({ reason: 'DestinationFailed' })).length === 2, 15_000, 'both records parked');

    const configPath = path.join(dir, 'triggerhub.yaml');
    writeFileSync(configPath, JSON.stringify({
      redis: hub.redisUrl, queuePrefix: hub.config.queuePrefix, destinationDelivery: FAST,
      functions: { f: { ...sender(http.url), handler: path.join(FIXTURES, 'maybe-fail.handler') }, g: { ...g, handler: path.join(FIXTURES, 'record.handler') } },
    }));
    http.status = 200;
    const back = await runCli(['--config', configPath, 'dlq', 'redrive', `destination-${ok}-ok`]);
    expect(back, back.stderr).toMatchObject({ code: 0 });
    expect(back.stdout).toContain('redriven: 1');
    await waitFor(() => http.received.length >= 1, 15_000, 'the record redriven by the CLI');
    expect(http.received[0].body).toMatchObject({ requestContext: { requestId: ok, condition: 'Success' } });

    // --to: the parked record becomes an async event of another function, its payload the record.
    const to = await runCli(['--config', configPath, 'dlq', 'redrive', `destination-${failed}-fail`, '--to', 'g']);
    expect(to, to.stderr).toMatchObject({ code: 0 });
    const events = await waitFor(() => readLines(callsFile).length > 0 && readLines(callsFile), 15_000, 'g invoked with the record');
    expect(JSON.parse(events[0])).toMatchObject({ requestContext: { requestId: failed, condition: 'RetriesExhausted' } });
    expect(await hub.dlq.list({ reason: 'DestinationFailed' })).toEqual([]);
  });
});

describe('destination config', () => {
  const problems = (onFailure: unknown, extra: Record<string, unknown> = {}): string => {
    try {
      buildConfig({ ...extra, functions: { f: { handler: 'echo.handler', destinations: { onFailure } }, g: { handler: 'echo.handler' } } }, { baseDir: FIXTURES });
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };

  it('accepts every target syntax', () => {
    for (const target of [
      'g', 'dlq', 'arn:aws:lambda:us-east-1:000000000000:function:g', 'arn:aws:sqs:eu-west-1:123456789012:orders-failed',
      'arn:aws:sns:us-east-1:123456789012:alerts.fifo', 'https://hooks.example.com/lambda', 'redis-stream:failures',
      'redis-stream://user:pw@10.0.0.5:6380/failures', { destination: 'arn:aws:sqs:us-east-1:000000000000:q', endpoint: 'http://127.0.0.1:4566', region: 'us-east-1' },
    ]) expect(problems(target), JSON.stringify(target)).toBe('');
  });

  it('names the field and the rule for a bad target', () => {
    const path = 'functions.f.destinations.onFailure';
    expect(problems('arn:aws:sqs:us-east-1:x:q')).toContain(`${path}: "arn:aws:sqs:us-east-1:x:q" is not a valid SQS queue ARN`);
    expect(problems('arn:aws:sns:us-east-1:123456789012')).toContain(`${path}: "arn:aws:sns:us-east-1:123456789012" is not a valid SNS topic ARN`);
    expect(problems('arn:aws:lambda:us-east-1:123456789012:g')).toContain(`${path}: "arn:aws:lambda:us-east-1:123456789012:g" is not a valid Lambda function ARN`);
    expect(problems('arn:aws:s3:::bucket')).toContain(`${path}: "arn:aws:s3:::bucket": s3 ARNs are not supported destinations`);
    expect(problems('arn:aws:lambda:us-east-1:000000000000:function:ghost')).toContain(`${path}: "arn:aws:lambda:us-east-1:000000000000:function:ghost" is not a configured function`);
    expect(problems('redis-stream:')).toContain(`${path}: "redis-stream:" names no stream key`);
    expect(problems('ftp://files.example.com/x')).toContain(`${path}: "ftp://files.example.com/x" is not a function name, "dlq", a Lambda/SQS/SNS ARN, an http(s) URL or redis-stream:<key>`);
    expect(problems({ destination: 'https://x.example.com', endpoint: 'http://127.0.0.1:4566' })).toContain(`${path}.endpoint: endpoint and region apply to SQS and SNS destinations only`);
    expect(problems({ destination: 'arn:aws:sqs:us-east-1:000000000000:q', endpoint: 'nope' })).toContain(`${path}.endpoint: must be a URL`);
    expect(problems({ destination: 'g', retries: 3 })).toContain(`${path}: unknown field "retries"`);
    expect(problems(42)).toContain(`${path}: must be a destination string or { destination, endpoint?, region? }`);
  });

  it("refuses a Lambda function ARN of another region, account or partition than the hub's, naming what differs, where it ran the local function of that name", () => {
    const path = 'functions.f.destinations.onFailure';
    const refused = (arn: string, why: string) => expect(problems(arn)).toContain(`${path}: "${arn}" is a function of ${why}: the hub runs only its own functions`);
    refused('arn:aws:lambda:eu-west-1:000000000000:function:g', "region eu-west-1, not the hub's us-east-1");
    refused('arn:aws:lambda:us-east-1:123456789012:function:g:live', "account 123456789012, not the hub's 000000000000");
    refused('arn:aws-cn:lambda:us-east-1:000000000000:function:g', "partition aws-cn, not the hub's aws (region us-east-1)");
    expect(problems('arn:aws:lambda:eu-west-1:123456789012:function:g', { region: 'eu-west-1', accountId: '123456789012' })).toBe('');
    expect(problems('arn:aws-cn:lambda:cn-north-1:000000000000:function:g', { region: 'cn-north-1' })).toBe('');
    // SQS and SNS ARNs of other regions stay valid: they are sent to that region's endpoint.
    expect(problems('arn:aws:sqs:eu-west-1:123456789012:orders-failed')).toBe('');
  });

  it('invokes the version or alias a qualified function ARN names, and refuses one the function lacks', async () => {
    const arn = (qualifier: string) => `arn:aws:lambda:us-east-1:000000000000:function:g:${qualifier}`;
    expect(problems(arn('live'))).toContain(`functions.f.destinations.onFailure: "${arn('live')}": function g has no version or alias "live"`);
    expect(problems(arn('$LATEST'))).toBe('');
    const calls = path.join(tempDir(), 'sink.log');
    hub = await startTestHub({
      functions: {
        f: sender('arn:aws:lambda:us-east-1:000000000000:function:sink:live'),
        sink: { handler: 'versions.handler', environment: { CALLS_FILE: calls, STAGE: 'latest' }, aliases: { live: { environment: { STAGE: 'live' } } } },
      },
    });
    const requestId = await invokeAsync('f', { n: 1 });
    const seen = await waitFor(() => readLines(calls).map((line) => JSON.parse(line))[0], 15_000, 'the record at sink:live');
    expect(seen).toMatchObject({ stage: 'live', functionVersion: '1', invokedFunctionArn: expect.stringMatching(/:function:sink:live$/) });
    expectSuccess(seen.event, 'f', requestId, 1);
    // The record's invocation has a request id of its own, a UUID as on Lambda.
    expect(seen.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seen.awsRequestId).not.toBe(requestId);
  });

  it('refuses dlq as an on-success target (no record would go anywhere), naming the field', () => {
    const load = (onSuccess: unknown) => () => buildConfig({ functions: { f: { handler: 'echo.handler', destinations: { onSuccess } } } }, { baseDir: FIXTURES });
    expect(load('dlq')).toThrow('functions.f.destinations.onSuccess: "dlq" is an on-failure target only');
    expect(load({ destination: 'dlq' })).toThrow('functions.f.destinations.onSuccess.destination: "dlq" is an on-failure target only');
    expect(problems('dlq')).toBe('');
  });

  it('validates destinationDelivery', () => {
    expect(problems('g', { destinationDelivery: { baseDelayMs: 0 } })).toContain('destinationDelivery.baseDelayMs: must be between 1 and 60000');
    expect(problems('g', { destinationDelivery: { maxAgeSeconds: 10_000_000 } })).toContain('destinationDelivery.maxAgeSeconds: must be between 1 and 604800');
    expect(buildConfig({}, { baseDir: FIXTURES }).destinationDelivery).toEqual({ baseDelayMs: 1000, maxDelayMs: 300_000, maxAgeSeconds: 86_400, timeoutMs: 10_000 });
  });
});
