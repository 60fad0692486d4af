import type { Redis } from 'ioredis';

/**
 * Reserved concurrency across every hub process on one Redis: a sorted set per function whose
 * members are running request ids scored by their lease expiry. A lease left by a crashed hub
 * expires after the function's timeout plus a grace period, so a crash never leaks capacity.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
  return 1
end
return 0`;

const LEASE_GRACE_MS = 10_000;

export interface Lease { release(): Promise<void> }

export class ConcurrencyGate {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(fn: string): string {
    return `${this.prefix}:concurrency:${fn}`;
  }

  /** Takes one of `limit` slots for `requestId`, or returns undefined when all are taken. */
  async tryAcquire(fn: string, limit: number, requestId: string, timeoutSeconds: number): Promise<Lease | undefined> {
    if (limit <= 0) return undefined;
    const now = Date.now();
    const expiry = now + timeoutSeconds * 1000 + LEASE_GRACE_MS;
    const ok = await this.redis.eval(ACQUIRE, 1, this.key(fn), now, limit, requestId, expiry);
    if (ok !== 1) return undefined;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.redis.zrem(this.key(fn), requestId);
      },
    };
  }

  async inUse(fn: string): Promise<number> {
    await this.redis.zremrangebyscore(this.key(fn), '-inf', Date.now());
    return this.redis.zcard(this.key(fn));
  }
}
