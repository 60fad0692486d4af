import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { processRunning } from '../pid.js';
import { freePort } from '../ports.js';
import { backoffDelay } from '../sources/kit/backoff.js';
import { ADOPT_WAIT_MS, killQuietly, mayBeRedis, serverDir, waitGone, waitReady } from './server-process.js';


export interface EmbeddedRedisOptions {
  /** Directory for AOF data and the state file. */
  dir: string;
  appendfsync: 'always' | 'everysec' | 'no';
  logger: Logger;
  /** Binary to run; tests point it elsewhere to check the missing-binary error. */
  binary?: string;
  /**
   * Start the server again (same port, same AOF) when it dies while in use: the hub's clients
   * reconnect to it. Off for the CLI's short-lived servers.
   */
  supervise?: boolean;
}

interface State { pid: number; port: number }

/**
 * The redis-server the hub starts when no `redis` URL is configured: AOF on, noeviction, a free
 * loopback port, data in `<dataDir>/redis`. A state file records pid and port so that after a hub
 * crash (kill -9 leaves the child running) the next start adopts the still-running server instead
 * of starting a second one on the same files; if it is gone, a new one replays the AOF.
 */
export class EmbeddedRedis {
  private child?: ChildProcess;
  private state?: State;
  private stopping?: Promise<void>;
  private wasAdopted = false;
  private poll?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  /** Stopping or stopped: a server that exits is not started again. */
  private stopped = false;

  constructor(private readonly options: EmbeddedRedisOptions) {}

  /** True when start() found a server of an earlier run still serving this directory. */
  get adopted(): boolean {
    return this.wasAdopted;
  }

  get url(): string {
    if (!this.state) throw new Error('embedded redis not started');
    return `redis://127.0.0.1:${this.state.port}`;
  }

  private get stateFile(): string {
    return path.join(this.options.dir, 'triggerhub-redis.json');
  }

  async start(): Promise<string> {
    mkdirSync(this.options.dir, { recursive: true });
    const adopted = await this.adopt();
    if (adopted) {
      this.options.logger.info({ event: 'redis_adopted', port: adopted.port, pid: adopted.pid }, 'reusing embedded redis-server left by an earlier run');
      this.state = adopted;
      this.wasAdopted = true;
      this.watch();
      return this.url;
    }
    const port = await freePort();
    this.state = { pid: await this.spawnServer(port), port };
    this.options.logger.info({ event: 'redis_started', port, dir: this.options.dir }, 'embedded redis-server started');
    this.watch();
    return this.url;
  }

  /** Starts redis-server on `port` and waits until it is ready; its pid. */
  private async spawnServer(port: number): Promise<number> {
    // Its own process group (detached): a terminal's Ctrl-C reaches the hub only, which drains with
    // Redis still up and then stops it. After a kill -9 of the hub it keeps running and is adopted.
    const child = spawn(this.options.binary ?? 'redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', this.options.dir,
      '--appendonly', 'yes', '--appendfsync', this.options.appendfsync, '--save', '',
      '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--daemonize', 'no',
    ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    // Recorded before it is ready: a hub killed (kill -9, an early Ctrl-C) while the server starts
    // leaves a server the next start adopts, instead of one nobody knows serving this directory
    // beside the next start's own.
    if (child.pid !== undefined) writeFileSync(this.stateFile, JSON.stringify({ pid: child.pid, port } satisfies State));
    try {
      await waitReady(child, port);
    } catch (err) {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(this.stateFile, { force: true });
      throw err;
    }
    return child.pid!;
  }

  /**
   * With `supervise`: a server that dies while in use (killed, crashed) is started again on its
   * port after a backoff (1 s doubling to 30 s while it keeps failing), replaying its AOF; the
   * hub's clients reconnect. Watched by its exit event, or (adopted) its pid once a second.
   */
  private watch(): void {
    if (!this.options.supervise || this.stopped) return;
    if (this.child) {
      this.child.once('exit', (code, signal) => this.lost(`exited (${signal ?? `code ${code}`})`));
      return;
    }
    const pid = this.state!.pid;
    this.poll = setInterval(() => {
      if (processRunning(pid)) return;
      clearInterval(this.poll);
      this.lost('is gone');
    }, 1000).unref();
  }

  private lost(how: string): void {
    if (this.stopped) return;
    const { port } = this.state!;
    this.child = undefined;
    this.options.logger.warn({ event: 'redis_exited', port, how }, `embedded redis-server ${how}: starting it again on port ${port}`);
    void this.restart(port, 1);
  }

  /** The `failures`-th try to start it again, after the sources' backoff (1 s doubling to 30 s). */
  private async restart(port: number, failures: number): Promise<void> {
    await new Promise((resolve) => { this.retry = setTimeout(resolve, backoffDelay(failures)); });
    if (this.stopped) return;
    try {
      this.state = { pid: await this.spawnServer(port), port };
    } catch (err) {
      if (this.stopped) return;
      this.options.logger.warn({ event: 'redis_restart_failed', port, message: (err as Error).message.split('\n')[0], retryInMs: backoffDelay(failures + 1) }, 'could not start the embedded redis-server again; retrying');
      void this.restart(port, failures + 1);
      return;
    }
    this.options.logger.warn({ event: 'redis_restarted', port, pid: this.state.pid }, 'embedded redis-server started again (its append-only file replayed)');
    this.watch();
  }

  /** A forced stop: SIGTERM now (redis-server then writes its AOF and exits by itself). */
  terminate(): void {
    this.unwatch();
    if (this.state) killQuietly(this.state.pid);
  }

  /** Shuts the server down (SHUTDOWN keeps the AOF consistent). Idempotent. */
  stop(): Promise<void> {
    this.unwatch();
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Nothing is started again from now on. */
  private unwatch(): void {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
  }

  private async shutdown(): Promise<void> {
    if (!this.state) return;
    const client = new Redis(this.state.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const exited = this.child && this.child.exitCode === null && this.child.signalCode === null
      ? new Promise<void>((resolve) => this.child!.once('exit', () => resolve()))
      : Promise.resolve();
    try {
      await client.connect();
      await client.call('SHUTDOWN').catch(() => undefined);
    } catch {
      if (!this.child) killQuietly(this.state.pid);
    } finally {
      client.disconnect();
    }
    if (this.child) {
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    } else {
      await waitGone(this.state.pid);
    }
    rmSync(this.stateFile, { force: true });
    this.options.logger.info({ event: 'redis_stopped' }, 'embedded redis-server stopped');
  }

  private async adopt(): Promise<State | undefined> {
    let state: State;
    try {
      state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as State;
    } catch {
      return undefined;
    }
    // A server still starting (its hub was killed before it was ready) answers within moments; a
    // recorded pid now used by another program is not waited for.
    for (const until = Date.now() + ADOPT_WAIT_MS; processRunning(state.pid) && mayBeRedis(state.pid);) {
      const dir = await serverDir(state.port);
      if (dir !== undefined) return path.resolve(dir) === path.resolve(this.options.dir) ? state : undefined;
      if (Date.now() > until) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  }
}
