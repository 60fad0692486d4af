import type { ResponseSink } from './types.js';

/**
 * A streaming handler's output for one invocation: passed to the request's sink as it arrives,
 * or, for a caller that did not ask for a stream (plain Invoke), collected into the payload.
 */
export class StreamOutput {
  readonly #sink?: ResponseSink;
  readonly #buffered: Buffer[] = [];
  #started = false;

  constructor(sink: ResponseSink | undefined) {
    this.#sink = sink;
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
    if (this.#sink) this.#sink.chunk(bytes);
    else this.#buffered.push(bytes);
  }

  /** The result's payload: the handler's own, or the buffered stream as text. */
  payload(own: string | undefined): string | undefined {
    return this.#started && !this.#sink ? Buffer.concat(this.#buffered).toString('utf8') : own;
  }
}
