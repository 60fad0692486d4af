import type { Context } from 'aws-lambda';
import { finished } from 'node:stream/promises';
import { HttpResponseStream, ResponseStream, type StreamEmitter } from './response-stream.js';

/** The marks the Node.js runtime's `awslambda.streamifyResponse` puts on a handler. */
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

type StreamingHandler = ((event: unknown, stream: ResponseStream, context: Context) => unknown) & Record<symbol, unknown>;

/** Installs the `awslambda` global Lambda's Node.js runtime gives handler modules (before they load). */
export function installAwsLambdaGlobal(): void {
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse: (handler: StreamingHandler, options?: { highWaterMark?: unknown }) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') handler[HANDLER_HIGHWATERMARK] = Math.trunc(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

/** True for a handler wrapped by `awslambda.streamifyResponse`; throws as the runtime does for other marks. */
export function isStreamingHandler(handler: unknown): boolean {
  const mark = (handler as Record<symbol, unknown>)[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark === STREAM_RESPONSE) return true;
  throw Object.assign(new Error('Only response streaming is supported.'), { name: 'Runtime.MalformedStreamingHandler' });
}

/**
 * Runs a streaming handler as the Node.js runtime does: `handler(event, responseStream, context)`
 * must return a promise (else the invocation fails); its value is ignored; the invocation ends
 * when the handler has settled and the stream has ended (a stream never ended runs into the
 * timeout, as on Lambda). A rejection or a destroyed stream fails the invocation.
 */
export async function runStreamingHandler(handler: unknown, event: unknown, context: Context, emit: StreamEmitter): Promise<void> {
  const fn = handler as StreamingHandler;
  const highWaterMark = fn[HANDLER_HIGHWATERMARK] as number | undefined;
  const stream = new ResponseStream(emit, highWaterMark);
  const ended = finished(stream);
  ended.catch(() => {}); // observed below, after the handler settles
  const returned = fn(event, stream, context);
  if (typeof (returned as { then?: unknown } | null)?.then !== 'function') {
    throw Object.assign(new Error('Streaming does not support non-async handlers.'), { name: 'Runtime.MalformedStreamingHandler' });
  }
  const result = await returned;
  if (result !== undefined) console.warn('Streaming handlers ignore return values.');
  await ended;
}
