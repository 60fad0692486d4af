import { createHash } from 'node:crypto';
import path from 'node:path';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createQueue, queueDepth, recordedBodies, recordedEvents, REGION, sendBodies, sqsWorker, startFauxqs, type Fauxqs,
} from './helpers/fauxqs.js';
import { startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

let sqs: Fauxqs;
let hub: TestHub | undefined;
beforeAll(async () => { sqs = await startFauxqs(); });
afterAll(async () => { await sqs.stop(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

const calls = () => path.join(tempDir('th-sqs-'), 'calls.jsonl');
const drained = (url: string) => waitFor(async () => (await queueDepth(sqs.client, url)) === 0, 15_000, 'an empty queue');

describe('sqs event source: delivery', () => {
  it('invokes with Lambda-shaped SQS records and deletes the batch on success', async () => {
    const queue = await createQueue(sqs.client, 'shape');
    await sendBodies(sqs.client, queue.url, [
      { MessageBody: '{"order":1}', MessageAttributes: {
        tenant: { DataType: 'String', StringValue: 'acme' },
        weight: { DataType: 'Number', StringValue: '12.5' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
      } },
      'plain text',
    ]);
    const callsFile = calls();
    // No `endpoint` nor `region`: the SDK's standard configuration applies (AWS_ENDPOINT_URL_SQS
    // here); it finds no region, so the one in the queue URL is used.
    process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
    try {
      hub = await startTestHub(sqsWorker({ queue: queue.url, endpoint: undefined, callsFile, sqs: { region: undefined } }));
      await drained(queue.url);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SQS;
    }
    const events = recordedEvents(callsFile);
    expect(events.flatMap((event) => event.Records.map((record) => record.body)).sort()).toEqual(['plain text', '{"order":1}']);
    for (const event of events) expect(() => SqsSchema.parse(event)).not.toThrow();
    const records = events.flatMap((event) => event.Records);
    const withAttributes = records.find((record) => record.body === '{"order":1}')!;
    expect(withAttributes).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: REGION,
      md5OfBody: createHash('md5').update('{"order":1}').digest('hex'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(Object.keys(withAttributes.attributes)).toEqual(['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp']);
    expect(withAttributes.attributes.ApproximateReceiveCount).toBe('1');
    expect(withAttributes.messageAttributes).toEqual({
      tenant: { stringValue: 'acme', stringListValues: [], binaryListValues: [], dataType: 'String' },
      weight: { stringValue: '12.5', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      blob: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    const plain = records.find((record) => record.body === 'plain text')!;
    expect(plain.messageAttributes).toEqual({});
    expect(plain).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('a queue in a China region is named in the aws-cn partition in eventSourceARN, though the SQS peer says arn:aws:', async () => {
    const cn = new SQSClient({ endpoint: sqs.endpoint, region: 'cn-north-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const queue = await createQueue(cn, 'china');
      // fauxqs writes arn:aws: in every region; SQS in cn-north-1 never does.
      expect(queue.arn).toBe(`arn:aws:sqs:cn-north-1:000000000000:${queue.name}`);
      await sendBodies(cn, queue.url, ['{"order":1}']);
      const callsFile = calls();
      hub = await startTestHub({ ...sqsWorker({ queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { region: 'cn-north-1' } }), region: 'cn-north-1' });
      await waitFor(() => recordedBodies(callsFile).length === 1, 15_000, 'the message delivered');
      expect(recordedEvents(callsFile)[0].Records[0]).toMatchObject({
        eventSourceARN: `arn:aws-cn:sqs:cn-north-1:000000000000:${queue.name}`, awsRegion: 'cn-north-1',
      });
    } finally {
      cn.destroy();
    }
  });

  it('with ReportBatchItemFailures deletes all but the reported messages, which come back', async () => {
    const queue = await createQueue(sqs.client, 'partial', { VisibilityTimeout: '1' });
    await sendBodies(sqs.client, queue.url, ['ok:1', 'fail-once:2', 'ok:3']);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { functionResponseTypes: ['ReportBatchItemFailures'] },
    }));
    await drained(queue.url);
    const events = recordedEvents(callsFile);
    expect(events[0].Records.map((record) => record.body)).toEqual(['ok:1', 'fail-once:2', 'ok:3']);
    expect(recordedBodies(callsFile).sort()).toEqual(['fail-once:2', 'fail-once:2', 'ok:1', 'ok:3']);
    const retried = events.at(-1)!.Records[0];
    expect(retried.body).toBe('fail-once:2');
    expect(retried.attributes.ApproximateReceiveCount).toBe('2');
  });

  it.each(['bogus-once', 'empty-id-once', 'malformed-once'])('a response with %s fails the whole batch', async (body) => {
    const queue = await createQueue(sqs.client, 'invalid', { VisibilityTimeout: '1' });
    await sendBodies(sqs.client, queue.url, ['ok:1', body, 'ok:2']);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile, sqs: { functionResponseTypes: ['ReportBatchItemFailures'] },
    }));
    await drained(queue.url);
    // Nothing of the first batch was deleted: every message came back once.
    expect(recordedBodies(callsFile).sort()).toEqual([body, body, 'ok:1', 'ok:1', 'ok:2', 'ok:2'].sort());
  });

  it('without ReportBatchItemFailures a returned failure list is just a result: the batch is deleted', async () => {
    const queue = await createQueue(sqs.client, 'plain', { VisibilityTimeout: '1' });
    await sendBodies(sqs.client, queue.url, ['fail:1', 'ok:2']);
    const callsFile = calls();
    // The queue given by ARN, as SAM templates do: the poller looks its URL up.
    hub = await startTestHub(sqsWorker({ queue: queue.arn, endpoint: sqs.endpoint, callsFile }));
    await drained(queue.url);
    expect(recordedBodies(callsFile).sort()).toEqual(['fail:1', 'ok:2']);
  });

  it('deletes records that match no filter without invoking the function', async () => {
    const queue = await createQueue(sqs.client, 'filtered');
    await sendBodies(sqs.client, queue.url, ['{"type":"order","n":1}', '{"type":"ping"}', 'hello', '{"type":"order","n":2}']);
    const callsFile = calls();
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile,
      sqs: { filterCriteria: { filters: [{ pattern: '{"body":{"type":["order"]}}' }] } },
    }));
    await drained(queue.url);
    expect(recordedBodies(callsFile)).toEqual(['{"type":"order","n":1}', '{"type":"order","n":2}']);
    // A batch that no filter matches is deleted with no invocation at all.
    await sendBodies(sqs.client, queue.url, ['{"type":"ping"}', 'hello']);
    await drained(queue.url);
    expect(recordedEvents(callsFile)).toHaveLength(1);
  });
});
