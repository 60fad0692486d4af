import type { Redis } from 'ioredis';

/** Raises the stored tick, never lowers it (hubs may finish ticks out of order). */
const RAISE = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/** Claims a tick (ARGV[1] the lease value, ARGV[2] its ms), or returns who holds it and for how long. */
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1} end
return {0, redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`;

/** Extends this owner's lease (1), or says it is no longer this owner's (0). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Deletes the claim if it is still this owner's lease. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** How long a queued tick's claim is kept: far longer than any hub's clock skew or timer lateness. */
export const CLAIM_TTL_MS = 24 * 3_600_000;
/**
 * How long a claim lasts before its event is queued, unless its hub renews it (it does before each
 * retry). A hub killed between claiming a tick and queueing it (kill -9, power loss) leaves a lease
 * that lapses after this; a hub that lost the tick to it then claims and fires it.
 */
export const CLAIM_LEASE_MS = 60_000;
const LEASE_PREFIX = 'lease:';
const QUEUED = 'queued';

/** A tick claimed by another hub: still in flight (a lease, with the ms it has left), or queued. */
export type Claimed = { inFlight: true; leftMs: number } | { inFlight: false };

/**
 * A schedule's state in Redis, under `${queuePrefix}:schedule:<fn>:<index>:`: one claim per tick,
 * so across every hub process exactly one fires it: a lease (`lease:<owner>`, CLAIM_LEASE_MS) while
 * its event is being queued, then `queued` for CLAIM_TTL_MS. And the last tick dealt with (fired,
 * or passed over by the catch-up policy), so a restart knows which ticks it missed. A claim of
 * any other value (an owner id, as hubs before leases wrote) counts as queued.
 */
export class TickStore {
  private readonly prefix: string;
  private readonly lease: string;

  constructor(private readonly redis: Redis, queuePrefix: string, fn: string, index: number, owner: string, private readonly leaseMs = CLAIM_LEASE_MS) {
    this.prefix = `${queuePrefix}:schedule:${fn}:${index}`;
    this.lease = `${LEASE_PREFIX}${owner}`;
  }

  /** True when this owner won the tick; else what holds it. */
  async claim(tick: number): Promise<true | Claimed> {
    const [won, value, pttl] = await this.redis.eval(CLAIM, 1, this.key(tick), this.lease, this.leaseMs) as [number, string | null, number];
    if (won === 1) return true;
    return held(value, pttl);
  }

  /** What holds each tick that another hub claimed and has not queued (ticks with no claim are left out). */
  async inFlight(ticks: number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    if (!ticks.length) return found;
    const values = await this.redis.mget(ticks.map((tick) => this.key(tick)));
    for (const [i, value] of values.entries()) {
      if (value === null || !value.startsWith(LEASE_PREFIX)) continue;
      const claimed = held(value, await this.redis.pttl(this.key(ticks[i])));
      if (claimed.inFlight) found.set(ticks[i], claimed.leftMs);
    }
    return found;
  }

  /** Keeps this owner's lease while it retries; false when the tick is no longer its own. */
  async renew(tick: number, ms: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key(tick), this.lease, Math.max(ms, this.leaseMs))) === 1;
  }

  /** The tick's event is queued: no hub fires it again. */
  async queued(tick: number): Promise<void> {
    await this.redis.set(this.key(tick), QUEUED, 'PX', CLAIM_TTL_MS);
  }

  /** Gives a won tick back (its event could not be queued), so a catch-up may fire it. */
  async unclaim(tick: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(tick), this.lease);
  }

  /** The last tick dealt with, or null before this schedule first ran. */
  async last(): Promise<number | null> {
    const value = await this.redis.get(`${this.prefix}:last`);
    return value === null ? null : Number(value);
  }

  async markDone(tick: number): Promise<void> {
    await this.redis.eval(RAISE, 1, `${this.prefix}:last`, tick);
  }

  private key(tick: number): string {
    return `${this.prefix}:tick:${tick}`;
  }
}

/** A claim's value as another hub sees it; a key that vanished between reads is a lapsed lease. */
function held(value: string | null, pttl: number): Claimed {
  if (value === null) return { inFlight: true, leftMs: 0 };
  if (!value.startsWith(LEASE_PREFIX)) return { inFlight: false };
  return { inFlight: true, leftMs: Math.max(pttl, 0) };
}
