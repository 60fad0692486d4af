/**
 * The systems side by side: triggerhub as users run it (`triggerhub up`, default logging, its
 * embedded redis-server), BullMQ behind the same HTTP front in three isolation modes,
 * serverless-offline 13.9 in its two modes, and a plain node:http server (the floor), calling the
 * handler in-process or in child processes over IPC (the floor of process isolation). Each is
 * started fresh for its phase and stopped after it.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export interface Running {
  url: string;
  root: number;
  /** Processes outside the root's tree that belong to the system (a redis-server started for it). */
  extra: number[];
  redis?: Redis;
  /** Events accepted but not yet processed. */
  backlog?: () => Promise<number>;
  /** The system's stdout + stderr. */
  logFile: string;
  /** Where node --cpu-prof writes the front's profile (BENCH_PROFILE=1, triggerhub only). */
  profileDir?: string;
  stop(): Promise<void>;
}

export interface System {
  name: string;
  kind: 'async' | 'sync';
  path: string;
  headers?: Record<string, string>;
  start(dir: string): Promise<Running>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Systems and redis-servers started (each in its own session): killed if the bench exits first. */
const started = new Set<ChildProcess>();
process.once('exit', () => { for (const child of started) child.kill('SIGKILL'); });
// Ctrl-C reaches only this process (the systems lead sessions of their own): stop them, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const exits = [...started].map((child) => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }));
    void Promise.race([Promise.all(exits), sleep(20_000)]).then(() => process.exit(130));
  });
}

