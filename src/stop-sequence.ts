import { setTimeout as delay } from 'node:timers/promises';

/** What closing may take after the drain deadline, and what each step still gets once that is over. */
const STOP_GRACE_MS = 5000;
const STEP_MS = 500;

/**
 * The hub's closing steps, pushed as start-up opens things and run in reverse. Each step may take
 * until the drain deadline and STOP_GRACE_MS more; past that (Redis gone and not coming back, say:
 * its clients would wait for it for ever) a step gets STEP_MS and is then left behind, so that a
 * stop always ends.
 */
export class StopSequence {
  readonly #steps: Array<() => Promise<unknown>> = [];
  /** The drain deadline: when the sequence was made, until run() is given a drain time. */
  #deadline = Date.now();

  push(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }

  /** What is left of the drain deadline, ms (0 once it has passed). */
  untilDeadline(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  /** Runs the steps, last pushed first; with `drainMs`, the drain deadline is that far from now. */
  async run(drainMs?: number): Promise<void> {
    if (drainMs !== undefined) this.#deadline = Date.now() + drainMs;
    for (const fn of this.#steps.reverse()) {
      const budget = Math.max(STEP_MS, this.#deadline + STOP_GRACE_MS - Date.now());
      await Promise.race([fn().catch(() => undefined), delay(budget, undefined, { ref: false })]);
    }
  }
}
