import path from 'node:path';
import { isObject } from '../own.js';


/**
 * `Metadata: { BuildMethod: esbuild, BuildProperties: { EntryPoints } }`: sam build bundles each entry
 * point to the artifact as esbuild names it (its path from the entries' common folder, `.js`), and the
 * Handler names that output (`EntryPoints: [src/handler.ts]` with `Handler: handler.handler`). The hub
 * runs the sources (a `.ts` handler is built with esbuild), so such a handler is pointed at its entry.
 */
export function esbuildHandler(metadata: unknown, handler: unknown): unknown {
  if (typeof handler !== 'string' || !isObject(metadata) || metadata.BuildMethod !== 'esbuild' || !isObject(metadata.BuildProperties)) return handler;
  const entries = metadata.BuildProperties.EntryPoints;
  const dot = handler.lastIndexOf('.');
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((entry) => typeof entry === 'string') || dot < 0) return handler;
  const modules = entries.map((entry: string) => path.posix.normalize(entry).replace(/\.[cm]?[jt]sx?$/, ''));
  const outbase = modules.map((module) => path.posix.dirname(module)).reduce(commonFolder);
  const entry = modules.find((module) => path.posix.relative(outbase, module) === path.posix.normalize(handler.slice(0, dot)));
  return entry === undefined ? handler : `${entry}${handler.slice(dot)}`;
}

function commonFolder(a: string, b: string): string {
  const left = a.split('/');
  const right = b.split('/');
  let i = 0;
  while (i < left.length && i < right.length && left[i] === right[i]) i++;
  return left.slice(0, i).join('/') || '.';
}
