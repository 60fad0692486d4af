#!/usr/bin/env node
// Runs the compiled CLI when built (npm run build), else the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/cli.js`;
let entry = built;
if (!existsSync(built)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = `${root}src/cli.ts`;
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
