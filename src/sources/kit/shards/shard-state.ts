import type { Redis } from 'ioredis';
import { LEASE_ACQUIRE as ACQUIRE, LEASE_RELEASE as RELEASE } from '../lease-scripts.js';
/** Writes a shard's checkpoint only while this owner holds its lease (a dead owner's late write is dropped). */
const CHECKPOINT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1`;
/** Registers this consumer until ARGV[2] (epoch ms) and counts the live ones. */
const HEARTBEAT = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCARD', KEYS[1])`;

/**
 * Binds the state to one incarnation of the stream: a stream deleted and created again under the
 * same name reuses its shard ids, and the old checkpoints (and windows) would point nowhere.
 * The shards named after the incarnation and the FROM_START mark (ARGV[3..]) are then read from their start.
 */
const ADOPT = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
if not current then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
for i = 3, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], ARGV[2]) end
return 1`;

/** The checkpoint of a shard read to its end (its children may start). */
export const SHARD_END = 'SHARD_END';
/** The checkpoint `LATEST@<epoch ms>` of a shard first read at LATEST with nothing done yet. */
export const LATEST_MARK = 'LATEST@';
/** The checkpoint of a shard that was empty when first read at LATEST (by a reader without AT_TIMESTAMP). */
export const FROM_START = 'FROM_START';

/**
 * One shard mapping's shared state in Redis, under `<queuePrefix>:<kind>:<function>:<stream>:`:
 * `checkpoints` (hash: shard id → last sequence number done, or SHARD_END), `incarnation` (the
 * stream they belong to), `windows` (tumbling windows' state, see windowsKey), `lease:<shard>`
 * (the owner, with a time to live) and `consumers` (live pollers, to split the shards evenly).
 * The owner renews its leases and heartbeat every third of the time to live; a dead owner's leases
 * run out and other consumers take its shards over from their checkpoints.
 */
export class ShardState {
  private readonly held = new Set<string>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly base: string,
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly onLost: (shardId: string) => void,
  ) {}

  get leases(): ReadonlySet<string> {
    return this.held;
  }

  /** Starts renewing (leases and heartbeat); returns the number of live consumers. */
  async heartbeat(): Promise<number> {
    if (!this.closed) this.timer ??= setInterval(() => void this.renew().catch(() => undefined), this.ttlMs / 3).unref();
    const now = Date.now();
    return Number(await this.redis.eval(HEARTBEAT, 1, `${this.base}:consumers`, this.owner, now + this.ttlMs, now, this.ttlMs * 10));
  }

  async acquire(shardId: string): Promise<boolean> {
    const taken = (await this.redis.eval(ACQUIRE, 1, this.leaseKey(shardId), this.owner, this.ttlMs)) === 1;
    if (taken) this.held.add(shardId);
    return taken;
  }

  async release(shardId: string): Promise<void> {
    if (!this.held.delete(shardId)) return;
    await this.redis.eval(RELEASE, 1, this.leaseKey(shardId), this.owner);
  }

  /**
   * Records which incarnation of the stream the checkpoints belong to; true when they belonged to
   * another one (the stream was created again) and were dropped, with the tumbling windows. The
   * `fromStart` shards are then read from their start, whatever the starting position.
   */
  async adopt(incarnation: string, fromStart: readonly string[] = []): Promise<boolean> {
    const keys = [`${this.base}:incarnation`, `${this.base}:checkpoints`, this.windowsKey];
    return (await this.redis.eval(ADOPT, keys.length, ...keys, incarnation, FROM_START, ...fromStart)) === 1;
  }

  /** Where the mapping's tumbling windows keep their state (ShardWindows). */
  get windowsKey(): string {
    return `${this.base}:windows`;
  }

  /** Every shard's checkpoint. */
  async checkpoints(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(`${this.base}:checkpoints`)));
  }

  async checkpoint(shardId: string): Promise<string | undefined> {
    return (await this.redis.hget(`${this.base}:checkpoints`, shardId)) ?? undefined;
  }

  /** Saves a checkpoint; false when this owner no longer holds the shard's lease. */
  async save(shardId: string, sequence: string): Promise<boolean> {
    return (await this.redis.eval(CHECKPOINT, 2, this.leaseKey(shardId), `${this.base}:checkpoints`, this.owner, shardId, sequence)) === 1;
  }

  /** Stops renewing and leaves the consumer list, releasing every lease. Idempotent. */
  async close(): Promise<void> {
    this.abandon();
    await Promise.all([...this.held].map((shardId) => this.release(shardId)));
    await this.redis.zrem(`${this.base}:consumers`, this.owner);
  }

  /** Stops renewing without releasing anything: what a crashed process leaves behind (tests). */
  abandon(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    await this.heartbeat();
    for (const shardId of [...this.held]) {
      if ((await this.redis.eval(ACQUIRE, 1, this.leaseKey(shardId), this.owner, this.ttlMs)) === 1) continue;
      this.held.delete(shardId);
      this.onLost(shardId);
    }
  }

  private leaseKey(shardId: string): string {
    return `${this.base}:lease:${shardId}`;
  }
}
