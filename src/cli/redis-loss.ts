import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { isConnectionError } from '../redis/outage.js';
import { printErr } from './context.js';

const POLL_MS = 250;

/** A command that failed because the connection went (ioredis gives up on it after its retries). */
function lostRedis(err: unknown): boolean {
  return isConnectionError(err) || (err as Error | undefined)?.name === 'MaxRetriesPerRequestError';
}

/**
 * For the commands that run until interrupted (`logs --follow`, `status --watch`): a lost Redis
 * (restarted, or the hub's embedded server restarted by its supervisor) is waited out, said once on
 * stderr each way, while the connection reconnects; anything else, or an interruption, is rethrown.
 */
export async function waitOutRedisLoss(redis: Redis, err: unknown, interrupted: AbortSignal): Promise<void> {
  if (interrupted.aborted || !lostRedis(err)) throw err;
  printErr(`triggerhub: redis unavailable (${isConnectionError(err) ? (err as Error).message : 'connection lost'}); waiting for it (Ctrl-C stops)`);
  while (!interrupted.aborted && redis.status !== 'ready') await delay(POLL_MS, undefined, { signal: interrupted }).catch(() => undefined);
  if (!interrupted.aborted) printErr('triggerhub: redis available again');
}
