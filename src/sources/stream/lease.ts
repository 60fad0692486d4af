import type { Redis } from 'ioredis';

/** Takes the lease when free, or extends it when this owner holds it. */
const ACQUIRE = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A Redis lease on one stream key and consumer group, so that across every hub process only one
 * poller reads it at a time and its order is kept. The holder extends it every third of its
 * time to live; a crashed holder's lease runs out and another process takes over.
 */
export class StreamLease {
  private timer?: NodeJS.Timeout;
  private held = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Whether this owner holds the lease now (taking or extending it). */
  async acquire(): Promise<boolean> {
    this.held = (await this.redis.eval(ACQUIRE, 1, this.key, this.owner, this.ttlMs)) === 1;
    if (this.held && !this.timer) {
      this.timer = setInterval(() => void this.acquire().catch(() => undefined), this.ttlMs / 3);
      this.timer.unref();
    }
    return this.held;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.held) return;
    this.held = false;
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }
}
