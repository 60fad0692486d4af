import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FunctionConfig } from '../../config/load.js';
import type { Logger } from '../../log.js';
import { buildEnvelope, invocationId, newDelivery } from '../../router/envelope.js';
import { incomingTraceparent, traceFromHeaders } from '../../tracing.js';
import type { SourceContext } from '../source.js';
import type { CertificateCache } from './certificates.js';
import { confirmSubscription } from './confirm.js';
import { buildSnsEvent } from './event.js';
import { isSnsMessageType, snsHttpMessageSchema, type SnsConfirmation, type SnsHttpMessage, type SnsNotification } from './message.js';
import { Rejection } from '../../errors.js';
import { bodyLimitRoute, rejectRequest } from '../kit/reject.js';
import { SNS_MESSAGE_BYTES } from '../kit/limits.js';
import type { SnsSettings, TrustSettings } from './settings.js';
import { trustedUrl } from './trust.js';
import { verifySignature } from './verify.js';
import { JsonTooDeepError, parseJson } from '../../json.js';

export const SNS_ENVELOPE_TYPE = 'aws.sns';
/**
 * Largest request body accepted: SNS messages are at most 256 KB, and JSON escaping (`\"`, `\\`,
 * `\n`) can at most double that; 64 KB more covers the other fields (signature, URLs, ids).
 */
export const SNS_BODY_LIMIT = 2 * SNS_MESSAGE_BYTES + 64 * 1024;

export interface EndpointSpec {
  fn: FunctionConfig;
  settings: SnsSettings;
  path: string;
  trust: TrustSettings;
  certificates: CertificateCache;
  /** EventSubscriptionArn when SNS sends no `x-amz-sns-subscription-arn` header. */
  subscriptionArn: string;
  signal: AbortSignal;
  log: Logger;
}

/** Registers `POST <path>`: verifies every message, then enqueues, confirms or acknowledges it. */
export function registerSnsEndpoint(context: SourceContext, spec: EndpointSpec): void {
  context.app.route({
    method: 'POST',
    url: spec.path,
    ...bodyLimitRoute(SNS_BODY_LIMIT, (reply) =>
      rejectRequest(reply, spec.log, 'sns_message_rejected', new Rejection('body_too_large', `the request body is over ${SNS_BODY_LIMIT} bytes`))),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const message = await verifiedMessage(request, spec);
        if (message.Type === 'Notification') await enqueueNotification(context, spec, message, request);
        else if (message.Type === 'SubscriptionConfirmation') await onSubscriptionConfirmation(spec, message);
        else spec.log.info({ event: 'sns_unsubscribed', topic: message.TopicArn, messageId: message.MessageId }, `unsubscribed from ${message.TopicArn}`);
        return reply.code(200).send();
      } catch (err) {
        if (err instanceof Rejection) return rejectRequest(reply, spec.log, 'sns_message_rejected', err);
        throw err;
      }
    },
  });
}

/** Parses and checks a request: JSON, message type, fields, topic, certificate trust, signature. */
async function verifiedMessage(request: FastifyRequest, spec: EndpointSpec): Promise<SnsHttpMessage> {
  if (request.headers['x-amz-sns-rawdelivery'] === 'true') {
    // The body is the bare message: no topic, id or signature to check.
    throw new Rejection('invalid_message', 'raw message delivery (x-amz-sns-rawdelivery: true) carries no signature to verify: set the subscription\'s RawMessageDelivery to false');
  }
  const body = request.body as Buffer | undefined;
  let json: unknown;
  try {
    json = parseJson(body?.toString('utf8') ?? '');
  } catch (err) {
    throw new Rejection('invalid_json', err instanceof JsonTooDeepError ? `the request body is not usable JSON: ${err.message}` : 'the request body is not JSON');
  }
  const type = request.headers['x-amz-sns-message-type'];
  if (!isSnsMessageType(type)) {
    throw new Rejection('unknown_message_type', `x-amz-sns-message-type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation (got ${JSON.stringify(type ?? null)})`);
  }
  const parsed = snsHttpMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Rejection('invalid_message', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const message = parsed.data;
  if (message.Type !== type) throw new Rejection('invalid_message', `Type ${message.Type} does not match x-amz-sns-message-type ${type}`);
  const topicHeader = request.headers['x-amz-sns-topic-arn'];
  if (message.TopicArn !== spec.settings.topic || (topicHeader !== undefined && topicHeader !== message.TopicArn)) {
    throw new Rejection('topic_mismatch', `TopicArn ${message.TopicArn} is not this endpoint's topic ${spec.settings.topic}`);
  }
  const certUrl = trustedUrl(message.SigningCertURL, spec.trust.certHosts, spec.trust.allowHttp, 'untrusted_cert_url', 'SigningCertURL');
  if (!certUrl.pathname.endsWith('.pem')) throw new Rejection('untrusted_cert_url', 'SigningCertURL must name a .pem file');
  verifySignature(message, await spec.certificates.get(certUrl));
  return message;
}

/** Asynchronous invocation, as SNS invokes Lambda: 200 only once Redis holds the event. */
async function enqueueNotification(context: SourceContext, spec: EndpointSpec, message: SnsNotification, request: FastifyRequest): Promise<void> {
  const subscriptionHeader = request.headers['x-amz-sns-subscription-arn'];
  const subscriptionArn = typeof subscriptionHeader === 'string' && subscriptionHeader ? subscriptionHeader : spec.subscriptionArn;
  // The id derives from MessageId and function: a redelivery while the event is queued is a no-op.
  const envelope = buildEnvelope({
    id: invocationId(message.MessageId, spec.fn.name),
    source: message.TopicArn,
    type: SNS_ENVELOPE_TYPE,
    subject: spec.fn.name,
    time: new Date(message.Timestamp),
    data: buildSnsEvent(message, subscriptionArn),
    // The publisher's `traceparent` message attribute, else the request's trace headers.
    traceparent: incomingTraceparent({ traceparent: message.MessageAttributes?.traceparent?.Value }) ?? traceFromHeaders(request.headers),
  });
  try {
    await context.enqueue(envelope, newDelivery(spec.fn.name, 'Event'));
  } catch (err) {
    throw new Rejection('enqueue_failed', `the event could not be queued: ${(err as Error).message}`, { cause: err });
  }
  spec.log.debug({ event: 'sns_notification_queued', messageId: message.MessageId }, 'notification queued');
}

async function onSubscriptionConfirmation(spec: EndpointSpec, message: SnsConfirmation): Promise<void> {
  const fields = { topic: message.TopicArn, messageId: message.MessageId };
  if (!spec.settings.autoConfirm) {
    spec.log.info({ event: 'sns_confirmation_skipped', ...fields, subscribeUrl: message.SubscribeURL }, 'autoConfirm is off: confirm the subscription by visiting SubscribeURL');
    return;
  }
  const url = trustedUrl(message.SubscribeURL, spec.trust.subscribeHosts, spec.trust.allowHttp, 'untrusted_subscribe_url', 'SubscribeURL');
  await confirmSubscription(url, spec.signal);
  spec.log.info({ event: 'sns_subscription_confirmed', ...fields }, `subscription to ${message.TopicArn} confirmed`);
}