function launch(command: string, args: string[], options: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  const out = openSync(options.logFile, 'a');
  // Its own session, as started from a terminal of its own: with Linux's autogroup scheduling a
  // session is a CPU share, and the load generator (this process) must not share the system's.
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', out, out], env: { ...process.env, ...options.env }, detached: true });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Waits for `url` to answer; when the system exits first, the error ends with its log's last lines. */
async function ready(url: string, child: ChildProcess, name: string, logFile: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) {
      const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
      throw new Error(`${name} exited with ${child.exitCode} before it was ready; the end of ${logFile}:\n${tail}`);
    }
    const ok = await fetch(url).then((r) => r.status < 500, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${name} was not ready within 60 s (${url})`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  await gone;
  clearTimeout(timer);
}

/** A redis-server with the embedded hub's settings (AOF everysec, noeviction). */
async function redisServer(dir: string): Promise<{ child: ChildProcess; port: number; client: Redis }> {
  const port = await freePort();
  mkdirSync(path.join(dir, 'redis'), { recursive: true });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', path.join(dir, 'redis'),
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore', detached: true });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null, retryStrategy: (n) => (n > 50 ? null : 100) });
  client.on('error', () => undefined); // refused until redis-server listens; ping() waits for it
  await client.ping();
  return { child, port, client };
}

const jobCounts = (queue: Queue) => () => queue.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized', 'paused');

async function triggerhub(dir: string, hubRepo = repo, isolation: 'process' | 'thread' = 'process'): Promise<Running> {
  const port = await freePort();
  writeFileSync(path.join(dir, 'handler.mjs'), readFileSync(path.join(here, 'servers/handler.mjs')));
  writeFileSync(path.join(dir, 'triggerhub.yaml'), [
    // The isolation line only when it is not the default: a baseline from before it would refuse the key.
    `server: { port: ${port}, host: 127.0.0.1 }`, 'dataDir: data', ...(isolation === 'thread' ? ['runtime: { isolation: thread }'] : []),
    'functions:', '  noop: { handler: handler.handler }', '',
  ].join('\n'));
  const logFile = path.join(dir, 'stdout.log');
  // As a user runs it: the CLI, default (info) logging to a file, its own redis-server.
  const profileDir = process.env.BENCH_PROFILE === '1' ? path.join(dir, 'profile') : undefined;
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = launch(process.execPath, [...profile, path.join(hubRepo, 'bin/triggerhub.js'), '--config', 'triggerhub.yaml', 'up'], { cwd: dir, logFile });
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/readyz`, child, 'triggerhub', logFile);
  const state = JSON.parse(readFileSync(path.join(dir, 'data/redis/triggerhub-redis.json'), 'utf8')) as { port: number };
  const redis = new Redis({ port: state.port, host: '127.0.0.1', maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const queue = new Queue('fn-noop', { connection: redis, prefix: 'triggerhub' });
  return {
    url, root: child.pid!, extra: [], redis, backlog: jobCounts(queue), logFile, profileDir,
    stop: async () => { await queue.close(); redis.disconnect(); await terminate(child); },
  };
}

async function bullmq(dir: string, mode: 'inproc' | 'sandboxed' | 'threads'): Promise<Running> {
  const server = await redisServer(dir);
  const port = await freePort();
  const logFile = path.join(dir, 'stdout.log');
  const child = launch(process.execPath, [path.join(here, 'servers/bullmq-front.mjs'), String(server.port), String(port), mode], { cwd: here, logFile });
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/`, child, `bullmq ${mode}`, logFile);
  const queue = new Queue('noop', { connection: server.client });
  return {
    url, root: child.pid!, extra: [server.child.pid!], redis: server.client, backlog: jobCounts(queue), logFile,
    stop: async () => { await queue.close(); await terminate(child); server.client.disconnect(); await terminate(server.child); },
  };
}

async function serverlessOffline(dir: string, inProcess: boolean): Promise<Running> {
  const [port, lambdaPort] = [await freePort(), await freePort()];
  const logFile = path.join(dir, 'stdout.log');
  const args = [path.join(here, 'node_modules/serverless/bin/serverless.js'), 'offline', 'start', '--httpPort', String(port),
    '--lambdaPort', String(lambdaPort), '--host', '127.0.0.1', '--noPrependStageInUrl', ...(inProcess ? ['--useInProcess'] : [])];
  const child = launch(process.execPath, args, {
    cwd: path.join(here, 'sls'), logFile,
    env: { SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', SLS_INTERACTIVE_SETUP_DISABLE: '1' },
  });
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/noop`, child, 'serverless-offline', logFile);
  return { url, root: child.pid!, extra: [], logFile, stop: () => terminate(child) };
}

async function plainHttp(dir: string, isolated = false): Promise<Running> {
  const port = await freePort();
  const logFile = path.join(dir, 'stdout.log');
  const child = launch(process.execPath, [path.join(here, 'servers/plain-http.mjs'), String(port), ...(isolated ? ['child'] : [])], { cwd: here, logFile });
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/`, child, 'node:http', logFile);
  return { url, root: child.pid!, extra: [], logFile, stop: () => terminate(child) };
}

const EVENT = { 'x-amz-invocation-type': 'Event', 'content-type': 'application/json' };

/**
 * BENCH_BASELINE=<git revision>: the hub at that revision too ("triggerhub base"), extracted and
 * built in a temporary directory, so a change is measured against its parent in the same run.
 */
export function baseline(rev: string, root: string): System[] {
  const dir = path.join(root, 'baseline');
  mkdirSync(dir, { recursive: true });
  execSync(`git archive ${rev} | tar -x -C ${dir}`, { cwd: repo, stdio: 'inherit' });
  symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  execSync('npx tsc -p tsconfig.json', { cwd: dir, stdio: 'inherit' });
  return [
    { name: 'triggerhub base', kind: 'async', path: '/2015-03-31/functions/noop/invocations', headers: EVENT, start: (d) => triggerhub(d, dir) },
    { name: 'triggerhub base url', kind: 'sync', path: '/urls/noop', start: (d) => triggerhub(d, dir) },
  ];
}

/**
 * BENCH_THREADS=1: the hub with `runtime.isolation: thread` too ("triggerhub threads"): its
 * environments are worker threads, so their CPU is counted in the front's column.
 */
export const THREAD_SYSTEMS: readonly System[] = [
  { name: 'triggerhub threads', kind: 'async', path: '/2015-03-31/functions/noop/invocations', headers: EVENT, start: (d) => triggerhub(d, repo, 'thread') },
  { name: 'triggerhub threads url', kind: 'sync', path: '/urls/noop', start: (d) => triggerhub(d, repo, 'thread') },
];

export const SYSTEMS: readonly System[] = [
  { name: 'triggerhub', kind: 'async', path: '/2015-03-31/functions/noop/invocations', headers: EVENT, start: triggerhub },
  { name: 'bullmq in-process', kind: 'async', path: '/invoke', headers: EVENT, start: (dir) => bullmq(dir, 'inproc') },
  { name: 'bullmq sandboxed', kind: 'async', path: '/invoke', headers: EVENT, start: (dir) => bullmq(dir, 'sandboxed') },
  { name: 'bullmq threads', kind: 'async', path: '/invoke', headers: EVENT, start: (dir) => bullmq(dir, 'threads') },
  { name: 'triggerhub url', kind: 'sync', path: '/urls/noop', start: triggerhub },
  { name: 'sls-offline', kind: 'sync', path: '/noop', start: (dir) => serverlessOffline(dir, false) },
  { name: 'sls-offline in-proc', kind: 'sync', path: '/noop', start: (dir) => serverlessOffline(dir, true) },
  { name: 'node:http', kind: 'sync', path: '/noop', start: (dir) => plainHttp(dir) },
  { name: 'node:http + child', kind: 'sync', path: '/noop', start: (dir) => plainHttp(dir, true) },
];
