import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadHttpHandler, loadSns, loadSqs } from '../aws/lazy-sdk.js';
import { Redis } from 'ioredis';
import type { DestinationTarget } from './targets.js';
import type { MessageAttribute } from './dead-letter.js';

/** One record on its way out: the JSON body plus what travels beside it. */
export interface Outgoing {
  /** Stable per record (the outbox job id): SQS/SNS FIFO deduplication id, HTTP `idempotency-key`. */
  id: string;
  body: string;
  /** The function whose record it is: the FIFO message group. */
  function: string;
  traceparent?: string;
  /** SQS/SNS message attributes to send instead of the traceparent one (dead letters carry Lambda's own). */
  attributes?: Record<string, MessageAttribute>;
}

type Target<K extends DestinationTarget['kind']> = Extract<DestinationTarget, { kind: K }>;

/**
 * Delivers records to SQS queues, SNS topics, HTTP endpoints and Redis streams. Clients are made
 * on first use and kept; a failed delivery throws (the outbox retries it).
 */
export class TargetSenders {
  private readonly sqs = new Map<string, SQSClient>();
  private readonly sns = new Map<string, SNSClient>();
  private readonly queueUrls = new Map<string, string>();
  private readonly redises = new Map<string, Redis>();

  constructor(private readonly hubRedis: Redis, private readonly timeoutMs: number) {}

  async deliver(target: DestinationTarget, out: Outgoing): Promise<void> {
    switch (target.kind) {
      case 'sqs': return this.toSqs(target, out);
      case 'sns': return this.toSns(target, out);
      case 'http': return this.toHttp(target, out);
      case 'redis-stream': return this.toStream(target, out);
      default: throw new Error(`${target.kind} destinations are not delivered by the outbox`);
    }
  }

  private async toSqs(target: Target<'sqs'>, out: Outgoing): Promise<void> {
    const { GetQueueUrlCommand, SendMessageCommand, SQSClient } = await loadSqs();
    const client = await this.client(this.sqs, target, (options) => new SQSClient(options));
    let queueUrl = this.queueUrls.get(target.arn);
    if (!queueUrl) {
      const found = await client.send(new GetQueueUrlCommand({ QueueName: target.name, QueueOwnerAWSAccountId: target.account }));
      queueUrl = found.QueueUrl!;
      this.queueUrls.set(target.arn, queueUrl);
    }
    await client.send(new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: out.body,
      MessageAttributes: attributes(out),
      ...(target.fifo ? { MessageGroupId: out.function, MessageDeduplicationId: out.id } : {}),
    }));
  }

  private async toSns(target: Target<'sns'>, out: Outgoing): Promise<void> {
    const { PublishCommand, SNSClient } = await loadSns();
    const client = await this.client(this.sns, target, (options) => new SNSClient(options));
    await client.send(new PublishCommand({
      TopicArn: target.arn,
      Message: out.body,
      MessageAttributes: attributes(out),
      ...(target.fifo ? { MessageGroupId: out.function, MessageDeduplicationId: out.id } : {}),
    }));
  }

  private async toHttp(target: Target<'http'>, out: Outgoing): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': out.id };
    if (out.traceparent) headers.traceparent = out.traceparent;
    const response = await fetch(target.url, { method: 'POST', headers, body: out.body, signal: AbortSignal.timeout(this.timeoutMs) });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status} from ${target.url}`);
  }

  private async toStream(target: Target<'redis-stream'>, out: Outgoing): Promise<void> {
    const redis = target.redis ? this.otherRedis(target.redis) : this.hubRedis;
    const fields = ['record', out.body, 'id', out.id, ...(out.traceparent ? ['traceparent', out.traceparent] : [])];
    await redis.xadd(target.key, '*', ...fields);
  }

  private async client<C>(cache: Map<string, C>, target: { region: string; endpoint?: string }, make: (options: object) => C): Promise<C> {
    const key = `${target.region} ${target.endpoint ?? ''}`;
    const { NodeHttpHandler } = await loadHttpHandler();
    let client = cache.get(key);
    if (!client) {
      client = make({
        region: target.region,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        requestHandler: new NodeHttpHandler({ connectionTimeout: Math.min(5000, this.timeoutMs), requestTimeout: this.timeoutMs }),
        maxAttempts: 1, // the outbox retries, with its own backoff
      });
      cache.set(key, client);
    }
    return client;
  }

  private otherRedis(url: string): Redis {
    let redis = this.redises.get(url);
    if (!redis) {
      redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: this.timeoutMs, enableOfflineQueue: true });
      redis.on('error', () => undefined); // surfaced by the failing XADD, which the outbox retries
      this.redises.set(url, redis);
    }
    return redis;
  }

  close(): void {
    for (const client of [...this.sqs.values(), ...this.sns.values()]) client.destroy();
    for (const redis of this.redises.values()) redis.disconnect();
  }
}

function attributes(out: Outgoing): Record<string, MessageAttribute> | undefined {
  if (out.attributes) return out.attributes;
  return out.traceparent ? { traceparent: { DataType: 'String', StringValue: out.traceparent } } : undefined;
}
