import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.js';
import { waitFor } from './hub.js';

/**
 * `triggerhub --config <dir>/triggerhub.yaml up` as a child process of its own (a kill -9 hits the
 * hub and nothing else); `started` resolves once it logs hub_started.
 */
export function upChild(dir: string): { child: ChildProcess; exited: Promise<void>; started: Promise<unknown>; output: () => string } {
  const child = spawnCli(['--config', path.join(dir, 'triggerhub.yaml'), 'up']);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = waitFor(() => output.includes('"event":"hub_started"'), 60_000, 'hub_started').catch((err: Error) => { throw new Error(`${err.message}\n${output}`); });
  return { child, exited, started, output: () => output };
}
