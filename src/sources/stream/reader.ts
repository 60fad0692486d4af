import type { GroupConsumer } from './group.js';
import type { StreamEntry } from './records.js';

/** A blocking read waits at most this long, so idle entries are looked for between reads. */
const MAX_BLOCK_MS = 1000;
/** How often the group's pending list is scanned for idle entries (at most; less with a short claim time). */
const MAX_CLAIM_SCAN_MS = 5000;

export interface ReaderOptions {
  batchSize: number;
  windowSeconds: number;
  claimIdleMs: number;
}

/**
 * Gathers the next batch of one consumer: first entries left pending too long by other
 * (dead) consumers, taken over with XAUTOCLAIM, oldest first; else new entries, waiting for the
 * first, then (with a batching window) reading on until the batch is full or the window that
 * started with its first entry has passed.
 */
export class BatchReader {
  private cursor = '0-0';
  private nextScanAt = 0;
  private readonly scanEveryMs: number;
  private readonly blockMs: number;

  constructor(private readonly consumer: GroupConsumer, private readonly options: ReaderOptions) {
    this.scanEveryMs = Math.max(50, Math.min(MAX_CLAIM_SCAN_MS, options.claimIdleMs / 2));
    this.blockMs = Math.max(10, Math.min(MAX_BLOCK_MS, Math.round(this.scanEveryMs)));
  }

  /** Scan for claimable entries before the next read (entries were just released). */
  rescan(): void {
    this.nextScanAt = 0;
  }

  /** The next batch; empty when nothing arrived within one block time. */
  async next(signal: AbortSignal): Promise<StreamEntry[]> {
    const claimed = await this.claim();
    if (claimed.length) return claimed;
    const { batchSize, windowSeconds } = this.options;
    const batch = await this.consumer.readNew(batchSize, this.blockMs);
    const windowEndsAt = Date.now() + windowSeconds * 1000;
    while (batch.length && batch.length < batchSize && !signal.aborted) {
      const remainingMs = windowEndsAt - Date.now();
      if (remainingMs < 1) break;
      try {
        batch.push(...await this.consumer.readNew(batchSize - batch.length, Math.ceil(remainingMs)));
      } catch {
        break; // invoke what we have; the next read reports the error
      }
    }
    return batch;
  }

  private async claim(): Promise<StreamEntry[]> {
    if (Date.now() < this.nextScanAt) return [];
    const { next, entries } = await this.consumer.claimIdle(this.options.claimIdleMs, this.cursor, this.options.batchSize);
    this.cursor = next;
    if (next === '0-0') this.nextScanAt = Date.now() + this.scanEveryMs;
    return entries;
  }
}
