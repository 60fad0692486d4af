import type { SQSRecord } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import net from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { isHubError } from '../src/errors.js';
import type { InvokeResult } from '../src/runtime/types.js';
import { deleteRecords } from '../src/sources/sqs/acks.js';
import { batchOutcome, blockFailedGroups } from '../src/sources/sqs/batch-response.js';
import { arnFromUrl } from '../src/sources/sqs/queue.js';
import { regionOfQueue } from '../src/sources/sqs/settings.js';
import { VisibilityKeeper } from '../src/sources/sqs/visibility.js';
import { FIXTURES, waitFor } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs';

function configError(sqs: Record<string, unknown>): string {
  try {
    buildConfig({ functions: { worker: { handler: 'noop.handler', events: [{ sqs }] } } }, { baseDir: FIXTURES });
  } catch (err) {
    if (isHubError(err, 'TH_ERR_CONFIG_INVALID')) return err.message;
    throw err;
  }
  return '';
}

describe('sqs settings', () => {
  it('applies Lambda\'s defaults', () => {
    const config = buildConfig({ functions: { worker: { handler: 'noop.handler', events: [{ sqs: { queue: QUEUE } }] } } }, { baseDir: FIXTURES });
    expect(config.functions.worker.events[0].sqs).toEqual({
      queue: QUEUE, batchSize: 10, maximumBatchingWindowInSeconds: 0, functionResponseTypes: [],
    });
  });

  it.each([
    [{ queue: QUEUE, batchSize: 0 }, 'functions.worker.events[0].sqs.batchSize: must be between 1 and 10000'],
    [{ queue: QUEUE, batchSize: 10_001, maximumBatchingWindowInSeconds: 1 }, 'sqs.batchSize: must be between 1 and 10000'],
    [{ queue: QUEUE, batchSize: 11 }, 'sqs.maximumBatchingWindowInSeconds: must be at least 1 when batchSize is greater than 10'],
    [{ queue: QUEUE, maximumBatchingWindowInSeconds: 301 }, 'sqs.maximumBatchingWindowInSeconds: must be between 0 and 300'],
    [{ queue: QUEUE, maximumConcurrency: 1 }, 'sqs.maximumConcurrency: must be between 2 and 1000'],
    [{ queue: `${QUEUE}.fifo`, batchSize: 20, maximumBatchingWindowInSeconds: 1 }, 'sqs.batchSize: must be between 1 and 10 for a FIFO queue'],
    [{ queue: `${QUEUE}.fifo`, maximumBatchingWindowInSeconds: 1 }, 'sqs.maximumBatchingWindowInSeconds: is not supported for FIFO queues'],
    [{ queue: QUEUE, functionResponseTypes: ['Other'] }, 'sqs.functionResponseTypes[0]: must be ReportBatchItemFailures'],
    [{ queue: 'jobs' }, 'sqs.queue: must be a queue URL'],
    [{ queue: QUEUE, region: 'mars' }, 'sqs.region: must be an AWS region name'],
    [{ queue: QUEUE, batchsize: 5 }, 'sqs: unknown field "batchsize"'],
    [{ queue: QUEUE, filterCriteria: { filters: [{ pattern: '{"body":' }] } }, 'sqs.filterCriteria.filters[0].pattern'],
  ])('rejects %j', (sqs, message) => {
    expect(configError(sqs)).toContain(message);
  });

  it('accepts a queue ARN and FIFO queues within their limits', () => {
    expect(configError({ queue: 'arn:aws:sqs:eu-west-1:123456789012:jobs', batchSize: 10_000, maximumBatchingWindowInSeconds: 300 })).toBe('');
    expect(configError({ queue: `${QUEUE}.fifo`, batchSize: 10, maximumConcurrency: 1000 })).toBe('');
  });

  it('reads the region from queue URLs and ARNs and derives the ARN from a URL', () => {
    expect(regionOfQueue(QUEUE)).toBe('eu-west-1');
    expect(regionOfQueue('https://eu-west-2.queue.amazonaws.com/123456789012/q')).toBe('eu-west-2');
    expect(regionOfQueue('http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q')).toBe('us-east-1');
    expect(regionOfQueue('http://localhost:4566/000000000000/q')).toBeUndefined();
    expect(regionOfQueue('arn:aws:sqs:ap-south-1:123456789012:q')).toBe('ap-south-1');
    expect(arnFromUrl(QUEUE, 'us-east-1')).toBe('arn:aws:sqs:eu-west-1:123456789012:jobs');
    expect(arnFromUrl('http://localhost:4566/000000000000/q.fifo', 'us-east-1')).toBe('arn:aws:sqs:us-east-1:000000000000:q.fifo');
    // In the partition of the queue's region: the URL's, else the fallback.
    expect(arnFromUrl('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs', 'us-east-1')).toBe('arn:aws-cn:sqs:cn-north-1:123456789012:jobs');
    expect(arnFromUrl('http://localhost:4566/000000000000/q', 'us-gov-west-1')).toBe('arn:aws-us-gov:sqs:us-gov-west-1:000000000000:q');
  });
});

const record = (messageId: string, group?: string) =>
  ({ messageId, attributes: group ? { MessageGroupId: group } : {} }) as unknown as SQSRecord;
