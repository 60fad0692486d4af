import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/** Starts one real redis-server for the whole suite; tests use unique queue prefixes. */
let child: ChildProcess | undefined;
let dir: string | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function setup(project: TestProject): Promise<void> {
  if (process.env.TRIGGERHUB_TEST_REDIS_URL) {
    project.provide('redisUrl', process.env.TRIGGERHUB_TEST_REDIS_URL);
    return;
  }
  const port = await freePort();
  dir = mkdtempSync(path.join(tmpdir(), 'th-test-redis-'));
  child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--maxmemory-policy', 'noeviction', '--dir', dir,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
    child!.once('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start redis-server (apt-get install redis-server): ${err.message}`)); });
    child!.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) { clearTimeout(timer); resolve(); }
    });
  });
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
}

export async function teardown(): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
