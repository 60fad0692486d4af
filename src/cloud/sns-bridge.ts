import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../log.js';
import type { Subscription } from '../project/model.js';
import { buildEnvelope, invocationId, newDelivery, type Delivery, type Envelope } from '../router/envelope.js';
import { SNS_ENVELOPE_TYPE } from '../sources/sns/endpoint.js';
import { buildSnsEvent } from '../sources/sns/event.js';
import { snsHttpMessageSchema } from '../sources/sns/message.js';
import { backoffDelay } from '../sources/kit/backoff.js';
import type { CloudClients } from './clients.js';
import { parseJson as parseGuarded } from '../json.js';
import { subscribeQueue } from './create.js';

/**
 * SNS → function in the local cloud. The embedded SNS (fauxqs) delivers to queues but never to
 * HTTP endpoints, so each function subscribed to a topic gets a queue of its own subscribed to it
 * (with the subscription's filter policy); a poller turns each notification into the SNSEvent the
 * SNS source would queue, and deletes the message only once Redis holds the event.
 */
export type Enqueue = (envelope: Envelope, delivery: Delivery) => Promise<void>;

const WAIT_SECONDS = 10;

export class SnsBridge {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];

  /** `clients`: the cloud's current clients (a reload that adds a service makes new ones). */
  constructor(private readonly clients: () => CloudClients, private readonly log: Logger) {}

  /** Creates and subscribes each function's queue, then polls it into `enqueue`. */
  async start(subscriptions: readonly Subscription[], enqueue: Enqueue): Promise<void> {
    const sqs = this.clients().sqs;
    for (const sub of subscriptions.filter((s) => s.protocol === 'lambda')) {
      if (!sqs) throw new Error(`no sqs endpoint to deliver ${sub.topicArn} to ${sub.endpoint}`);
      const name = `triggerhub-sns-${sub.endpoint}-${createHash('sha256').update(sub.topicArn).digest('hex').slice(0, 8)}`.slice(0, 80);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      await subscribeQueue(this.clients(), sub.topicArn, Attributes!.QueueArn!, { rawMessageDelivery: false, filterPolicy: sub.filterPolicy, filterPolicyScope: sub.filterPolicyScope });
      const subscriptionArn = `${sub.topicArn}:${name}`;
      this.loops.push(this.poll(sqs, QueueUrl!, sub.endpoint, subscriptionArn, enqueue));
      this.log.info({ event: 'cloud_sns_bridge_started', topic: sub.topicArn, function: sub.endpoint }, `SNS ${sub.topicArn} → ${sub.endpoint}`);
    }
  }

  /** Stops polling (a receive in flight is abandoned; its messages come back after their visibility timeout). Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async poll(sqs: SQSClient, queueUrl: string, fn: string, subscriptionArn: string, enqueue: Enqueue): Promise<void> {
    const { signal } = this.abort;
    for (let failures = 0; !signal.aborted;) {
      try {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: WAIT_SECONDS }), { abortSignal: signal });
        for (const message of Messages) {
          const notification = snsHttpMessageSchema.safeParse(parseJson(message.Body));
          if (notification.success && notification.data.Type === 'Notification') {
            const data = notification.data;
            await enqueue(buildEnvelope({
              id: invocationId(data.MessageId, fn), source: data.TopicArn, type: SNS_ENVELOPE_TYPE, subject: fn, time: new Date(data.Timestamp),
              data: buildSnsEvent(data, subscriptionArn), traceparent: data.MessageAttributes?.traceparent?.Value,
            }), newDelivery(fn, 'Event'));
          } else {
            this.log.error({ event: 'cloud_sns_message_invalid', function: fn }, `not an SNS notification: ${notification.error?.issues[0]?.message ?? notification.data?.Type}; dropped`);
          }
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        failures += 1;
        this.log.warn({ event: 'cloud_sns_bridge_failed', function: fn, err }, 'SNS bridge poll failed; retrying');
        await delay(backoffDelay(failures), undefined, { signal }).catch(() => undefined);
      }
    }
  }
}

/** The notification in a queue message; `"Subject": null` (fauxqs and LocalStack, for a message published without one) is no subject. */
function parseJson(text: string | undefined): unknown {
  try {
    const body = parseGuarded(text ?? '');
    if (typeof body === 'object' && body !== null && (body as { Subject?: unknown }).Subject === null) delete (body as { Subject?: unknown }).Subject;
    return body;
  } catch {
    return undefined;
  }
}
