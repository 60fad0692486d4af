import type { SNSEvent, SNSMessage } from 'aws-lambda';
import type { SnsNotification } from './message.js';

/**
 * The SNSEvent Lambda receives for one notification: one record, `EventSource: "aws:sns"`, the
 * message with Lambda's spelling (`SigningCertUrl`, `UnsubscribeUrl`), `MessageAttributes` as
 * `{Type, Value}` (`{}` when there are none) and `Subject: null` when the message has none.
 */
export function buildSnsEvent(message: SnsNotification, subscriptionArn: string): SNSEvent {
  const sns: SNSMessage = {
    SignatureVersion: message.SignatureVersion,
    Timestamp: message.Timestamp,
    Signature: message.Signature,
    SigningCertUrl: message.SigningCertURL,
    MessageId: message.MessageId,
    Message: message.Message,
    MessageAttributes: message.MessageAttributes ?? {},
    Type: message.Type,
    UnsubscribeUrl: message.UnsubscribeURL,
    TopicArn: message.TopicArn,
    // Lambda sends null for a message without subject; @types/aws-lambda only allows string | undefined.
    Subject: message.Subject ?? (null as unknown as undefined),
  };
  return { Records: [{ EventVersion: '1.0', EventSubscriptionArn: subscriptionArn, EventSource: 'aws:sns', Sns: sns }] };
}
