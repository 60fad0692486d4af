import type { Redis } from 'ioredis';
import { LEASE_ACQUIRE as ACQUIRE, LEASE_RELEASE as RELEASE } from '../kit/lease-scripts.js';

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
