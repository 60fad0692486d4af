import type { DestinationTarget } from './targets.js';
import type { DestinationPayload } from './outbox.js';
import type { FailureRecord } from './dead-letter.js';
import { SNS_MESSAGE_BYTES } from '../sources/kit/limits.js';

/** Room left for the message attributes sent beside the record (a `traceparent` takes 72 bytes). */
const ATTRIBUTE_ROOM = 1024;

/**
 * The JSON a destination gets for a record. For an SNS topic, a record that would not fit in a
 * message goes without its `requestPayload` and `responsePayload`, as Lambda sends it ("If the
 * combined size of the function request and response payload exceeds the limit, Lambda will drop
 * the payload"); SNS would refuse it whole, and the outbox would retry it until it is parked.
 */
export function recordBody(target: DestinationTarget, record: DestinationPayload): string {
  const body = JSON.stringify(record);
  if (target.kind !== 'sns' || Buffer.byteLength(body, 'utf8') <= SNS_MESSAGE_BYTES - ATTRIBUTE_ROOM) return body;
  const { requestPayload: _request, responsePayload: _response, ...rest } = record as FailureRecord;
  return JSON.stringify(rest);
}
