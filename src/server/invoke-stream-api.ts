import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import type { Dispatcher } from '../router/dispatcher.js';
import { buildEnvelope, ENVELOPE_TYPES } from '../router/envelope.js';
import type { InvokeResult, ResponseSink } from '../runtime/types.js';
import { traceFromHeaders } from '../tracing.js';
import { whenWritable } from '../sources/kit/drain.js';
import { STREAMED_RESPONSE_LIMIT, SYNC_PAYLOAD_LIMIT, withinResponseLimit } from '../sources/kit/limits.js';
import { eventMessage } from './event-stream.js';
import { checkInvokeMembers, logTail, parseClientContext, parsePayload, resolveTarget } from './invoke-api.js';

const PATH = '/2021-11-15/functions/:name/response-streaming-invocations';

interface Params { name: string }

/** InvokeWithResponseStream's InvocationType enum (no `Event`). */
const STREAM_INVOCATION_TYPES = ['RequestResponse', 'DryRun'] as const;

/**
 * InvokeWithResponseStream: the response is an event stream of `PayloadChunk` events (the bytes a
 * streaming handler writes, as it writes them; a buffered handler's whole payload in one) ended by
 * `InvokeComplete` (`ErrorCode`/`ErrorDetails` when the invocation failed, even mid-stream;
 * `LogResult` with `X-Amz-Log-Type: Tail`). Errors before the invocation starts are plain API errors.
 */
export function registerInvokeStreamApi(app: FastifyInstance, config: HubConfig, dispatcher: Dispatcher): void {
  app.post<{ Params: Params; Querystring: { Qualifier?: string }; Body: Buffer | undefined }>(PATH, async (request, reply) => {
    // As for Invoke: the enums are validated before the lookup.
    const { invocationType: type, tail } = checkInvokeMembers(request, STREAM_INVOCATION_TYPES);
    const { fn, variant } = resolveTarget(config, request.params.name, request.query.Qualifier);
    const body = request.body?.length ? request.body : Buffer.from('{}');
    if (body.length > SYNC_PAYLOAD_LIMIT) {
      throw new HubError('TH_ERR_REQUEST_TOO_LARGE', `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeWithResponseStream operation`);
    }
    const payload = parsePayload(body);
    const clientContext = parseClientContext(request);
    if (type === 'DryRun') return reply.code(204).send();
    const envelope = buildEnvelope({ source: 'triggerhub:invoke', type: ENVELOPE_TYPES.invoke, subject: fn.name, data: payload.data, traceparent: traceFromHeaders(request.headers) });
    const out = new EventStreamReply(reply, envelope.id, variant.version);
    const result = await dispatcher.invokeSync(fn, envelope, { qualifier: variant.qualifier, stream: out, clientContext, payload: payload.text });
    out.complete(result, tail);
    return reply;
  });
}

/** Writes the event stream; the HTTP head goes out with the first event, so earlier errors stay API errors. */
class EventStreamReply implements ResponseSink {
  #bytes = 0;
  #truncated = false;

  constructor(private readonly reply: FastifyReply, private readonly requestId: string, private readonly version: string) {}

  start(): void {
    if (this.reply.sent) return;
    this.reply.hijack();
    this.reply.raw.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': this.requestId,
      'x-amz-executed-version': this.version,
    });
  }

  /** Past the streamed response limit, or once the client is gone, bytes are dropped (and taken at once). */
  chunk(bytes: Buffer, taken: () => void): void {
    this.#bytes += bytes.length;
    if (this.#bytes > STREAMED_RESPONSE_LIMIT) this.#truncated = true;
    if (this.#truncated || this.reply.raw.destroyed) return taken();
    const out = this.reply.raw;
    whenWritable(out, out.write(eventMessage('PayloadChunk', 'application/octet-stream', bytes)), taken);
  }

  complete(outcome: InvokeResult, tail: boolean): void {
    this.start();
    // A handler that did not stream answered with one payload, under the buffered response limit.
    const result = outcome.streamed ? outcome : withinResponseLimit(outcome);
    const done: Record<string, string> = {};
    if (result.status !== 'success') {
      done.ErrorCode = result.error?.errorType ?? 'Unhandled';
      done.ErrorDetails = result.error?.errorMessage ?? '';
    } else if (this.#truncated) {
      done.ErrorCode = 'Function.ResponseSizeTooLarge';
      done.ErrorDetails = `Response payload size exceeded maximum allowed payload size (${STREAMED_RESPONSE_LIMIT} bytes).`;
    } else if (!result.streamed) {
      this.chunk(Buffer.from(result.payload ?? 'null'), () => {});
    }
    if (tail) done.LogResult = logTail(result.logs);
    if (this.reply.raw.destroyed) return;
    this.reply.raw.end(eventMessage('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(done))));
  }
}