const success = (payload: unknown): InvokeResult =>
  ({ status: 'success', payload: payload === undefined ? 'null' : JSON.stringify(payload) }) as InvokeResult;
const failedIds = (outcome: ReturnType<typeof batchOutcome>) => (outcome.failed === 'all' ? 'all' : [...outcome.failed].sort());

describe('sqs batch responses (ReportBatchItemFailures)', () => {
  const records = [record('m1'), record('m2'), record('m3')];

  it.each([
    ['null', undefined], ['{}', {}], ['a null list', { batchItemFailures: null }], ['an empty list', { batchItemFailures: [] }],
    ['other fields only', { statusCode: 200 }],
  ])('%s is a complete success', (_name, payload) => {
    expect(failedIds(batchOutcome(success(payload), records, true))).toEqual([]);
  });

  it('an empty response (no bytes, or the empty string a handler returns) is a complete success', () => {
    for (const payload of ['', ' ', '""']) {
      expect(failedIds(batchOutcome({ status: 'success', payload } as InvokeResult, records, true))).toEqual([]);
    }
  });

  it('reported identifiers fail those records only', () => {
    expect(failedIds(batchOutcome(success({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] }), records, true)))
      .toEqual(['m2', 'm3']);
  });

  it.each([
    ['an unknown identifier', { batchItemFailures: [{ itemIdentifier: 'nope' }] }],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a bad key name', { batchItemFailures: [{ itemId: 'm1' }] }],
    ['a list that is not a list', { batchItemFailures: 'm1' }],
    ['a string response', 'ok'],
    ['an array response', [{ itemIdentifier: 'm1' }]],
  ])('%s fails the whole batch', (_name, payload) => {
    expect(failedIds(batchOutcome(success(payload), records, true))).toBe('all');
  });

  it('a handler error fails the whole batch; without ReportBatchItemFailures a result is never read', () => {
    const error = { status: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out' } } as InvokeResult;
    expect(batchOutcome(error, records, true)).toEqual({ failed: 'all', reason: 'Sandbox.Timedout: Task timed out' });
    expect(failedIds(batchOutcome(success({ batchItemFailures: [{ itemIdentifier: 'nope' }] }), records, false))).toEqual([]);
  });

  it('FIFO: a failure fails the rest of its message group in the batch, not other groups', () => {
    const fifo = [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('b2', 'B'), record('a3', 'A'), record('c1', 'C')];
    expect([...blockFailedGroups(fifo, new Set(['a2']))].sort()).toEqual(['a2', 'a3']);
    expect([...blockFailedGroups(fifo, new Set(['b1', 'c1']))].sort()).toEqual(['b1', 'b2', 'c1']);
    expect([...blockFailedGroups(fifo, new Set())]).toEqual([]);
  });
});

describe('sqs deletes', () => {
  it('retries entries SQS failed on its side once, and logs what still fails', async () => {
    const calls: string[][] = [];
    const answers = [
      { Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }, { Id: '2', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }] },
      { Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }] },
    ];
    const client = {
      send: async (command: { input: { Entries: Array<{ ReceiptHandle: string }> } }) => {
        calls.push(command.input.Entries.map((entry) => entry.ReceiptHandle));
        return answers[calls.length - 1] ?? {};
      },
    } as unknown as SQSClient;
    const lines: Array<{ event: string; messageIds: string[]; code: string; count: number }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
    const records = ['a', 'b', 'c'].map((id) => ({ messageId: id, receiptHandle: `rh-${id}` }) as SQSRecord);
    await deleteRecords(client, 'http://q', records, log);
    expect(calls).toEqual([['rh-a', 'rh-b', 'rh-c'], ['rh-b']]);
    expect(lines.map(({ event, messageIds, code, count }) => ({ event, messageIds, code, count }))).toEqual([
      { event: 'sqs_delete_failed', messageIds: ['c'], code: 'ReceiptHandleIsInvalid', count: 1 },
      { event: 'sqs_delete_failed', messageIds: ['b'], code: 'InternalError', count: 1 },
    ]);
  });

  it('with SQS gone under a large batch, logs one line per round, not one per message (deletes and visibility extensions)', async () => {
    const gone = net.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as net.AddressInfo;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const client = new SQSClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const { lines, destination } = jsonLogLines();
    const log = pino({ level: 'info' }, destination);
    const records = Array.from({ length: 25 }, (_, i) => ({ messageId: `m${i}`, receiptHandle: `rh-${i}` }) as SQSRecord);
    const queueUrl = `http://127.0.0.1:${port}/123456789012/q`;

    await deleteRecords(client, queueUrl, records, log);
    const keeper = new VisibilityKeeper(client, queueUrl, 1, log);
    keeper.hold(records);
    await waitFor(() => lines.filter((line) => line.event === 'sqs_visibility_extend_failed').length >= 2, 10_000, 'two extension rounds');
    keeper.stop();
    client.destroy();

    const deletes = lines.filter((line) => line.event === 'sqs_delete_failed');
    const extends_ = lines.filter((line) => line.event === 'sqs_visibility_extend_failed');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ level: 40, count: 25, messageIds: records.slice(0, 10).map((r) => r.messageId) });
    for (const line of extends_) expect(line).toMatchObject({ level: 40, count: 25 });
    expect(lines.length).toBe(deletes.length + extends_.length);
  });
});
