import { existsSync, readFileSync, renameSync } from 'node:fs';
import type { z } from 'zod';
import type { Logger } from '../log.js';
import { removeStaleTemps, writeFileDurably, writeFileDurablyAsync } from './durable-file.js';

/**
 * A JSON snapshot of in-memory state kept in one file, as LocalStack's persistence keeps its
 * services': read once at start; written after changes (debounced: `changed()` schedules a write
 * `delayMs` later, changes meanwhile join it) and on `close()`. Each write is `writeFileDurablyAsync`'s
 * (temporary file, fsync, rename, fsync of the directory), so the file is always a whole snapshot,
 * the previous or the new one, even after a kill -9 or a power loss in the middle of a write.
 */
export const SNAPSHOT_DELAY_MS = 500;

export class SnapshotFile {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed: Promise<void> | undefined;
  private lastWritten: string | undefined;

  constructor(
    readonly file: string,
    private readonly take: () => unknown,
    private readonly log: Logger,
    private readonly delayMs = SNAPSHOT_DELAY_MS,
  ) {}

  /**
   * The snapshot the file holds, or undefined when there is none. A file that is not a snapshot
   * (unreadable, not JSON, wrong shape) is moved aside to `<file>.corrupt-<time>` and logged, and the
   * state starts empty: a bad file never stops the hub from starting (LocalStack, too, logs a
   * snapshot it cannot load and starts without it), and nothing is overwritten.
   */
  read<T>(schema: z.ZodType<T>): T | undefined {
    removeStaleTemps(this.file);
    if (!existsSync(this.file)) return undefined;
    let problem: string;
    try {
      const parsed = schema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      problem = `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.file, aside);
    this.log.error({ event: 'cloud_snapshot_unreadable', file: this.file, movedTo: aside, problem },
      `${this.file} is not a usable snapshot (${problem}); moved to ${aside}, starting empty`);
    return undefined;
  }

  /** Schedules a write (no-op after close). */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.delayMs).unref();
  }

  /** Writes what is pending now and stops scheduling. Idempotent. */
  close(): Promise<void> {
    return (this.closed ??= (async () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.dirty = true;
      await this.save();
    })());
  }

  /**
   * A forced stop (the process exits right after, a second Ctrl-C): writes the state now,
   * synchronously, whatever a debounced or asynchronous write would have done, and stops scheduling.
   * A failure is logged, not thrown: the process is exiting.
   */
  writeNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closed ??= Promise.resolve();
    try {
      writeFileDurably(this.file, JSON.stringify(this.take()));
    } catch (err) {
      this.log.error({ event: 'cloud_snapshot_write_failed', file: this.file, err }, `could not write ${this.file}`);
    }
  }

  /**
   * One write at a time; the state is serialized when its turn comes, so the latest is written (and
   * not written again when nothing changed: an empty long poll counts as a change).
   */
  private save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const text = JSON.stringify(this.take());
      if (text === this.lastWritten) return;
      await writeFileDurablyAsync(this.file, text);
      this.lastWritten = text;
    }).catch((err: unknown) => {
      this.log.error({ event: 'cloud_snapshot_write_failed', file: this.file, err }, `could not write ${this.file}; the next change tries again`);
    });
    return this.writing;
  }
}
