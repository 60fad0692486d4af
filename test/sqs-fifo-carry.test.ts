import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { readLines, tempDir, testConfig, waitFor } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';

/**
 * A FIFO queue that, like SQS (and unlike fauxqs, which returns one message per group per
 * receive), returns several messages of one group in one receive: seven of about 1 MB, more than
 * one 6 MB invocation holds. It speaks SQS's JSON protocol (AmazonSQS.<Action>) to the real SDK.
 */
function fifoFixture() {
  const body = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(1_000_000) });
  const messages = Array.from({ length: 7 }, (_, i) => ({
    MessageId: `m${i + 1}`, ReceiptHandle: `rh${i + 1}`, Body: body(i + 1), MD5OfBody: createHash('md5').update(body(i + 1)).digest('hex'),
    Attributes: { MessageGroupId: 'g', SequenceNumber: String(1000 + i), MessageDeduplicationId: `d${i + 1}`, SentTimestamp: String(Date.now()), ApproximateReceiveCount: '1', ApproximateFirstReceiveTimestamp: String(Date.now()), SenderId: 'AIDA' },
  }));
  const seen = { deleted: [] as string[], received: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      const action = String(req.headers['x-amz-target']).replace('AmazonSQS.', '');
      const input = raw ? JSON.parse(raw) : {};
      const send = (out: unknown, delayMs = 0) => setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(out));
      }, delayMs);
      if (action === 'GetQueueAttributes') return send({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo', VisibilityTimeout: '30', FifoQueue: 'true' } });
      if (action === 'ReceiveMessage') {
        seen.received += 1;
        return seen.received === 1 ? send({ Messages: messages }) : send({}, 300); // then an empty (short) long poll
      }
      if (action === 'DeleteMessageBatch') {
        const entries = input.Entries as Array<{ Id: string; ReceiptHandle: string }>;
        seen.deleted.push(...entries.map((entry) => entry.ReceiptHandle));
        return send({ Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] });
      }
      if (action === 'ChangeMessageVisibilityBatch') {
        const entries = input.Entries as Array<{ Id: string }>;
        return send({ Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] });
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.sqs#UnsupportedOperation', message: action }));
    });
  });
  return { server, seen };
}

// The SDK signs its requests: any credentials do for the fixture.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

describe('an SQS FIFO receive larger than one invocation', { timeout: 60_000 }, () => {
  const fixture = fifoFixture();
  const { lines, destination } = jsonLogLines();
  let hub: Hub;
  let calls: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => fixture.server.listen(0, '127.0.0.1', resolve));
    const { port } = fixture.server.address() as AddressInfo;
    const dir = tempDir('fifo-carry-');
    calls = path.join(dir, 'calls.jsonl');
    // Fails the batch's first record: with ReportBatchItemFailures the rest of its group fails with it (FIFO).
    writeFileSync(path.join(dir, 'fail-first.mjs'), `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(process.env.CALLS_FILE, JSON.stringify(event.Records.map((r) => r.messageId)) + '\\n');
  return { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] };
};
`);
    hub = await startHub(testConfig({
      functions: {
        orders: {
          handler: path.join(dir, 'fail-first.handler'),
          memorySize: 1024,
          environment: { CALLS_FILE: calls },
          events: [{ sqs: { queue: `http://127.0.0.1:${port}/000000000000/orders.fifo`, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', batchSize: 10, functionResponseTypes: ['ReportBatchItemFailures'] } }],
        },
      },
    }), { logger: createLogger({ destination, level: 'info' }) });
  });
  afterAll(async () => {
    await hub?.stop();
    await new Promise((resolve) => fixture.server.close(resolve));
  });

  it('runs the records that did not fit only after their group\'s batch, and not at all when the group failed there', async () => {
    // The carried record is decided on once the first batch is done: held back, as its group failed.
    await waitFor(() => lines.some((line) => line.event === 'sqs_fifo_records_held' && line.count === 1), 20_000, 'the carried record held back');
    const invocations = readLines(calls).map((line) => JSON.parse(line) as string[]);
    expect(invocations).toEqual([['m1', 'm2', 'm3', 'm4', 'm5', 'm6']]);
    // m7 came after the failed m1 in group g: neither run nor deleted, it waits for its visibility timeout.
    expect(fixture.seen.deleted).toEqual([]);
  });
});
