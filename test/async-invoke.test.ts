import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveOne } from '../src/dlq/redrive.js';
import { buildEnvelope, newDelivery } from '../src/router/envelope.js';
import { decoder, encoder, readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

describe('async invocations: retries, max event age, dead letters, destinations', () => {
  let hub: TestHub;
  const dir = tempDir();
  const failCalls = path.join(dir, 'fail-calls.log');
  const marker = path.join(dir, 'fixed');
  const destinationCalls = path.join(dir, 'destination.log');
  const agedCalls = path.join(dir, 'aged.log');
  const pausedCalls = path.join(dir, 'paused.log');

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        flaky: {
          handler: 'fail.handler', maximumRetryAttempts: 2, retryBackoffSeconds: 0.05,
          environment: { CALLS_FILE: failCalls, FIX_MARKER: marker },
          destinations: { onFailure: 'sink', onSuccess: 'sink' },
        },
        aged: {
          handler: 'fail.handler', maximumRetryAttempts: 2, retryBackoffSeconds: 1, maximumEventAgeInSeconds: 60,
          environment: { CALLS_FILE: agedCalls },
        },
        paused: {
          handler: 'fail.handler', reservedConcurrency: 0, maximumEventAgeInSeconds: 60,
          environment: { CALLS_FILE: pausedCalls }, destinations: { onFailure: 'sink' },
        },
        strict: { handler: 'fail.handler', retryBackoffSeconds: 0.05, nonRetryableErrors: ['ConfigError'], destinations: { onFailure: 'sink' } },
        sink: { handler: 'record.handler', environment: { CALLS_FILE: destinationCalls } },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invokeAsync = async (fn: string, payload: unknown) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: encoder.encode(JSON.stringify(payload)) }));
    expect(out.StatusCode).toBe(202);
    return out.$metadata.requestId!;
  };
  const destinationRecords = () => readLines(destinationCalls).map((line) => JSON.parse(line));

  it('dead-letters an always-failing event after exactly 1 + maximumRetryAttempts attempts, then redrives it once fixed', async () => {
    const requestId = await invokeAsync('flaky', { n: 1 });
    const record = await waitFor(() => hub.dlq.get(requestId).catch(() => undefined), 15_000, 'DLQ record');
    expect(record.reason).toBe('RetriesExhausted');
    expect(record.function).toBe('flaky');
    expect(record.envelope).toMatchObject({ specversion: '1.0', id: requestId, data: { n: 1 } });
    expect(record.attempts).toHaveLength(3);
    expect(record.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    for (const attempt of record.attempts) {
      expect(attempt).toMatchObject({ status: 'error', errorType: 'BoomError', redrive: 0 });
      expect(attempt.errorMessage).toContain('cannot handle');
      expect(attempt.trace?.[1]).toMatch(/^ {4}at /);
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(attempt.startedAt)).not.toBeNaN();
    }
    expect(readLines(failCalls).filter((id) => id === requestId)).toHaveLength(3);

    const failure = await waitFor(() => destinationRecords().find((r) => r.requestContext.requestId === requestId), 10_000, 'on-failure record');
    expect(failure).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST' },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'BoomError' },
    });

    writeFileSync(marker, 'fixed');
    await redriveOne(hub.dlq, hub.queues, requestId);
    await expect(hub.dlq.get(requestId)).rejects.toMatchObject({ code: 'TH_ERR_DLQ_NOT_FOUND' });
    const success = await waitFor(() => destinationRecords().find((r) => r.requestContext.requestId === requestId && r.requestContext.condition === 'Success'), 10_000, 'on-success record');
    expect(success.responsePayload).toEqual({ fixed: true, event: { n: 1 } });
    expect(readLines(failCalls).filter((id) => id === requestId)).toHaveLength(4);
  });

  it('does not retry an error marked non-retryable (by the error or by nonRetryableErrors)', async () => {
    const flagged = await invokeAsync('strict', { retryable: false, errorType: 'PlainError' });
    const listed = await invokeAsync('strict', { errorType: 'ConfigError' });
    for (const id of [flagged, listed]) {
      const record = await waitFor(() => hub.dlq.get(id).catch(() => undefined), 10_000, 'DLQ record');
      expect(record.reason).toBe('NonRetryableError');
      expect(record.attempts).toHaveLength(1);
      // The on-failure record carries Lambda's error document: the hub's retryable flag stays out.
      const sent = await waitFor(() => destinationRecords().find((r) => r.requestContext.requestId === id), 10_000, 'on-failure record');
      expect(sent.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
      expect(Object.keys(sent.responsePayload).sort()).toEqual(['errorMessage', 'errorType', 'trace']);
    }
    // So does a synchronous caller's.
    const sync = await hub.lambda.send(new InvokeCommand({ FunctionName: 'strict', Payload: encoder.encode(JSON.stringify({ retryable: false, errorType: 'PlainError' })) }));
    expect(sync.FunctionError).toBe('Unhandled');
    expect(Object.keys(JSON.parse(decoder.decode(sync.Payload))).sort()).toEqual(['errorMessage', 'errorType', 'trace']);
  });

  it('does not retry an event whose next retry would pass its maximum age', async () => {
    const envelope = buildEnvelope({ source: 'test', type: 'test', data: { aged: true } });
    await hub.dispatcher.enqueue(envelope, newDelivery('aged', 'Event', { firstSeenAt: Date.now() - 59_500 }));
    const record = await waitFor(() => hub.dlq.get(envelope.id).catch(() => undefined), 10_000, 'DLQ record');
    expect(record.reason).toBe('EventAgeExceeded');
    expect(record.attempts).toHaveLength(1);
    expect(readLines(agedCalls).filter((id) => id === envelope.id)).toHaveLength(1);
  });

  it('dead-letters an event already past its maximum age without running it', async () => {
    const envelope = buildEnvelope({ source: 'test', type: 'test', data: { stale: true } });
    await hub.dispatcher.enqueue(envelope, newDelivery('aged', 'Event', { firstSeenAt: Date.now() - 120_000 }));
    const record = await waitFor(() => hub.dlq.get(envelope.id).catch(() => undefined), 10_000, 'DLQ record');
    expect(record.reason).toBe('EventAgeExceeded');
    expect(record.attempts).toHaveLength(0);
    expect(readLines(agedCalls)).not.toContain(envelope.id);
  });

  it('holds the events of a function throttled to zero until their maximum age, then dead-letters them unrun', async () => {
    const envelope = buildEnvelope({ source: 'test', type: 'test', data: { paused: true } });
    await hub.dispatcher.enqueue(envelope, newDelivery('paused', 'Event', { firstSeenAt: Date.now() - 58_500 }));
    expect(await hub.queues.depth('paused')).toBe(1);
    const record = await waitFor(() => hub.dlq.get(envelope.id).catch(() => undefined), 10_000, 'DLQ record');
    expect(record.reason).toBe('EventAgeExceeded');
    expect(record.attempts).toHaveLength(0);
    expect(Date.parse(record.failedAt) - record.delivery.firstSeenAt).toBeGreaterThanOrEqual(60_000);
    expect(readLines(pausedCalls)).toEqual([]);
    const failure = await waitFor(() => destinationRecords().find((r) => r.requestContext.requestId === envelope.id), 10_000, 'on-failure record');
    expect(failure.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 0 });
    expect(failure.requestPayload).toEqual({ paused: true });
    expect(await hub.queues.depth('paused')).toBe(0);
  });
});
