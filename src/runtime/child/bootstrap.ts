/**
 * Entry point of one execution environment, forked by the hub or run in a worker thread (never
 * imported by it). Loads the handler module once (init), says `ready`, then runs one invocation
 * per message from the hub (see host.ts), reusing module scope across invocations like a warm
 * Lambda sandbox.
 */
import { responseTooLarge, SYNC_RESPONSE_LIMIT } from '../../sources/kit/limits.js';
import type { ChildMessage, InvokeMessage } from '../protocol.js';
import { toErrorPayload, UnhandledPromiseRejection } from './error-payload.js';
import { host } from './host.js';
import { loadHandler, type Handler } from './load-handler.js';
import { invocationVariables } from './invocation-env.js';
import { captureLogs } from './log-capture.js';
import type { StreamEmitter } from './response-stream.js';
import { runHandler } from './run-handler.js';
import { installAwsLambdaGlobal } from './streaming.js';
import { CreditWindow, STREAM_PIECE_BYTES } from '../stream-credit.js';

const { spec } = host;
/** Sets a per-invocation variable, or removes the previous invocation's value (without setenv: see invocation-env.ts). */
const setEnv = invocationVariables(['_X_AMZN_TRACE_ID', 'TRACEPARENT']);
let requestId: string | undefined;
let broken = false;
/** Whether an invocation runs now: one that arrives meanwhile waits in `queued`. */
let running = false;
/**
 * Invocations the hub sent while another ran (it does so for short handlers, so that the next
 * starts as soon as the previous result is sent instead of a round trip to the hub later), with
 * when each arrived: each runs in turn, never two at once.
 */
const queued: { message: InvokeMessage; arrivedAt: number }[] = [];
/**
 * The CPU time used when the previous result was sent, µs; undefined until then: the first
 * invocation runs the handler's code for the first time (V8 compiles it as it goes), so its CPU
 * time says little about the handler and is not reported.
 */
let cpuMark: number | undefined;

const logError = captureLogs(() => requestId, (level, line) => host.send({ type: 'log', level, line }));
/** The current invocation's streamed bytes the hub has not granted credit for yet. */
const flow = new CreditWindow();
/**
 * A streaming handler's bytes, sent as they are written, in pieces of at most STREAM_PIECE_BYTES;
 * a write is done (the handler's stream takes the next) once the credit window has room again:
 * while the client reads slowly, the handler's `write()` returns false and `pipeline()` pauses.
 */
const emit: StreamEmitter = {
  start: (contentType) => host.send({ type: 'stream', contentType }),
  chunk: (bytes, done) => sendFrom(bytes, 0, done),
};

/** Sends `bytes` from `at` on, piece by piece while the window has room; `done` once all went. */
function sendFrom(bytes: Buffer, at: number, done: () => void): void {
  for (;;) {
    const end = Math.min(bytes.length, at + STREAM_PIECE_BYTES);
    const piece = at === 0 && end === bytes.length ? bytes : bytes.subarray(at, end);
    host.send({ type: 'chunk', data: piece.toString('base64') });
    const open = flow.sent(piece.length);
    at = end;
    if (at >= bytes.length) return open ? done() : flow.whenOpen(done);
    if (!open) return flow.whenOpen(() => sendFrom(bytes, at, done));
  }
}

/** Reports the environment as unusable; the parent kills it and fails the current invocation. */
function fatal(title: string, err: unknown): void {
  logError(title, err);
  if (broken) return;
  broken = true;
  host.send({ type: 'fatal', error: toErrorPayload(err) });
}

process.on('uncaughtException', (err) => fatal('Uncaught Exception', err));
process.on('unhandledRejection', (reason) => fatal('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason)));

/** Runs the invocation now, or after those already running or waiting. */
function accept(handler: Handler, message: InvokeMessage): void {
  if (running) queued.push({ message, arrivedAt: Date.now() });
  else void invoke(handler, message);
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  running = true;
  const startedAt = performance.now();
  requestId = message.requestId;
  flow.reset();
  setEnv('_X_AMZN_TRACE_ID', message.traceId);
  setEnv('TRACEPARENT', message.traceparent);
  const reply: Extract<ChildMessage, { type: 'result' }> = { type: 'result', maxRssKB: 0 };
  try {
    const event = message.payload === undefined ? message.event : JSON.parse(message.payload);
    const payload = serialize(await runHandler(handler, event, message, emit));
    // Lambda's response limit, as the Runtime API applies it to every invocation (sync or not);
    // a string of n UTF-16 units is at most 3n bytes, so most results are not measured.
    const size = payload.length > SYNC_RESPONSE_LIMIT / 3 ? Buffer.byteLength(payload) : 0;
    if (size > SYNC_RESPONSE_LIMIT) reply.error = responseTooLarge(size);
    else reply.payload = payload;
  } catch (err) {
    reply.error = toErrorPayload(err);
    logError('Invoke Error', err);
  }
  if (broken) return;
  const usage = host.usage();
  reply.maxRssKB = usage.maxRssKB;
  if (usage.cpuUs !== undefined && cpuMark !== undefined) {
    reply.cpuUs = usage.cpuUs - cpuMark;
    reply.wallUs = Math.round((performance.now() - startedAt) * 1000);
  }
  cpuMark = usage.cpuUs;
  host.send(reply);
  running = false;
  const next = queued.shift();
  if (!next) return;
  // Its timeout counts from now, when it starts, as the hub's timer does (from this result).
  next.message.deadline += Date.now() - next.arrivedAt;
  void invoke(handler, next.message);
}

function serialize(result: unknown): string {
  try {
    return JSON.stringify(result === undefined ? null : result) ?? 'null';
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

try {
  installAwsLambdaGlobal();
  const handler = await loadHandler(spec);
  host.listen({ invoke: (message) => accept(handler, message), credit: (bytes) => flow.grant(bytes) });
  host.send({ type: 'ready' });
} catch (err) {
  fatal('Uncaught Exception', err);
}
