/** Sources retry failed polls, connections and subscriptions after 1 s, 2 s, 4 s … at most 30 s. */
export const SOURCE_BACKOFF = { baseMs: 1000, capMs: 30_000 } as const;

/** The wait before retrying after `failures` consecutive failures (1 → base, doubling, capped). */
export function backoffDelay(failures: number, baseMs: number = SOURCE_BACKOFF.baseMs, capMs: number = SOURCE_BACKOFF.capMs): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
}
