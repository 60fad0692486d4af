import { responseTooLarge, SYNC_RESPONSE_LIMIT } from '../sources/kit/limits.js';
import { CreditGrants } from './stream-credit.js';
import type { LambdaErrorPayload, ResponseSink } from './types.js';

/**
 * A streaming handler's output for one invocation: passed to the request's sink as it arrives,
 * or, for a caller that did not ask for a stream (plain Invoke, async events, pollers), collected
 * into the payload up to Lambda's response limit. Credit for the bytes goes back to the
 * environment (`grant`) as the sink takes them, until the invocation has ended (close()).
 */
export class StreamOutput {
  readonly #sink?: ResponseSink;
  readonly #grant: (bytes: number) => void;
  #grants?: CreditGrants;
  readonly #buffered: Buffer[] = [];
  #bufferedBytes = 0;
  #started = false;
  #closed = false;

  constructor(sink: ResponseSink | undefined, grant: (bytes: number) => void) {
    this.#sink = sink;
    this.#grant = grant;
  }

  get started(): boolean {
    return this.#started;
  }

  start(contentType: string): void {
    if (this.#started) return;
    this.#started = true;
    this.#sink?.start(contentType);
  }

  chunk(base64: string): void {
    const bytes = Buffer.from(base64, 'base64');
    this.start('application/octet-stream');
    const grants = this.#grants ??= new CreditGrants(this.#grant);
    const taken = () => {
      if (!this.#closed) grants.taken(bytes.length);
    };
    if (this.#sink) return this.#sink.chunk(bytes, taken);
    taken();
    this.#bufferedBytes += bytes.length;
    // Past Lambda's response limit the invocation fails (see error()): its size is counted, its bytes dropped.
    if (this.#bufferedBytes <= SYNC_RESPONSE_LIMIT) this.#buffered.push(bytes);
    else this.#buffered.length = 0;
  }

  /** The invocation ended: no more credit goes to its environment. */
  close(): void {
    this.#closed = true;
  }

  /** A stream buffered for a caller that did not ask for one, over Lambda's 6 MB response limit. */
  error(): LambdaErrorPayload | undefined {
    return this.#bufferedBytes > SYNC_RESPONSE_LIMIT ? responseTooLarge(this.#bufferedBytes) : undefined;
  }

  /** The result's payload: the handler's own, or the buffered stream as text. */
  payload(own: string | undefined): string | undefined {
    if (this.#bufferedBytes > SYNC_RESPONSE_LIMIT) return undefined;
    return this.#started && !this.#sink ? Buffer.concat(this.#buffered).toString('utf8') : own;
  }
}
