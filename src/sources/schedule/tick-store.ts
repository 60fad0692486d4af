import type { Redis } from 'ioredis';

/** Raises the stored tick, never lowers it (hubs may finish ticks out of order). */
const RAISE = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/** How long a tick's claim is kept: far longer than any hub's clock skew or timer lateness. */
export const CLAIM_TTL_MS = 24 * 3_600_000;

/**
 * A schedule's state in Redis, under `${queuePrefix}:schedule:<fn>:<index>:`: one claim per tick
 * (`SET NX PX`), so across every hub process exactly one fires it, and the last tick dealt with
 * (fired, or passed over by the catch-up policy), so a restart knows which ticks it missed.
 */
export class TickStore {
  private readonly prefix: string;

  constructor(private readonly redis: Redis, queuePrefix: string, fn: string, index: number, private readonly owner: string) {
    this.prefix = `${queuePrefix}:schedule:${fn}:${index}`;
  }

  /** Whether this owner won the tick. */
  async claim(tick: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:tick:${tick}`, this.owner, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }

  /** Gives a won tick back (its event could not be queued), so a catch-up may fire it. */
  async unclaim(tick: number): Promise<void> {
    await this.redis.del(`${this.prefix}:tick:${tick}`);
  }

  /** The last tick dealt with, or null before this schedule first ran. */
  async last(): Promise<number | null> {
    const value = await this.redis.get(`${this.prefix}:last`);
    return value === null ? null : Number(value);
  }

  async markDone(tick: number): Promise<void> {
    await this.redis.eval(RAISE, 1, `${this.prefix}:last`, tick);
  }
}
