import { Writable } from 'node:stream';
import { HTTP_INTEGRATION_CONTENT_TYPE } from '../protocol.js';

const PRELUDE_DELIMITER = new Uint8Array(8);
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const EMPTY = Buffer.alloc(0);

/**
 * Where a stream's output goes: its content type once, before the first bytes; then the bytes, one
 * chunk at a time (the next once the previous one's `done` was called).
 */
export interface StreamEmitter {
  start(contentType: string): void;
  chunk(bytes: Buffer, done: () => void): void;
}

/**
 * The `responseStream` a streaming handler writes to, as the Node.js runtime gives it: a Writable
 * with `setContentType` (only before the first write) and the `_onBeforeFirstWrite` hook that
 * `awslambda.HttpResponseStream.from` uses to put its metadata prelude in front. Non-binary
 * chunks are JSON-encoded, as the runtime does. Bytes leave as they are written, as fast as the
 * hub's client takes them (see stream-credit.ts).
 */
export class ResponseStream extends Writable {
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  #contentType = DEFAULT_CONTENT_TYPE;
  #writeCalled = false;
  #opened = false;
  readonly #emit: StreamEmitter;

  constructor(emit: StreamEmitter, highWaterMark?: number) {
    super(highWaterMark ? { highWaterMark } : {});
    this.#emit = emit;
  }

  setContentType(contentType: string): void {
    if (this.#writeCalled) throw Object.assign(new Error('Cannot set content-type, too late.'), { name: 'Runtime.InvalidStreamingOperation' });
    this.#contentType = String(contentType); // a header value, whatever the handler passed
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    this.#writeCalled = true;
    const bytes = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    return super.write(bytes, encoding as BufferEncoding, callback as (error?: Error | null) => void);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#emit.chunk(this.#open(chunk), () => done());
  }

  /** A stream ended without a byte still opens (so HttpResponseStream metadata still applies). */
  override _final(done: (error?: Error | null) => void): void {
    const early = this.#open(EMPTY);
    if (early.length) this.#emit.chunk(early, () => done());
    else done();
  }

  /**
   * Before the first bytes: the content type, and what `_onBeforeFirstWrite` writes put in front of
   * `chunk`, so that one chunk at a time goes to the emitter (a chunk waits for credit: see
   * stream-credit.ts) and the prelude cannot be overtaken by what follows it.
   */
  #open(chunk: Buffer): Buffer {
    if (this.#opened) return chunk;
    this.#opened = true;
    this.#writeCalled = true;
    this.#emit.start(this.#contentType);
    const early: Buffer[] = [];
    this._onBeforeFirstWrite?.((bytes) => early.push(Buffer.from(bytes)));
    return early.length ? Buffer.concat([...early, chunk]) : chunk;
  }
}

/** `awslambda.HttpResponseStream`: status, headers and cookies for function URLs ahead of the body. */
export class HttpResponseStream {
  static from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(PRELUDE_DELIMITER);
    };
    return stream;
  }
}
