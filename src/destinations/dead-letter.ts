import { truncateBytes } from '../utf8.js';
import type { DestinationPayload } from './outbox.js';

/** One SQS/SNS message attribute, as both APIs take it. */
export interface MessageAttribute {
  DataType: 'String' | 'Number';
  StringValue: string;
}

/** Lambda truncates a dead-letter message's ErrorMessage to 1 KB. */
export const DEAD_LETTER_ERROR_MESSAGE_BYTES = 1024;

/** The invocation record a dead letter is made from (the on-failure record: the event and the error). */
export interface FailureRecord extends DestinationPayload {
  requestPayload?: unknown;
  responsePayload?: unknown;
  responseContext?: { statusCode?: number };
}

/**
 * What Lambda sends a function's dead-letter queue for an async event that finally failed: the
 * event unchanged as the message body, and why as attributes: RequestID (String), ErrorCode
 * (Number, the invocation's HTTP status: 200 for a function error) and ErrorMessage (String,
 * truncated to 1 KB).
 */
export function deadLetterMessage(record: DestinationPayload): { body: string; attributes: Record<string, MessageAttribute> } {
  const failure = record as FailureRecord;
  return {
    body: JSON.stringify(failure.requestPayload ?? null),
    attributes: {
      RequestID: { DataType: 'String', StringValue: record.requestContext.requestId },
      ErrorCode: { DataType: 'Number', StringValue: String(failure.responseContext?.statusCode ?? 200) },
      ErrorMessage: { DataType: 'String', StringValue: truncateBytes(errorMessage(failure), DEAD_LETTER_ERROR_MESSAGE_BYTES) },
    },
  };
}

/** The handler's errorMessage; for an event that never ran to an error (too old), the condition. */
function errorMessage(record: FailureRecord): string {
  const response = record.responsePayload;
  if (typeof response === 'object' && response !== null && typeof (response as { errorMessage?: unknown }).errorMessage === 'string') {
    return (response as { errorMessage: string }).errorMessage;
  }
  return record.requestContext.condition;
}
