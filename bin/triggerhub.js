#!/usr/bin/env node
// Runs the compiled CLI when it is built (npm run build) and up to date, else the TypeScript
// sources through tsx: in a checkout, a source edited after the last build is never run stale.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/cli.js`;

/** True when some .ts file under dir changed after `since` (epoch ms). */
function newerSource(dir, since) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory() ? newerSource(file, since) : entry.name.endsWith('.ts') && statSync(file).mtimeMs > since) return true;
  }
  return false;
}

const sources = `${root}src`;
let entry = built;
if (!existsSync(built) || (existsSync(sources) && newerSource(sources, statSync(built).mtimeMs))) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = `${root}src/cli.ts`;
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
