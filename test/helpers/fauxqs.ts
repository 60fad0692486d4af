import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import {
  CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';

/**
 * fauxqs (an in-process SQS) on loopback for tests. It always binds 0.0.0.0, so its start is run
 * with `net.Server.prototype.listen` forced to 127.0.0.1. Its queue URLs name the host
 * `sqs.<region>.localhost`, which does not resolve here: clients get an explicit `endpoint`.
 * Free of vitest, so bench/sqs.ts uses it too.
 */
export interface Fauxqs {
  endpoint: string;
  client: SQSClient;
  stop(): Promise<void>;
}

export const REGION = 'us-east-1';

// The hub's SQS clients use the SDK's standard credential chain; give it test credentials.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

export async function startFauxqs(): Promise<Fauxqs> {
  const { startFauxqs: start } = await import('fauxqs');
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function loopback(this: net.Server, ...args: unknown[]) {
    if (typeof args[0] === 'object' && args[0] !== null) args[0] = { ...args[0], host: '127.0.0.1' };
    else if (typeof args[1] === 'string') args[1] = '127.0.0.1';
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
  let server: Awaited<ReturnType<typeof start>>;
  try {
    server = await start({ port: 0, logger: false });
  } finally {
    net.Server.prototype.listen = listen;
  }
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = sqsClient(endpoint);
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** A queue with a unique name (`<prefix>-<random>[.fifo]`); returns its URL and ARN. */
export async function createQueue(
  client: SQSClient,
  prefix: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string; name: string }> {
  const fifo = attributes.FifoQueue === 'true';
  const name = `${prefix}-${randomUUID().slice(0, 8)}${fifo ? '.fifo' : ''}`;
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn!, name };
}

/** Sends bodies (10 per call); entries may carry extra fields (attributes, group ids). */
export async function sendBodies(
  client: SQSClient,
  queueUrl: string,
  entries: Array<string | Omit<SendMessageBatchRequestEntry, 'Id'>>,
): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const chunk = entries.slice(i, i + 10).map((entry, j) => ({
      Id: String(j), ...(typeof entry === 'string' ? { MessageBody: entry } : entry),
    }));
    const { Failed = [] } = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
    if (Failed.length) throw new Error(`send failed: ${JSON.stringify(Failed)}`);
  }
}

/** Visible + in flight + delayed messages. */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Receives (and leaves in flight) every visible message of a queue: for checking a DLQ. */
export async function receiveAll(client: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages.length) return bodies;
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
}

/** The `worker` function of an SQS test hub: test/fixtures/sqs/batch.mjs fed by one sqs mapping. */
export function sqsWorker(options: {
  queue: string;
  endpoint: string | undefined;
  callsFile: string;
  sqs?: Record<string, unknown>;
  fn?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    functions: {
      worker: {
        handler: '../sqs/batch.handler',
        environment: { CALLS_FILE: options.callsFile },
        ...options.fn,
        events: [{ sqs: { queue: options.queue, endpoint: options.endpoint, region: REGION, ...options.sqs } }],
      },
    },
  };
}

/** The events the fixture handler recorded, in order. */
export function recordedEvents(callsFile: string): SQSEvent[] {
  if (!existsSync(callsFile)) return [];
  return readFileSync(callsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as SQSEvent);
}

/** Bodies of every record the handler received, in order (a body appears once per delivery). */
export function recordedBodies(callsFile: string): string[] {
  return recordedEvents(callsFile).flatMap((event) => event.Records.map((record) => record.body));
}
