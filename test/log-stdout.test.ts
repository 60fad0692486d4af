import { execFile, spawn } from 'node:child_process';
import { pbkdf2 } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { REPO_ROOT } from './helpers/paths.js';
import { waitFor } from './helpers/hub.js';

/** The hub's stdout logger in a process of its own: lines are coalesced, so what matters is that none is lost or reordered. */
const logger = (body: string) => `
import { createLogger } from './src/log.ts';
const log = createLogger({ pretty: false });
${body}
`;

const run = (script: string) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
const numbers = (stdout: string) => stdout.trim().split('\n').map((line) => (JSON.parse(line) as { n: number }).n);

describe('hub logger on stdout', () => {
  it('writes every line, in order, when the process exits right after a burst (process.exit)', async () => {
    const { stdout } = await run(logger("for (let n = 0; n < 20000; n += 1) log.info({ n }, 'line');\nprocess.exit(0);"));
    expect(numbers(stdout)).toEqual(Array.from({ length: 20000 }, (_, n) => n));
  });

  it('writes every line when the event loop empties (no explicit exit)', async () => {
    const { stdout } = await run(logger("for (let n = 0; n < 7; n += 1) log.info({ n }, 'line');"));
    expect(numbers(stdout)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('writes a few lines of a process that keeps running, without waiting for more', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', logger("log.info({ n: 1 }, 'one'); log.info({ n: 2 }, 'two');\nsetInterval(() => undefined, 1000);")], { cwd: REPO_ROOT });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    try {
      await waitFor(() => text.split('\n').length > 2, 10_000, 'the two lines on stdout');
      expect(numbers(text)).toEqual([1, 2]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('has every pending line in the file when flushSync returns (the exit path)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-log-'));
    const file = path.join(dir, 'out.log');
    const fd = openSync(file, 'w');
    try {
      const log = createLogger({ pretty: false, fd });
      for (let n = 0; n < 7; n += 1) log.info({ n }, 'line');
      // Every thread of libuv's pool busy, as in a loaded process: an asynchronous write would wait.
      const busy = Array.from({ length: 4 }, () => promisify(pbkdf2)('x', 'salt', 400_000, 32, 'sha256'));
      (log as unknown as Record<symbol, { flushSync(): void }>)[pino.symbols.streamSym].flushSync();
      expect(numbers(readFileSync(file, 'utf8'))).toEqual([0, 1, 2, 3, 4, 5, 6]);
      await Promise.all(busy);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
