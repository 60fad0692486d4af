/**
 * Bundles the web console (console/) into dist/console-ui/: app.js (Preact + uPlot, minified, one
 * file), app.css and index.html. Run by `npm run build`; nothing is fetched at run time (no CDN).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildConsole(outdir = path.join(root, 'dist', 'console-ui')): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: path.join(root, 'console', 'src', 'main.tsx') },
    outdir,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2020'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(path.join(root, 'console', 'index.html'), path.join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildConsole();
}
