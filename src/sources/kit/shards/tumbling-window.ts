import type { Redis } from 'ioredis';
import type { InvokeResult } from '../../../runtime/types.js';
import { parseJson } from '../../../json.js';

/** Lambda's limit on a shard's tumbling-window state; above it the window is terminated early. */
export const MAX_STATE_BYTES = 1024 * 1024;

export interface OpenWindow {
  /** Epoch ms; the window is [startMs, startMs + size). */
  startMs: number;
  state: unknown;
}

/** The window fields Lambda adds to a stream event with tumblingWindowInSeconds. */
export interface WindowFields {
  window: { start: string; end: string };
  state: unknown;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * One shard's tumbling windows (Lambda's tumblingWindowInSeconds): windows are aligned on the
 * epoch and a record belongs to the one its arrival time falls in. The open window and its state
 * live in Redis (hash `<base>:windows`, field = shard), so the shard's next owner continues it.
 */
export class ShardWindows {
  private open?: OpenWindow | null;

  constructor(private readonly redis: Redis, private readonly key: string, private readonly shardId: string, private readonly sizeMs: number) {}

  startOf(arrivalMs: number): number {
    return Math.floor(arrivalMs / this.sizeMs) * this.sizeMs;
  }

  /** The open window, if any (read from Redis once). */
  async current(): Promise<OpenWindow | undefined> {
    if (this.open === undefined) {
      const text = await this.redis.hget(this.key, this.shardId);
      this.open = text ? JSON.parse(text) as OpenWindow : null;
    }
    return this.open ?? undefined;
  }

  async save(open: OpenWindow): Promise<void> {
    await this.redis.hset(this.key, this.shardId, JSON.stringify(open));
    this.open = open;
  }

  async close(): Promise<void> {
    await this.redis.hdel(this.key, this.shardId);
    this.open = null;
  }

  /** Whether the open window's time is over (its final invocation is due). */
  ended(open: OpenWindow, now = Date.now()): boolean {
    return now >= open.startMs + this.sizeMs;
  }

  fields(open: OpenWindow, eventSourceARN: string, final: boolean, early = false): WindowFields {
    return {
      window: { start: iso(open.startMs), end: iso(open.startMs + this.sizeMs) },
      state: open.state,
      shardId: this.shardId,
      eventSourceARN,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: early,
    };
  }
}

/**
 * The state a windowed invocation returned (`TimeWindowEventResponse`); a successful invocation
 * without a `state` object fails, as on Lambda.
 */
export function windowResult(result: InvokeResult): { result: InvokeResult; state?: unknown } {
  if (result.status !== 'success') return { result };
  let response: unknown;
  try {
    response = parseJson(result.payload ?? 'null');
  } catch {
    response = null;
  }
  if (typeof response === 'object' && response !== null && 'state' in response) return { result, state: (response as { state: unknown }).state ?? {} };
  return {
    result: {
      ...result,
      status: 'error',
      error: { errorType: 'InvalidStateResponse', errorMessage: 'a tumbling window invocation must return { state, batchItemFailures? }' },
    },
  };
}

export const stateTooLarge = (state: unknown): boolean => Buffer.byteLength(JSON.stringify(state) ?? '') > MAX_STATE_BYTES;
