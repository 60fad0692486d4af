import type { EventStreamCodec } from '@smithy/eventstream-codec';
import { requireEventStreamCodec } from '../aws/lazy-sdk.js';

/** The codec, made on the first streamed response (the package is not loaded before). */
let codec: EventStreamCodec | undefined;
function eventCodec(): EventStreamCodec {
  if (!codec) {
    const { EventStreamCodec: Codec } = requireEventStreamCodec();
    codec = new Codec(
      (bytes) => Buffer.from(bytes).toString('utf8'),
      (text) => new Uint8Array(Buffer.from(text, 'utf8')),
    );
  }
  return codec;
}

/** One `application/vnd.amazon.eventstream` event message (`:message-type` event). */
export function eventMessage(eventType: string, contentType: string, body: Uint8Array): Uint8Array {
  return eventCodec().encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: contentType },
      ':message-type': { type: 'string', value: 'event' },
    },
    body,
  });
}
