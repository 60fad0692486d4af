import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { incomingTraceparent } from '../../tracing.js';
import type { QueueInfo } from './queue.js';
import { recordFields, type FilterSubject } from '../../filters/criteria.js';

/** The CloudEvents type of SQS envelopes; `data` is an SQSEvent. */
export const SQS_ENVELOPE_TYPE = 'aws.sqs';

/** Filters see the whole record, its `body` parsed when it is JSON. */
export const SQS_FILTER_SUBJECT: FilterSubject = {
  of: 'an SQS record',
  fields: recordFields({
    messageId: null, receiptHandle: null, body: null, attributes: null, messageAttributes: null, md5OfBody: null,
    md5OfMessageAttributes: null, eventSource: null, eventSourceARN: null, awsRegion: null,
  } satisfies Record<keyof SQSRecord, null>),
  dataField: 'body',
};

/** Lambda's order of the system attributes in a record; any others follow. */
const ATTRIBUTE_ORDER = [
  'ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp',
  'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn',
];

/** One received message as Lambda puts it in an SQSEvent. */
export function toSqsRecord(message: Message, queue: QueueInfo): SQSRecord {
  const body = message.Body ?? '';
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes: recordAttributes(message.Attributes ?? {}),
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, messageAttribute(value)]),
    ),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** A record's trace: its `traceparent` message attribute, else its AWSTraceHeader (converted). */
export function recordTraceparent(record: SQSRecord): string | undefined {
  return incomingTraceparent({ traceparent: record.messageAttributes.traceparent?.stringValue, xray: record.attributes.AWSTraceHeader });
}

function recordAttributes(received: Record<string, string>): SQSRecordAttributes {
  const names = [...ATTRIBUTE_ORDER.filter((name) => name in received), ...Object.keys(received).filter((name) => !ATTRIBUTE_ORDER.includes(name))];
  return Object.fromEntries(names.map((name) => [name, received[name]])) as unknown as SQSRecordAttributes;
}

function messageAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  };
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
