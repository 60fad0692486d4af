import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { HubError } from '../src/errors.js';
import type { InvokeResult } from '../src/runtime/types.js';
import { processStreamBatch, type StreamBatchDeps, type StreamBatchFailure, type StreamBatchPolicy } from '../src/sources/kit/stream-batch.js';
import { streamBatchPolicy } from '../src/sources/kit/stream-settings.js';
import { DYNAMODB_STREAM_RETENTION_SECONDS } from '../src/sources/dynamodb/client.js';

/** Records are sequence numbers; arrival is "now" unless a test says otherwise. */
interface Rec { seq: string; arrivalMs: number }
const recs = (n: number, arrivalMs = Date.now()): Rec[] => Array.from({ length: n }, (_, i) => ({ seq: String(i + 1), arrivalMs }));

const ok = (payload: unknown = null): InvokeResult => ({
  requestId: `req-${Math.random()}`, status: 'success', payload: JSON.stringify(payload),
  durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 40, logs: '', environmentId: 'e',
});
const failed = (): InvokeResult => ({ ...ok(), status: 'error', payload: undefined, error: { errorType: 'Error', errorMessage: 'boom' } });

/** A fake function: `answer` decides each invocation; every call, checkpoint and failure is recorded. */
function harness(answer: (batch: string[], call: number) => InvokeResult | Promise<InvokeResult>, policy: Partial<StreamBatchPolicy> = {}) {
  const calls: string[][] = [];
  const checkpoints: string[][] = [];
  const failures: Array<StreamBatchFailure<Rec>> = [];
  const abort = new AbortController();
  const deps: StreamBatchDeps<Rec> = {
    policy: {
      maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false, retryDelayMs: () => 0, ...policy,
    },
    sequenceOf: (r) => r.seq,
    arrivalMsOf: (r) => r.arrivalMs,
    invoke: async (records) => {
      const batch = records.map((r) => r.seq);
      calls.push(batch);
      return answer(batch, calls.length);
    },
    checkpoint: async (records) => { checkpoints.push(records.map((r) => r.seq)); },
    onFailure: async (failure) => { failures.push(failure); },
    signal: abort.signal,
    log: silentLogger(),
  };
  return { deps, calls, checkpoints, failures, abort, acked: () => checkpoints.flat() };
}

