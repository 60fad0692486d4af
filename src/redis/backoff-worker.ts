import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import type { Logger } from '../log.js';
import { backoffDelay } from '../sources/kit/backoff.js';

const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 5_000;

/**
 * A BullMQ worker that backs off while Redis answers its commands with error replies (an ACL's
 * NOPERM, OOM at maxmemory, READONLY after a failover), where BullMQ's own fetch loop tries again
 * at once, thousands of times a second. On such a reply it pauses fetching (handlers already
 * running go on and keep their locks) and resumes 0.1, 0.2, 0.4 … 5 s later; a job taken, an empty
 * queue seen or a quiet spell twice the longest pause starts the series again. A resumed worker
 * looks at its queue at once: the refused fetch may have used up the queue's wake-up marker, and
 * BullMQ would otherwise wait up to 10 s for the next one. Connection errors are left to ioredis
 * and BullMQ, which already wait between tries; a healthy Redis never pauses anything. Closing
 * the worker cancels a pending resume, so shutdown does not wait for it.
 */
export class BackoffWorker<T> extends Worker<T> {
  #pauses = 0;
  #resumedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #lookNow = false;

  constructor(name: string, processor: Processor<T>, options: WorkerOptions, log: Logger) {
    super(name, processor, options);
    const succeeded = () => { this.#pauses = 0; };
    this.on('active', succeeded);
    this.on('drained', succeeded);
    this.on('closing', () => clearTimeout(this.#timer));
    this.on('error', (err: Error) => this.#refused(err, log));
  }

  #refused(err: Error, log: Logger): void {
    if (err?.name !== 'ReplyError' || this.#timer || this.closing || this.isPaused()) return;
    if (Date.now() - this.#resumedAt > 2 * MAX_PAUSE_MS) this.#pauses = 0;
    const pauseMs = backoffDelay(++this.#pauses, FIRST_PAUSE_MS, MAX_PAUSE_MS);
    log.debug({ event: 'worker_backoff', pauseMs, message: err.message }, `redis refused the queue worker; fetching again in ${pauseMs} ms`);
    void this.pause(true);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#resumedAt = Date.now();
      this.#lookNow = true;
      if (!this.closing) this.resume();
    }, pauseMs);
    this.#timer.unref();
  }

  /** The wait for the queue's marker: none right after a resume (the worker fetches at once), else BullMQ's. */
  protected override getBlockTimeout(blockUntil: number): number {
    if (!this.#lookNow) return super.getBlockTimeout(blockUntil);
    this.#lookNow = false;
    return 0;
  }
}
