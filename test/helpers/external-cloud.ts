import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, tempDir } from './paths.js';

/**
 * An emulator started outside the hub, in a process of its own (test/fixtures/external-cloud/emulator.ts),
 * as a user's LocalStack or MinIO runs: for `endpoints:` tests.
 */
export interface ExternalEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startExternalEmulator(service: 'fauxqs' | 'kinesalite' | 's3rver'): Promise<ExternalEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/external-cloud/emulator.ts'), service, tempDir(`th-external-${service}-`)], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const [line] = await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line') as Promise<[string]>,
    exited.then(([code]) => { throw new Error(`${service} exited with code ${code} before it listened`); }),
  ]);
  return {
    endpoint: (JSON.parse(line) as { endpoint: string }).endpoint,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
