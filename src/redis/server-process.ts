import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import { processRunning } from '../pid.js';

/** The embedded redis-server's process: readiness, identity, stopping (see embedded.ts). */

/** How long a start waits for a recorded server whose process runs but does not answer yet. */
export const ADOPT_WAIT_MS = 8000;

/** Whether the process may be a redis-server (its command line names it; without /proc: maybe). */
export function mayBeRedis(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/** The `dir` of the redis-server on this loopback port; undefined when none answers. */
export async function serverDir(port: number): Promise<string | undefined> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [, dir] = (await client.config('GET', 'dir')) as [string, string];
    return dir;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

export function waitReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (err: HubError) => { clearTimeout(timer); reject(err); };
    const timer = setTimeout(() => fail(new HubError('TH_ERR_REDIS_START_FAILED', `redis-server on port ${port} was not ready after 15 s:\n${output.slice(-2000)}`)), 15_000);
    child.once('error', (cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') {
        fail(new HubError('TH_ERR_REDIS_NOT_INSTALLED', 'redis-server is not installed: install the Debian package "redis-server" (apt-get install redis-server), or set `redis: redis://host:port` in the config', { cause }));
      } else {
        fail(new HubError('TH_ERR_REDIS_START_FAILED', `cannot start redis-server: ${cause.message}`, { cause }));
      }
    });
    child.once('exit', (code) => fail(new HubError('TH_ERR_REDIS_START_FAILED', `redis-server exited with code ${code} before it was ready:\n${output.slice(-2000)}`)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  });
}


export function killQuietly(pid: number): void {
  try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
}

export async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && processRunning(pid); i += 1) await new Promise((r) => setTimeout(r, 50));
}
