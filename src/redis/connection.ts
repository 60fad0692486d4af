import { Redis, type RedisOptions } from 'ioredis';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';

/** Options BullMQ needs on every connection it is handed. */
export const BULLMQ_REDIS_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };

export function redisClient(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { ...BULLMQ_REDIS_OPTIONS, ...extra });
}

/** Connects once and fails with a clear error instead of retrying forever. */
export async function checkRedis(url: string, logger: Logger): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const policy = await readPolicy(client);
    if (policy !== undefined && policy !== 'noeviction') {
      logger.warn({ event: 'redis_eviction_policy', policy },
        `redis maxmemory-policy is "${policy}": Redis may evict queued events under memory pressure; set it to "noeviction"`);
    }
  } catch (cause) {
    throw new HubError('TH_ERR_REDIS_UNREACHABLE', `cannot reach redis at ${redact(url)}: ${(cause as Error).message}`, { cause });
  } finally {
    client.disconnect();
  }
}

async function readPolicy(client: Redis): Promise<string | undefined> {
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    return reply[1];
  } catch {
    return undefined; // managed Redis services may forbid CONFIG
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
}
