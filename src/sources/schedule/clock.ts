/** Time as the scheduler sees it: the system clock in production, a manual one in tests. */
export interface ScheduleClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: ScheduleClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Longest single wait: a longer one is re-armed, so a changed system clock is noticed. */
export const MAX_WAIT_MS = 5 * 60_000;
