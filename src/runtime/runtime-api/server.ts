import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { payloadText, type ChildMessage, type InvokeMessage } from '../protocol.js';
import { responseTooLarge, SYNC_RESPONSE_LIMIT } from '../../sources/kit/limits.js';
import { CreditWindow } from '../stream-credit.js';
import { errorPayload, validErrorType } from './error-document.js';

const PREFIX = '/2018-06-01/runtime';
/** The hub's payloads are text: a response that is not UTF-8 (Python's `return b"\xff"`) is read with U+FFFD for what is not. */
const NOT_UTF8 = '[triggerhub] the response is not UTF-8 text: bytes that are not were replaced with U+FFFD (payloads are text here)';
const RESULT_PATH = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

/**
 * The Lambda Runtime API (2018-06-01) for one execution environment, on loopback: the runtime
 * long-polls `invocation/next`, then posts `invocation/{id}/response` or `…/error`;
 * `init/error` reports a failed init. Each environment has its own server, so a request id
 * another environment handed out is unknown here (400 InvalidRequestID). Translates the
 * runtime's calls into the ChildMessages a forked Node bootstrap would send.
 *
 * States as Lambda's RAPID keeps them (aws-lambda-runtime-interface-emulator, core/states.go):
 * `next` while the current invocation is unanswered hands that invocation out again; `next` calls
 * waiting together are served one per invocation, in turn; the current invocation answered a
 * second time (response or error) is 403 InvalidStateTransition; an id that is not the current
 * invocation's is 400 InvalidRequestID.
 */
export class RuntimeApiServer {
  readonly #server = createServer((req, res) => this.#route(req, res));
  readonly #onMessage: (message: ChildMessage) => void;
  /** Peak resident memory of the environment's process, kB (for REPORT's Max Memory Used). */
  readonly #peakKB: () => number;
  #initialized = false;
  /** An invocation not fetched yet. */
  #queued?: InvokeMessage;
  /** The runtime's waiting `next` calls, oldest first. */
  readonly #polls: ServerResponse[] = [];
  /** The invocation handed out last, until the next one is; `answered` once a response or error came. */
  #current?: { message: InvokeMessage; answered: boolean };
  /** A streaming response's bytes passed on that the hub has not granted credit for. */
  readonly #flow = new CreditWindow();

  constructor(onMessage: (message: ChildMessage) => void, peakKB: () => number) {
    this.#onMessage = onMessage;
    this.#peakKB = peakKB;
    this.#server.keepAliveTimeout = 0; // the runtime's connection lives as long as the environment
  }

  /** Resolves with `127.0.0.1:<port>`, the value of AWS_LAMBDA_RUNTIME_API. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve(`127.0.0.1:${(this.#server.address() as AddressInfo).port}`);
      });
    });
  }

  /** Hands the invocation to the runtime's pending `next` call, or to its next one. */
  next(message: InvokeMessage): void {
    for (let poll = this.#polls.shift(); poll; poll = this.#polls.shift()) {
      if (!poll.destroyed) return this.#deliver(poll, message);
    }
    this.#queued = message;
  }

  /** The hub's client took `bytes` more of the streamed response: read as many more of its body. */
  credit(bytes: number): void {
    this.#flow.grant(bytes);
  }

