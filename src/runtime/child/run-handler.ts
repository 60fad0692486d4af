import type { Context } from 'aws-lambda';
import type { InvokeMessage } from '../protocol.js';
import { whenLoopEmpty } from './empty-loop.js';
import type { Handler } from './load-handler.js';
import type { StreamEmitter } from './response-stream.js';
import { isStreamingHandler, runStreamingHandler } from './streaming.js';

/** Read once at start, as Lambda's runtime does: later process.env edits do not change the context. */
const env = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? '',
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '',
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
};

/**
 * Calls the handler the way Lambda's Node.js runtime does: a returned promise or the callback
 * (or the legacy context.done/succeed/fail), whichever completes first. The callback's result,
 * while `context.callbackWaitsForEmptyEventLoop` is true (the default), completes only once the
 * event loop is empty (its error at once); a handler that returns no promise and never calls back
 * completes with `undefined` (Lambda's `null`) once the loop is empty. Promises and
 * context.done/succeed/fail complete at once. A handler wrapped by `awslambda.streamifyResponse`
 * gets a response stream whose bytes go to `emit`.
 */
export function runHandler(handler: Handler, event: unknown, message: InvokeMessage, emit: StreamEmitter): Promise<unknown> {
  return new Promise((resolve, reject) => {
    /** The first completion wins (the callback's too, while its result waits for the loop). */
    let settled = false;
    let cancelWait: (() => void) | undefined;
    const succeed = (result?: unknown) => {
      if (settled) return;
      settled = true;
      cancelWait?.();
      resolve(result);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cancelWait?.();
      reject(error);
    };
    const done = (error?: unknown, result?: unknown) => {
      if (error === undefined || error === null) succeed(result);
      else fail(error);
    };
    const callback = (error?: unknown, result?: unknown) => {
      if (settled || (error !== undefined && error !== null) || !context.callbackWaitsForEmptyEventLoop) return done(error, result);
      settled = true;
      cancelWait?.();
      cancelWait = whenLoopEmpty(() => resolve(result));
    };
    // `traceparent` is triggerhub's own (W3C trace context); Lambda's context has no such field.
    // Every field is named here: `{ ...env, ... }` (a long-lived object spread first, then more
    // properties) took V8 about 0.8-7 µs per object, making new hidden classes each time, against
    // 30 ns for this literal (Node 20).
    const context: Context & { traceparent?: string } = {
      functionName: env.functionName,
      memoryLimitInMB: env.memoryLimitInMB,
      logGroupName: env.logGroupName,
      logStreamName: env.logStreamName,
      functionVersion: env.functionVersion,
      awsRequestId: message.requestId,
      invokedFunctionArn: message.invokedFunctionArn,
      callbackWaitsForEmptyEventLoop: true,
      clientContext: message.clientContext as Context['clientContext'],
      identity: undefined,
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
      done,
      succeed,
      fail: (error) => fail(error ?? 'handled'),
      traceparent: message.traceparent,
    };
    if (isStreamingHandler(handler)) return runStreamingHandler(handler, event, context, emit).then(succeed, fail);
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      return fail(err); // unless it called back first, as the runtime's callback(err) would be ignored
    }
    if (isPromiseLike(returned)) returned.then(succeed, fail);
    else if (!settled) cancelWait = whenLoopEmpty(() => succeed(undefined));
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
