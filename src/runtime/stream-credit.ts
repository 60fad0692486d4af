/**
 * Flow control for a streamed response between an execution environment and the hub, so a client
 * that reads slowly slows the handler down (as on Lambda, where the handler's stream write waits)
 * instead of the hub holding what the client has not read yet. The sender (the Node bootstrap, or
 * the Runtime API server reading a custom runtime's request body) may have at most
 * STREAM_WINDOW_BYTES sent that the hub has not granted credit for; the hub grants credit for
 * bytes once the client's connection has taken them (its response under its high-water mark),
 * half a window at a time, so a fast client costs one message per half window.
 */
export const STREAM_WINDOW_BYTES = 1024 * 1024;
/** A handler's write is sent in pieces of at most this many bytes (one `chunk` message each). */
export const STREAM_PIECE_BYTES = 256 * 1024;
/**
 * What a chunk counts against the window at least: a handler writing a byte at a time has at most
 * STREAM_WINDOW_BYTES / 1024 messages in flight (and the hub as many held), not a million.
 */
const MIN_CHUNK_COST = 1024;

/** What `bytes` of one chunk count against the window (both sides count alike). */
const costOf = (bytes: number): number => Math.max(bytes, MIN_CHUNK_COST);

/** The sender's side: bytes in flight, and who waits for credit. */
export class CreditWindow {
  #inFlight = 0;
  #resume?: () => void;

  /** Counts a chunk of `bytes` as sent; false when the window is full: wait for whenOpen(). */
  sent(bytes: number): boolean {
    this.#inFlight += costOf(bytes);
    return this.#inFlight < STREAM_WINDOW_BYTES;
  }

  /** Calls `resume` once credit brings the bytes in flight under the window. */
  whenOpen(resume: () => void): void {
    this.#resume = resume;
  }

  /** The hub granted credit (what its chunks cost, see costOf). */
  grant(bytes: number): void {
    this.#inFlight -= bytes;
    const resume = this.#resume;
    if (!resume || this.#inFlight >= STREAM_WINDOW_BYTES) return;
    this.#resume = undefined;
    resume();
  }

  /** A new response: nothing in flight, nobody waiting. */
  reset(): void {
    this.#inFlight = 0;
    this.#resume = undefined;
  }
}

/** The hub's side: returns credit for bytes its client has taken, half a window at a time. */
export class CreditGrants {
  #taken = 0;

  constructor(private readonly grant: (bytes: number) => void) {}

  /** The client took a chunk of `bytes`. */
  taken(bytes: number): void {
    this.#taken += costOf(bytes);
    if (this.#taken < STREAM_WINDOW_BYTES / 2) return;
    this.grant(this.#taken);
    this.#taken = 0;
  }
}
