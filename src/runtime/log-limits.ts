import type { LogLevel } from './protocol.js';

/** CloudWatch Logs' largest event, 256 KB: a longer handler line is cut here (counted in characters). */
export const MAX_LINE_CHARS = 256 * 1024;
/**
 * Handler output the hub takes from one invocation (and from an environment between invocations):
 * past it lines are dropped and counted, so a handler writing in a loop costs the hub, its stdout
 * and the Redis log stream at most this much per invocation.
 */
export const MAX_OUTPUT_CHARS = 8 * 1024 * 1024;

/** What one invocation (or one idle stretch) may still log. */
export class LogBudget {
  #left = MAX_OUTPUT_CHARS;
  /** Lines dropped once the budget was spent. */
  dropped = 0;

  /** The line as it may be logged (cut at MAX_LINE_CHARS), or undefined once the budget is spent. */
  take(line: string): string | undefined {
    if (this.#left <= 0) {
      this.dropped += 1;
      return undefined;
    }
    const kept = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
    this.#left -= kept.length;
    return kept;
  }
}

/**
 * Whole lines from a pipe read in chunks (64 KB each): a line split across chunks is joined again,
 * and one longer than MAX_LINE_CHARS is passed on cut there, the rest of it skipped, so a line
 * without end is never held whole.
 */
export class LineSplitter {
  #partial = '';
  #skipping = false;

  /** The lines `text` completes, in order (empty lines included). */
  push(text: string): string[] {
    const parts = text.split('\n');
    const last = parts.pop()!;
    const lines: string[] = [];
    for (const part of parts) {
      if (!this.#skipping) lines.push(this.#partial + part);
      this.#partial = '';
      this.#skipping = false;
    }
    if (this.#skipping) return lines;
    this.#partial += last;
    if (this.#partial.length > MAX_LINE_CHARS) {
      lines.push(this.#partial);
      this.#partial = '';
      this.#skipping = true;
    }
    return lines;
  }

  /** The text after the last line break, as a line of its own (an invocation or the process ended). */
  flush(): string {
    const rest = this.#partial;
    this.#partial = '';
    this.#skipping = false;
    return rest;
  }
}

/** A process's stdout and stderr as log lines (stderr's at ERROR), whole however the pipes chunk them. */
export class PipeLines {
  readonly #splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  readonly #emit: (level: LogLevel, line: string) => void;

  constructor(emit: (level: LogLevel, line: string) => void) {
    this.#emit = emit;
  }

  push(stream: 'stdout' | 'stderr', text: string): void {
    for (const line of this.#splitters[stream].push(text)) if (line) this.#emit(LEVELS[stream], line);
  }

  /** Emits what is left without a line break (an invocation ended: Python's `print(end='')`). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.#splitters[stream].flush();
      if (rest) this.#emit(LEVELS[stream], rest);
    }
  }
}

const LEVELS = { stdout: 'INFO', stderr: 'ERROR' } as const;
