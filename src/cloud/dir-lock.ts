import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HubError } from '../errors.js';
import { processRunning } from '../pid.js';

/** Cloud directories claimed by hubs of this process (a lock file cannot tell them apart: one pid). */
const claimed = new Set<string>();

/**
 * The embedded emulators' data (`<dataDir>/cloud`) belongs to one hub at a time: two hubs on one
 * data dir would run two s3rvers on one directory and overwrite each other's SQS/SNS snapshot and
 * notification journal. The hub that starts the first embedded emulator claims the directory with
 * `hub.lock` (its pid); another hub is refused with that pid; a lock whose process is gone (a hub
 * killed with kill -9) is taken over. Returns the release, for stop.
 */
export function claimCloudDir(dir: string): () => void {
  const resolved = path.resolve(dir);
  if (claimed.has(resolved)) throw inUse(resolved, 'another hub in this process');
  mkdirSync(resolved, { recursive: true });
  const file = path.join(resolved, 'hub.lock');
  const release = () => {
    claimed.delete(resolved);
    if (ownerOf(file) === process.pid) rmSync(file, { force: true });
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      claimed.add(resolved);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = ownerOf(file);
    if (owner !== undefined && owner !== process.pid && processRunning(owner)) throw inUse(resolved, `the hub with pid ${owner}`);
    rmSync(file, { force: true }); // left by a hub that is gone (or by this process before a restart of its hub)
  }
  throw new HubError('TH_ERR_CLOUD_START_FAILED', `could not claim ${resolved} for this hub's local cloud (${file} keeps changing)`);
}

function inUse(dir: string, owner: string): HubError {
  return new HubError('TH_ERR_CLOUD_START_FAILED', `${dir} holds the embedded local cloud of ${owner}: give each hub its own dataDir, or point endpoints: at one shared cloud`);
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
