import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProcMemoryReader } from '../src/runtime/proc-memory.js';

describe('ProcMemoryReader', () => {
  it('reads a live process\'s RSS and peak as /proc reports them, again and again through one descriptor', () => {
    const reader = new ProcMemoryReader(process.pid);
    const first = reader.read()!;
    const rssKB = Math.round(process.memoryUsage.rss() / 1024);
    expect(first.rssKB).toBeGreaterThan(rssKB * 0.8);
    expect(first.rssKB).toBeLessThan(rssKB * 1.2);
    expect(first.peakKB).toBeGreaterThanOrEqual(first.rssKB);
    const held = Buffer.alloc(64 * 1024 * 1024, 1); // grows RSS by 64 MB
    const second = reader.read()!;
    expect(second.rssKB - first.rssKB).toBeGreaterThan(50 * 1024);
    expect(held[0]).toBe(1);
    reader.close();
    expect(reader.read()).toBeUndefined();
  });

  it('answers undefined once the process has exited, and for a pid that never ran', async () => {
    const child = spawn('sleep', ['5']);
    const reader = new ProcMemoryReader(child.pid!);
    expect(reader.read()?.rssKB).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(reader.read()).toBeUndefined();
    expect(new ProcMemoryReader(2 ** 22 + 1).read()).toBeUndefined();
  });
});
