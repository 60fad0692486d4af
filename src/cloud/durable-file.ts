import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { processRunning } from '../pid.js';

/**
 * Files the local cloud keeps under the data dir that must survive a power loss or an OS crash, not
 * only a kill of the hub: what these functions wrote is on the disk when they return (fsync), and a
 * new file's directory entry too. Synchronous where the journal's append runs inside the S3 request
 * that it must precede; an fsync costs about a millisecond on an SSD, more on a slow disk, so what
 * need not block the event loop (snapshots, objects) uses the asynchronous forms.
 */

/**
 * Replaces `file` with `data`, atomically and durably: written to `<file>.<pid>.sync.tmp`, fsynced,
 * renamed over `file`, then the directory fsynced (so the rename itself is on disk). A reader, a
 * kill or a power loss sees the whole old file or the whole new one, never a part. When a step fails
 * the temporary file is removed, `file` is as it was, and the error is thrown. Its temporary name is
 * not `writeFileDurablyAsync`'s: at a forced stop the last snapshot is written with this one while an
 * asynchronous write of the same file may be in flight, whose thread-pool write can still land in
 * its own temporary file as the process exits.
 */
export function writeFileDurably(file: string, data: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.sync.tmp`;
  try {
    writeSynced(temp, 'w', data, fsyncSync);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/** `writeFileDurably`, without blocking the event loop while the file is written and synced. */
export async function writeFileDurablyAsync(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncPath(dir);
}

/** fsyncs a file or directory (a directory: so that a rename or a new file in it is on the disk). */
export async function syncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Appends `data` to `file` (created when missing) and returns once it is on the disk (fdatasync:
 * the data and the file's size, not its times); creating the file also fsyncs its directory. Opened
 * per call, so a file that `writeFileDurably` replaced meanwhile is the one appended to, and no
 * descriptor outlives the call (opening is microseconds beside the sync).
 */
export function appendFileDurably(file: string, data: string): void {
  const created = !existsSync(file);
  writeSynced(file, 'a', data, fdatasyncSync);
  if (created) syncDirectory(path.dirname(file));
}

/**
 * Removes the temporary files that a write of `file` killed before its rename left behind
 * (`<file>.<pid>.tmp` or `<file>.<pid>.sync.tmp` of a process no longer running); the hub calls it
 * before it reads `file`.
 */
export function removeStaleTemps(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no directory yet: nothing was written
  }
  for (const name of names) {
    const pid = /^(\d+)(?:\.sync)?\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '')?.[1];
    if (pid && !processRunning(Number(pid))) rmSync(path.join(dir, name), { force: true });
  }
}

/** Opens `file` (`w`: truncated, `a`: appended to), writes `data`, syncs it with `sync` and closes it. */
function writeSynced(file: string, flags: 'w' | 'a', data: string, sync: (fd: number) => void): void {
  const fd = openSync(file, flags);
  try {
    writeFileSync(fd, data);
    sync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
