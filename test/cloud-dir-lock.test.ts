import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimCloudDir } from '../src/cloud/dir-lock.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';
import { tempDir } from './helpers/paths.js';

describe('one hub per local-cloud directory', () => {
  it('claims the directory with its pid, refuses a live owner by pid, and takes over a lock whose process is gone', async () => {
    const dir = path.join(tempDir('th-cloud-lock-'), 'cloud');
    const lock = path.join(dir, 'hub.lock');
    const release = claimCloudDir(dir);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    expect(() => claimCloudDir(dir)).toThrow('another hub in this process');
    release();
    expect(existsSync(lock)).toBe(false);

    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(lock, String(other.pid));
      expect(() => claimCloudDir(dir)).toThrow(`the hub with pid ${other.pid}: give each hub its own dataDir`);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    const again = claimCloudDir(dir); // its owner is gone
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    again();
  });

  it('refuses a second project hub on the same dataDir with the reason, and lets it start once the first stopped', async () => {
    const dataDir = tempDir('th-cloud-shared-');
    const template = path.join(PROJECTS, 'sam-queue/template.yaml');
    const first = await startProjectHub({ template }, { dataDir });
    try {
      await expect(startProjectHub({ template }, { dataDir })).rejects.toThrow(/holds the embedded local cloud of another hub in this process: give each hub its own dataDir/);
    } finally {
      await first.stop();
    }
    const second = await startProjectHub({ template }, { dataDir });
    await second.stop();
  });
});
