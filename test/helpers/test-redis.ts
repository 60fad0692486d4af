import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/ports.js';

/**
 * A redis-server of a test's own, on a fixed port, so it can be stopped and started again (an
 * outage, a restart). `persistent: false` is a server without append-only file or snapshots: a
 * restart comes back empty, as a cache Redis does.
 */
export class TestRedis {
  #child?: ChildProcess;
  constructor(readonly port: number, readonly dir: string, readonly persistent = true) {}

  static async create(dir: string, persistent = true): Promise<TestRedis> {
    return new TestRedis(await freePort(), dir, persistent);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server unless it runs (a second one could not bind and would hide the first from stop()). */
  async start(): Promise<void> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--appendonly', this.persistent ? 'yes' : 'no', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
      child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('Ready to accept connections')) resolve(); });
    });
    child.stdout!.resume();
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
