/**
 * Keeps a repeated warning from flooding the log, per key (a rejection reason, a failing target):
 * the first occurrence of a key is loud, the next ones within `everyMs` are quiet (the caller logs
 * them at debug) and counted, and the first one after that is loud again and says how many were
 * quiet in between.
 */
export class LogWindow {
  readonly #windows = new Map<string, { until: number; quiet: number }>();

  constructor(private readonly everyMs: number, private readonly now: () => number = Date.now) {}

  /** `{ quiet }` (occurrences kept quiet since the last loud one) when this one is to be logged loudly; else undefined. */
  loud(key: string): { quiet: number } | undefined {
    const now = this.now();
    const window = this.#windows.get(key);
    if (window && now < window.until) {
      window.quiet += 1;
      return undefined;
    }
    this.#windows.set(key, { until: now + this.everyMs, quiet: 0 });
    return { quiet: window?.quiet ?? 0 };
  }

  /** The key's trouble is over: its next occurrence is loud at once. */
  forget(key: string): void {
    this.#windows.delete(key);
  }
}
