import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/** Each hub rewrites its record this often; one not rewritten for three beats is gone. */
export const HUB_BEAT_MS = 2000;
const HUB_STALE_MS = 3 * HUB_BEAT_MS;

export const hubsKey = (prefix: string): string => `${prefix}:hubs`;

/** One hub process on the Redis, as it describes itself. */
export interface HubRecord {
  id: string;
  url: string;
  host: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  functions: string[];
  /** Invocations running in that hub now, per function. */
  inFlight: Record<string, number>;
}

export interface HubRegistryOptions {
  redis: Redis;
  prefix: string;
  /** The same id as the hub's source-health records. */
  id: string;
  url: string;
  /** The hub's functions now (hot reload changes them). */
  functions: () => string[];
  inFlight: () => Record<string, number>;
  logger: Logger;
}

/**
 * The register of hub processes on one Redis (`<prefix>:hubs`, field = hub id): each hub rewrites
 * its record every HUB_BEAT_MS (one HSET, whatever the traffic) and removes it when it stops.
 */
export class HubRegistry {
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = new Date().toISOString();
  private beating: Promise<void> = Promise.resolve();
  private closed?: Promise<void>;

  constructor(private readonly options: HubRegistryOptions) {
    this.timer = setInterval(() => void this.beat(), HUB_BEAT_MS).unref();
    void this.beat();
  }

  private beat(): Promise<void> {
    const { redis, prefix, id, url, functions, inFlight, logger } = this.options;
    const record: HubRecord = {
      id, url, host: hostname(), pid: process.pid, startedAt: this.startedAt, updatedAt: new Date().toISOString(), functions: functions(), inFlight: inFlight(),
    };
    this.beating = this.beating.then(() => redis.hset(hubsKey(prefix), id, JSON.stringify(record)).then(() => undefined, (err: unknown) => {
      logger.warn({ event: 'hub_register_failed', message: (err as Error).message }, 'could not write the hub record; retrying');
    }));
    return this.beating;
  }

  /** Stops beating and removes the record. Idempotent. */
  close(): Promise<void> {
    clearInterval(this.timer);
    this.closed ??= this.beating.then(() => this.options.redis.hdel(hubsKey(this.options.prefix), this.options.id)).then(() => undefined, () => undefined);
    return this.closed;
  }
}

/** The live hubs (stale records are dropped from Redis as they are read). */
export async function readHubs(redis: Redis, prefix: string, now = Date.now()): Promise<HubRecord[]> {
  const raw = await redis.hgetall(hubsKey(prefix));
  const live: HubRecord[] = [];
  const stale: string[] = [];
  for (const [id, text] of Object.entries(raw)) {
    const record = JSON.parse(text) as HubRecord;
    if (now - Date.parse(record.updatedAt) > HUB_STALE_MS) stale.push(id);
    else live.push(record);
  }
  if (stale.length) await redis.hdel(hubsKey(prefix), ...stale);
  return live.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