describe('stream batches (shared Kinesis-style logic)', () => {
  it('checkpoints the whole batch after one successful invocation', async () => {
    const h = harness(() => ok());
    expect(await processStreamBatch(recs(3), h.deps)).toBe(true);
    expect(h.calls).toEqual([['1', '2', '3']]);
    expect(h.checkpoints).toEqual([['1', '2', '3']]);
  });

  it('retries a failing batch maximumRetryAttempts times, then reports it and checkpoints it', async () => {
    const h = harness(() => failed(), { maximumRetryAttempts: 2 });
    expect(await processStreamBatch(recs(2), h.deps)).toBe(true);
    expect(h.calls).toHaveLength(3);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, functionError: 'Unhandled' });
    expect(h.failures[0].records.map((r) => r.seq)).toEqual(['1', '2']);
    expect(h.acked()).toEqual(['1', '2']);
  });

  it('a batch that succeeds on a retry is checkpointed without a failure record', async () => {
    const h = harness((_, call) => (call < 3 ? failed() : ok()));
    await processStreamBatch(recs(2), h.deps);
    expect(h.calls).toHaveLength(3);
    expect(h.failures).toEqual([]);
    expect(h.acked()).toEqual(['1', '2']);
  });

  it('bisects a failing batch to isolate the bad record; order and retries are kept', async () => {
    const h = harness((batch) => (batch.includes('5') ? failed() : ok()), { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 });
    await processStreamBatch(recs(8), h.deps);
    // [1..8] ✗ → [1..4] ✓ → [5..8] ✗ → [5,6] ✗ → [5] ✗ → [5] ✗ (retry) → given up → [6] ✓ → [7,8] ✓
    expect(h.calls).toEqual([
      ['1', '2', '3', '4', '5', '6', '7', '8'], ['1', '2', '3', '4'], ['5', '6', '7', '8'], ['5', '6'], ['5'], ['5'], ['6'], ['7', '8'],
    ]);
    expect(h.failures.map((f) => f.records.map((r) => r.seq))).toEqual([['5']]);
    expect(h.failures[0].approximateInvokeCount).toBe(5);
    expect(h.acked()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it('with ReportBatchItemFailures checkpoints before the lowest failure and retries from it', async () => {
    const h = harness((batch, call) => (call === 1 ? ok({ batchItemFailures: [{ itemIdentifier: '4' }, { itemIdentifier: '2' }] }) : ok({ batchItemFailures: [] })),
      { reportBatchItemFailures: true });
    await processStreamBatch(recs(5), h.deps);
    expect(h.calls).toEqual([['1', '2', '3', '4', '5'], ['2', '3', '4', '5']]);
    expect(h.checkpoints).toEqual([['1'], ['2', '3', '4', '5']]);
  });

  it.each([
    ['an identifier not in the batch', { batchItemFailures: [{ itemIdentifier: 'nope' }] }],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a response that is not an object', 'oops'],
  ])('a batch response with %s fails the whole batch', async (_, response) => {
    const h = harness(() => ok(response), { reportBatchItemFailures: true, maximumRetryAttempts: 0 });
    await processStreamBatch(recs(2), h.deps);
    expect(h.failures[0].records).toHaveLength(2);
    expect(h.failures[0].functionError).toBeUndefined();
  });

  it('gives up records older than maximumRecordAgeInSeconds without invoking them', async () => {
    const old = recs(2, Date.now() - 120_000);
    const fresh = recs(1).map((r) => ({ ...r, seq: '3' }));
    const h = harness(() => ok(), { maximumRecordAgeInSeconds: 60 });
    await processStreamBatch([...old, ...fresh], h.deps);
    expect(h.calls).toEqual([['3']]);
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(h.acked()).toEqual(['1', '2', '3']);
  });

  it('records that expire while being retried are given up with their invoke count', async () => {
    let now = Date.now();
    const h = harness(() => { now += 30_000; return failed(); }, { maximumRecordAgeInSeconds: 60 });
    h.deps.now = () => now;
    await processStreamBatch(recs(1, now), h.deps);
    expect(h.failures[0]).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 3 });
  });

  it('a throttled invocation is tried again without using up a retry', async () => {
    let throttles = 2;
    const h = harness(() => {
      if (throttles-- > 0) throw new HubError('TH_ERR_THROTTLED', 'Rate Exceeded.');
      return failed();
    }, { maximumRetryAttempts: 0 });
    await processStreamBatch(recs(1), h.deps);
    expect(h.calls).toHaveLength(3);
    expect(h.failures[0].approximateInvokeCount).toBe(1);
  });

  it('stops between attempts when aborted, leaving the rest unacknowledged', async () => {
    const h = harness((_, call) => {
      if (call === 3) h.abort.abort();
      return failed();
    });
    expect(await processStreamBatch(recs(2), h.deps)).toBe(false);
    expect(h.calls).toHaveLength(3);
    expect(h.acked()).toEqual([]);
  });

  it('a hub that is stopping ends the batch without acknowledging', async () => {
    const h = harness(() => { throw new HubError('TH_ERR_HUB_STOPPING', 'stopping'); });
    expect(await processStreamBatch(recs(1), h.deps)).toBe(false);
    expect(h.acked()).toEqual([]);
  });
});

describe('streamBatchPolicy', () => {
  const settings = { maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, bisectBatchOnFunctionError: false, functionResponseTypes: [] };

  it('retries records until they expire from the stream: its retention bounds the record age', () => {
    expect(streamBatchPolicy(settings, DYNAMODB_STREAM_RETENTION_SECONDS).maximumRecordAgeInSeconds).toBe(86_400);
    expect(streamBatchPolicy({ ...settings, maximumRecordAgeInSeconds: 600 }, 86_400).maximumRecordAgeInSeconds).toBe(600);
    expect(streamBatchPolicy({ ...settings, maximumRecordAgeInSeconds: 604_800 }, 86_400).maximumRecordAgeInSeconds).toBe(86_400);
    // A stream without a retention of its own (Redis Streams) keeps the setting.
    expect(streamBatchPolicy(settings).maximumRecordAgeInSeconds).toBe(-1);
  });
});
