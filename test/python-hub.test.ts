import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, InvokeWithResponseStreamCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createQueue, queueDepth, receiveAll, recordedBodies, sendBodies, sqsWorker, startFauxqs, type Fauxqs,
} from './helpers/fauxqs.js';
import { decoder, encoder, readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

const PYTHON = fileURLToPath(new URL('./fixtures/python/', import.meta.url));

describe('Python handlers through the hub', () => {
  let hub: TestHub;
  const callsFile = path.join(tempDir('th-py-'), 'calls.jsonl');

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        pyCounter: { handler: path.join(PYTHON, 'handlers.counter'), runtime: 'python3.12' },
        pyFail: { handler: path.join(PYTHON, 'handlers.fail'), runtime: 'python3.11', maximumRetryAttempts: 0 },
        pyRecord: { handler: path.join(PYTHON, 'handlers.record'), runtime: 'python3.13', environment: { CALLS_FILE: callsFile } },
        pyContext: { handler: path.join(PYTHON, 'handlers.client_context'), runtime: 'python3.12' },
        pyRepr: { handler: path.join(PYTHON, 'handlers.event_repr'), runtime: 'python3.12' },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invoke = async (fn: string, payload: unknown) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: encoder.encode(JSON.stringify(payload)), LogType: 'Tail' }));
    return { ...out, body: JSON.parse(decoder.decode(out.Payload)), logs: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8') };
  };

  it('passes a synchronous payload to the runtime as sent, as Lambda does: numbers JavaScript cannot hold reach Python exactly', async () => {
    const Payload = encoder.encode('{"id": 9007199254740993, "big": 1e400, "zero": -0.0}');
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'pyRepr', Payload }));
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ repr: "{'id': 9007199254740993, 'big': inf, 'zero': -0.0}" });
    const streamed = await hub.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'pyRepr', Payload }));
    let text = '';
    for await (const event of streamed.EventStream!) if (event.PayloadChunk?.Payload) text += decoder.decode(event.PayloadChunk.Payload);
    expect(JSON.parse(text)).toEqual({ repr: "{'id': 9007199254740993, 'big': inf, 'zero': -0.0}" });
  });

  it('invokes a Python handler synchronously and keeps it warm', async () => {
    const first = await invoke('pyCounter', { a: 1 });
    const second = await invoke('pyCounter', { a: 2 });
    expect(first.FunctionError).toBeUndefined();
    expect(first.body).toMatchObject({ count: 1, event: { a: 1 }, context: { function_name: 'pyCounter' } });
    expect(second.body.count).toBe(2);
    expect(first.logs).toContain('Init Duration');
    expect(second.logs).toContain('event {"a": 2}');
  });

  it('gives the handler ClientContext and identity as the attribute objects of Lambda\'s Python runtime', async () => {
    const ClientContext = Buffer.from(JSON.stringify({ custom: { tenant: 't-1' }, env: { locale: 'en' }, client: { installation_id: 'i-9' } })).toString('base64');
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'pyContext', ClientContext, Payload: encoder.encode('{}') }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({
      custom: { tenant: 't-1' }, env: { locale: 'en' }, installation_id: 'i-9', app_title: null, cognito_identity_id: null,
    });
    const none = await hub.lambda.send(new InvokeCommand({ FunctionName: 'pyContext', Payload: encoder.encode('{}') }));
    expect(JSON.parse(decoder.decode(none.Payload))).toEqual({ custom: null, env: null, installation_id: null, app_title: null, cognito_identity_id: null });
  });

  it('returns a Python error as FunctionError Unhandled with Lambda\'s shape', async () => {
    const out = await invoke('pyFail', { id: 3 });
    expect(out.FunctionError).toBe('Unhandled');
    expect(out.body).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'order 3 rejected' });
    expect(out.body.stackTrace.length).toBeGreaterThan(0);
  });

  it('runs async invocations of a Python handler and dead-letters failing ones', async () => {
    const ok = await hub.lambda.send(new InvokeCommand({ FunctionName: 'pyRecord', InvocationType: 'Event', Payload: encoder.encode('{"job":1}') }));
    expect(ok.StatusCode).toBe(202);
    const call = await waitFor(() => readLines(callsFile).map((line) => JSON.parse(line)).find((c) => c.event.job === 1), 10_000, 'recorded call');
    expect(call.requestId).toBe(ok.$metadata.requestId);

    const failed = await hub.lambda.send(new InvokeCommand({ FunctionName: 'pyFail', InvocationType: 'Event', Payload: encoder.encode('{"id":9}') }));
    const record = await waitFor(() => hub.dlq.get(failed.$metadata.requestId!).catch(() => undefined), 10_000, 'DLQ record');
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ status: 'error', errorType: 'OrderRejected', errorMessage: 'order 9 rejected' });
  });
});

describe('a Python handler fed by SQS batches', () => {
  let sqs: Fauxqs;
  let hub: TestHub | undefined;
  beforeAll(async () => { sqs = await startFauxqs(); });
  afterAll(async () => { await hub?.stop(); await sqs.stop(); });

  it('reports partial batch failures: only the failed record is retried and reaches the DLQ', async () => {
    const dlq = await createQueue(sqs.client, 'py-dlq');
    const queue = await createQueue(sqs.client, 'py-batch', {
      VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await sendBodies(sqs.client, queue.url, ['ok:1', 'fail', 'ok:2']);
    const callsFile = path.join(tempDir('th-py-sqs-'), 'calls.jsonl');
    hub = await startTestHub(sqsWorker({
      queue: queue.url, endpoint: sqs.endpoint, callsFile,
      sqs: { functionResponseTypes: ['ReportBatchItemFailures'] },
      fn: { handler: path.join(PYTHON, 'handlers.sqs_batch'), runtime: 'python3.12' },
    }));
    await waitFor(async () => (await queueDepth(sqs.client, queue.url)) === 0, 15_000, 'an empty queue');
    expect(await receiveAll(sqs.client, dlq.url)).toEqual(['fail']);
    const bodies = recordedBodies(callsFile);
    expect(bodies.filter((b) => b === 'fail')).toHaveLength(2);
    expect(bodies.filter((b) => b === 'ok:1')).toHaveLength(1);
  });
});