  /** Idempotent. */
  close(): void {
    this.#polls.length = 0;
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) return this.#next(res);
    if (req.method !== 'POST') return reply(res, 404, 'NotFound', `no route ${req.method} ${url}`);
    const result = RESULT_PATH.exec(url);
    const mode = req.headers['lambda-runtime-function-response-mode'];
    if (result && result[2] === 'response' && mode) {
      const requestId = decodeURIComponent(result[1]);
      return mode === 'streaming' ? this.#streamed(req, res, requestId) : this.#invalidMode(req, res, requestId, mode);
    }
    if (result) return readBody(req, (body, size, utf8) => this.#result(req, res, decodeURIComponent(result[1]), result[2], body, size, utf8));
    if (url === `${PREFIX}/init/error`) return readBody(req, (body) => this.#initError(req, res, body ?? ''));
    reply(res, 404, 'NotFound', `no route ${req.method} ${url}`);
  }

  /** How many of the runtime's `next` calls are waiting for an invocation. */
  get waitingNextCalls(): number {
    return this.#polls.length;
  }

  #next(res: ServerResponse): void {
    if (this.#current && !this.#current.answered) return this.#deliver(res, this.#current.message);
    const queued = this.#queued;
    this.#queued = undefined;
    if (queued) return this.#deliver(res, queued);
    this.#polls.push(res);
    res.once('close', () => {
      const waiting = this.#polls.indexOf(res);
      if (waiting >= 0) this.#polls.splice(waiting, 1);
    });
    if (this.#initialized) return;
    this.#initialized = true;
    this.#onMessage({ type: 'ready' });
  }

  #deliver(res: ServerResponse, message: InvokeMessage): void {
    if (this.#current?.message !== message) this.#current = { message, answered: false };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': message.requestId,
      'lambda-runtime-deadline-ms': String(message.deadline),
      'lambda-runtime-invoked-function-arn': message.invokedFunctionArn,
    };
    if (message.traceId !== undefined) headers['lambda-runtime-trace-id'] = message.traceId;
    if (message.traceparent !== undefined) headers.traceparent = message.traceparent;
    if (message.clientContext !== undefined) headers['lambda-runtime-client-context'] = JSON.stringify(message.clientContext);
    res.writeHead(200, headers).end(payloadText(message));
  }

  /** `body` is undefined when it was over the size limit (`size` bytes); `utf8` false when its bytes were not UTF-8. */
  #result(req: IncomingMessage, res: ServerResponse, requestId: string, kind: string, body: string | undefined, size: number, utf8: boolean): void {
    if (this.#refused(res, requestId, kind)) return;
    if (body === undefined) reply(res, 413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT} bytes).`);
    else reply(res, 202);
    const maxRssKB = this.#peakKB();
    const message: ChildMessage = body === undefined ? { type: 'result', error: responseTooLarge(size), maxRssKB }
      : kind === 'response' ? { type: 'result', payload: body === '' ? 'null' : body, maxRssKB }
      : { type: 'result', error: errorPayload(body, validErrorType(req.headers['lambda-runtime-function-error-type'])), maxRssKB };
    // Output the runtime wrote before posting is already in its stdout pipe: let it be read
    // first, so the invocation's log holds it.
    setImmediate(() => {
      if (!utf8 && kind === 'response') this.#onMessage({ type: 'log', level: 'WARN', line: NOT_UTF8 });
      this.#onMessage(message);
    });
  }

  /**
   * A streaming response (`Lambda-Runtime-Function-Response-Mode: streaming`): the body's bytes are
   * passed on as they arrive; the `Lambda-Runtime-Function-Error-Type` / `-Error-Body` (base64
   * JSON) trailers, when sent, fail the invocation after what was streamed. The body is read no
   * faster than the hub's client takes it (see stream-credit.ts): while it lags, TCP holds the
   * runtime's writes back.
   */
  #streamed(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    if (this.#refused(res, requestId, 'response')) return void req.resume();
    this.#onMessage({ type: 'stream', contentType: req.headers['content-type'] ?? 'application/octet-stream' });
    this.#flow.reset();
    req.on('data', (chunk: Buffer) => {
      this.#onMessage({ type: 'chunk', data: chunk.toString('base64') });
      if (this.#flow.sent(chunk.length)) return;
      req.pause();
      this.#flow.whenOpen(() => req.resume());
    });
    req.once('end', () => {
      reply(res, 202);
      const type = req.trailers['lambda-runtime-function-error-type'];
      const body = req.trailers['lambda-runtime-function-error-body'];
      const maxRssKB = this.#peakKB();
      const message: ChildMessage = type === undefined && body === undefined ? { type: 'result', maxRssKB }
        : { type: 'result', error: errorPayload(Buffer.from(body ?? '', 'base64').toString('utf8'), type), maxRssKB };
      setImmediate(() => this.#onMessage(message));
    });
  }

  /**
   * RAPID takes `streaming` (exactly) or no response mode: any other value fails the invocation with
   * Runtime.InvalidResponseModeHeader and answers the runtime 400 InvalidFunctionResponseMode.
   */
  #invalidMode(req: IncomingMessage, res: ServerResponse, requestId: string, mode: string | string[]): void {
    req.resume();
    if (this.#refused(res, requestId, 'response')) return;
    reply(res, 400, 'InvalidFunctionResponseMode', 'Invalid function response mode');
    const error = { errorType: 'Runtime.InvalidResponseModeHeader', errorMessage: `Invalid Lambda-Runtime-Function-Response-Mode: ${JSON.stringify(String(mode))}` };
    setImmediate(() => this.#onMessage({ type: 'result', error, maxRssKB: this.#peakKB() }));
  }

  /** Answers a result for an invocation that is not the current one, or one already answered; else marks it answered. */
  #refused(res: ServerResponse, requestId: string, kind: string): boolean {
    const current = this.#current;
    if (current?.message.requestId !== requestId) {
      reply(res, 400, 'InvalidRequestID', 'Invalid request ID');
      return true;
    }
    if (current.answered) {
      const to = kind === 'response' ? 'RuntimeInvocationResponseState' : 'RuntimeInvocationErrorResponseState';
      reply(res, 403, 'InvalidStateTransition', transitionRefused('RuntimeResponseSentState', to));
      return true;
    }
    current.answered = true;
    return false;
  }

  #initError(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (this.#initialized) return reply(res, 403, 'InvalidStateTransition', transitionRefused('RuntimeReadyState', 'RuntimeInitErrorState'));
    this.#initialized = true;
    reply(res, 202);
    const error = errorPayload(body, validErrorType(req.headers['lambda-runtime-function-error-type']));
    setImmediate(() => this.#onMessage({ type: 'fatal', error }));
  }
}

/**
 * Calls `done` with the body and its size, the body undefined when it is over Lambda's response
 * limit (what a runtime posts is the function's response).
 */
function readBody(req: IncomingMessage, done: (body: string | undefined, size: number, utf8: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= SYNC_RESPONSE_LIMIT) chunks.push(chunk);
  });
  req.once('end', () => {
    if (size > SYNC_RESPONSE_LIMIT) return done(undefined, size, true);
    const bytes = Buffer.concat(chunks);
    done(bytes.toString('utf8'), size, isUtf8(bytes));
  });
}

/** RAPID's words for a call the runtime's state does not allow. */
function transitionRefused(from: string, to: string): string {
  return `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`;
}

function reply(res: ServerResponse, status: number, errorType?: string, errorMessage?: string): void {
  const body = errorType ? JSON.stringify({ errorMessage, errorType }) : '{"status":"OK"}';
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}
