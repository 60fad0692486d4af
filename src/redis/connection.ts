import { Redis, type RedisOptions } from 'ioredis';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { installFastCommand } from './fast-command.js';

// Before any client is made: ioredis then builds every command (BullMQ's scripts too) without
// Array#flat's cost (see fast-command.ts).
installFastCommand();

/** Options BullMQ needs on every connection it is handed. */
export const BULLMQ_REDIS_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };

/** The oldest Redis BullMQ runs on. */
const MIN_REDIS_VERSION = [5, 0, 0];

/**
 * Options for every BullMQ Queue and Worker: checkRedis has checked the server's version once at
 * start, so BullMQ's own per-connection INFO is skipped (a hub stopped while a worker connection
 * was still initialising left that INFO's rejection unhandled).
 */
export const BULLMQ_OPTIONS = { skipVersionCheck: true } as const;

export function redisClient(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { ...BULLMQ_REDIS_OPTIONS, ...extra });
}

/** Connects once and fails with a clear error instead of retrying forever; checks version and eviction policy. */
export async function checkRedis(url: string, logger: Logger): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  client.on('error', () => undefined);
  try {
    let version: string | undefined;
    let policy: string | undefined;
    let aof: string | undefined;
    try {
      await client.connect();
      version = /^redis_version:(\S+)/m.exec(await client.info('server'))?.[1];
      policy = await readPolicy(client);
      aof = /^aof_enabled:(\d)/m.exec(await client.info('persistence'))?.[1];
    } catch (cause) {
      throw new HubError('TH_ERR_REDIS_UNREACHABLE', `cannot reach redis at ${redact(url)}: ${(cause as Error).message}`, { cause });
    }
    if (version && olderThan(version, MIN_REDIS_VERSION)) {
      throw new HubError('TH_ERR_REDIS_VERSION', `redis at ${redact(url)} is version ${version}; the hub (BullMQ) needs ${MIN_REDIS_VERSION.join('.')} or later`);
    }
    if (policy !== undefined && policy !== 'noeviction') {
      logger.warn({ event: 'redis_eviction_policy', policy },
        `redis maxmemory-policy is "${policy}": Redis may evict queued events under memory pressure; set it to "noeviction"`);
    }
    if (aof === '0') {
      logger.warn({ event: 'redis_no_append_only' },
        'redis appendonly is off: if it restarts, what was written since its last snapshot (queued events, stream checkpoints, DLQ records) is lost; set appendonly yes');
    }
  } finally {
    client.disconnect();
  }
}

function olderThan(version: string, minimum: number[]): boolean {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (const [i, want] of minimum.entries()) {
    if ((parts[i] ?? 0) !== want) return (parts[i] ?? 0) < want;
  }
  return false;
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
