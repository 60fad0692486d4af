import { z } from 'zod';
import { setOwn } from '../../own.js';

/**
 * The JSON document SNS POSTs to an HTTP(S) subscription (the `SigningCertURL` / `UnsubscribeURL`
 * spelling of the HTTP delivery), validated at the edge. Unknown fields are kept out.
 */
export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

const text = z.string({ error: 'must be a string' });
const required = text.min(1, { error: 'must not be empty' });

const common = {
  // Becomes the envelope id and so the BullMQ job id (no ':' and not an integer there).
  MessageId: text.regex(/^(?!\d+$)[\w-]{1,128}$/, { error: 'must be an SNS message id (a UUID)' }),
  TopicArn: required,
  Message: text,
  Timestamp: z.iso.datetime({ error: 'must be an ISO 8601 UTC time' }),
  SignatureVersion: z.enum(['1', '2'], { error: 'must be "1" or "2"' }),
  Signature: required.regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'must be base64' }),
  SigningCertURL: required,
};

const attribute = z.strictObject({ Type: required, Value: text });

/**
 * MessageAttributes by name. Not z.record: it assigns each key, so an attribute named `__proto__`
 * (a valid SNS attribute name) became the map's prototype and vanished from the event.
 */
const attributes = z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
  error: 'must be an object of { Type, Value } by attribute name',
}).transform((raw, ctx) => {
  const out: Record<string, z.infer<typeof attribute>> = {};
  for (const [name, value] of Object.entries(raw)) {
    const parsed = attribute.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [name, ...issue.path] });
      return z.NEVER;
    }
    setOwn(out, name, parsed.data);
  }
  return out;
});

const notificationSchema = z.object({
  Type: z.literal('Notification'),
  ...common,
  Subject: text.optional(),
  UnsubscribeURL: required,
  MessageAttributes: attributes.optional(),
});

const confirmationSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  ...common,
  Token: required,
  SubscribeURL: required,
});

export const snsHttpMessageSchema = z.discriminatedUnion('Type', [notificationSchema, confirmationSchema]);

export type SnsHttpMessage = z.infer<typeof snsHttpMessageSchema>;
export type SnsNotification = z.infer<typeof notificationSchema>;
export type SnsConfirmation = z.infer<typeof confirmationSchema>;

/** The fields each message type signs, in the order AWS documents (alphabetical). */
const SIGNED_FIELDS: Record<SnsMessageType, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/**
 * The string SNS signs: for each signed field present in the message, its name and value, each
 * followed by a newline (`Message\n<value>\nMessageId\n<value>\n...`). Values are the decoded JSON
 * strings. Absent optional fields (a Notification's Subject) are left out.
 */
export function canonicalString(message: Record<string, unknown>): string {
  const fields = isSnsMessageType(message.Type) ? SIGNED_FIELDS[message.Type] : [];
  let out = '';
  for (const field of fields) {
    const value = message[field];
    if (typeof value === 'string') out += `${field}\n${value}\n`;
  }
  return out;
}

export function isSnsMessageType(value: unknown): value is SnsMessageType {
  return (SNS_MESSAGE_TYPES as readonly unknown[]).includes(value);
}
