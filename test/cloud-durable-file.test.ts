import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendFileDurably, removeStaleTemps, writeFileDurably, writeFileDurablyAsync } from '../src/cloud/durable-file.js';
import { tempDir } from './helpers/hub.js';

/** Reads what an open descriptor's file holds now (from the start). */
function readFd(fd: number): string {
  const chunks: Buffer[] = [];
  for (let position = 0; ;) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, position);
    if (!n) return Buffer.concat(chunks).toString('utf8');
    chunks.push(chunk.subarray(0, n));
    position += n;
  }
}

/** The local cloud's one way to write its journal and snapshots so that they survive a power loss. */
const WRITERS: Array<[string, (file: string, data: string) => Promise<void>]> = [
  ['writeFileDurably', async (file, data) => writeFileDurably(file, data)],
  ['writeFileDurablyAsync', writeFileDurablyAsync],
];

describe.each(WRITERS)('%s', (_name, write) => {
  it('creates the file (and its directory) and leaves no temporary file beside it', async () => {
    const file = path.join(tempDir('th-durable-'), 'cloud', 'state.json');
    await write(file, '{"v":1}');
    expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('replaces an existing file whole: a reader that opened the old one still reads all of the old content', async () => {
    const file = path.join(tempDir('th-durable-'), 'journal.jsonl');
    const old = `${'old line\n'.repeat(20_000)}`;
    writeFileSync(file, old);
    const reader = openSync(file, 'r');
    try {
      await write(file, 'new\n');
      // Written in place (truncate, then write) this reader would see `new\n` or nothing: a rename
      // leaves the old file whole under it.
      expect(readFd(reader)).toBe(old);
    } finally {
      closeSync(reader);
    }
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(path.dirname(file))).toEqual(['journal.jsonl']);
  });

  it('leaves what was there and no temporary file when the rename fails (as after a crash before it)', async () => {
    const dir = tempDir('th-durable-');
    // A directory where the file should go: the temporary file is written, the rename is refused.
    const target = path.join(dir, 'snapshot.json');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'kept');
    await expect(write(target, 'never seen')).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(readdirSync(dir)).toEqual(['snapshot.json']);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('kept');
  });
});

describe('appendFileDurably', () => {
  it('creates the file on the first append, appends after, and appends to the file that a rewrite put in place', () => {
    const file = path.join(tempDir('th-durable-'), 'outbox.jsonl');
    appendFileDurably(file, 'a\n');
    appendFileDurably(file, 'b\n');
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
    const before = openSync(file, 'r');
    try {
      writeFileDurably(file, 'b\n');
      appendFileDurably(file, 'c\n');
      expect(readFileSync(file, 'utf8')).toBe('b\nc\n');
      // Nothing went to the file the rewrite replaced.
      expect(readFd(before)).toBe('a\nb\n');
    } finally {
      closeSync(before);
    }
  });

  it('throws when the file cannot be opened (nothing is acknowledged on a failed append)', () => {
    const dir = tempDir('th-durable-');
    mkdirSync(path.join(dir, 'outbox.jsonl'));
    expect(() => appendFileDurably(path.join(dir, 'outbox.jsonl'), 'a\n')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});

describe('removeStaleTemps', () => {
  it("removes the temporary files of writers that are gone, and keeps a live writer's and other files", () => {
    const dir = tempDir('th-durable-');
    const file = path.join(dir, 'snapshot.json');
    const gone = spawnSync(process.execPath, ['-e', '']).pid; // exited by now
    for (const name of ['snapshot.json', `snapshot.json.${gone}.tmp`, `snapshot.json.${gone}.sync.tmp`, `snapshot.json.${process.pid}.tmp`, `snapshot.json.${process.pid}.sync.tmp`, 'snapshot.json.corrupt-1.tmp', 'other.json.1.tmp']) {
      writeFileSync(path.join(dir, name), '{}');
    }
    removeStaleTemps(file);
    expect(readdirSync(dir).sort()).toEqual(['other.json.1.tmp', 'snapshot.json', `snapshot.json.${process.pid}.tmp`, `snapshot.json.${process.pid}.sync.tmp`, 'snapshot.json.corrupt-1.tmp'].sort());
    removeStaleTemps(path.join(dir, 'missing', 'x.json')); // no directory: nothing to do
  });
});
