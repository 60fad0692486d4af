import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { waitFor } from './hub.js';

/**
 * `triggerhub up` as a user runs it (bin/triggerhub.js, embedded redis-server), in a process group
 * of its own like a terminal's foreground job, so that `process.kill(-pid)` is Ctrl-C. `args`
 * default to `--config <dir>/triggerhub.yaml up`; the working directory is `dir`.
 */
export class UpProcess {
  /** Every hub started, so a failed test leaves none behind (afterEach). */
  static readonly started = new Set<UpProcess>();
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(readonly dir: string, args = ['--config', path.join(dir, 'triggerhub.yaml'), 'up']) {
    this.child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/triggerhub.js'), ...args], {
      cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRIGGERHUB_LOG_LEVEL: 'info' },
    });
    this.child.stdout!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    UpProcess.started.add(this);
  }

  /** After a failed test: the hub's process group and its redis-server (a session of its own), at once. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
    try { process.kill(redisPid(this.dir).pid, 'SIGKILL'); } catch { /* none started, or gone */ }
  }

  /** The URL the hub logs once it listens. */
  async url(): Promise<string> {
    const started = () => this.events().find((e) => e.event === 'hub_started') as { url?: string } | undefined;
    return waitFor(() => started()?.url, 60_000, 'hub start').catch((err: Error) => { throw new Error(`${err.message}\n${this.output}`); });
  }

  /** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
  ctrlC(): void {
    this.signalGroup('SIGINT');
  }

  /** A signal to every process of the group, as a terminal (or its shell) sends it to its foreground job. */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.child.pid!, signal);
  }

  /** Resolves once the hub has logged a line with this `event`. */
  logged(event: string, timeoutMs = 30_000): Promise<unknown> {
    return waitFor(() => this.events().some((e) => e.event === event), timeoutMs, event)
      .catch((err: Error) => { throw new Error(`${err.message}\n${this.output}`); });
  }

  events(): Array<{ level: number; event?: string; pid?: number; msg?: string }> {
    return this.output.split('\n').filter((line) => line.startsWith('{') && line.endsWith('}')).map((line) => JSON.parse(line));
  }

  environmentPids(): number[] {
    return this.events().filter((e) => e.event === 'environment_start').map((e) => e.pid!);
  }

  /** Lines that are not the hub's JSON log, or are at error level or above. */
  problems(): string[] {
    const lines = this.output.split('\n').filter(Boolean);
    return lines.filter((line) => !line.startsWith('{') || (JSON.parse(line) as { level: number }).level >= 50);
  }
}

/** The embedded redis-server `up` started for `dir` (its data dir `.triggerhub`). */
export const redisPid = (dir: string) => (JSON.parse(readFileSync(path.join(dir, '.triggerhub/redis/triggerhub-redis.json'), 'utf8')) as { pid: number; port: number });
