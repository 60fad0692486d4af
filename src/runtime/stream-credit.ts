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

/** The sender's side: bytes in flight, and who waits for credit. */
export class CreditWindow {
  #inFlight = 0;
  #resume?: () => void;

  /** Counts `bytes` as sent; false when the window is full: wait for whenOpen(). */
  sent(bytes: number): boolean {
    this.#inFlight += bytes;
    return this.#inFlight < STREAM_WINDOW_BYTES;
  }

  /** Calls `resume` once credit brings the bytes in flight under the window. */
  whenOpen(resume: () => void): void {
    this.#resume = resume;
  }

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

  taken(bytes: number): void {
    this.#taken += bytes;
    if (this.#taken < STREAM_WINDOW_BYTES / 2) return;
    this.grant(this.#taken);
    this.#taken = 0;
  }
}
