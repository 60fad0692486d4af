import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the console's bundle (scripts/build-console.ts). */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL('../../dist/console-ui/', import.meta.url));

const TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
]);

interface Asset { body: Buffer; type: string }

/** The built files, read once (a handful of small files; names are looked up in a Map, never as paths). */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of ['index.html', 'app.js', 'app.css', 'app.js.map', 'app.css.map']) {
    const file = path.join(dir, name);
    if (existsSync(file)) assets.set(name, { body: readFileSync(file), type: TYPES.get(path.extname(name)) ?? 'application/octet-stream' });
  }
  return assets;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>triggerhub console</title>
<p>The console is not built. Run <code>npm run build</code> (it bundles console/ into dist/console-ui/) and reload.</p>`;

/**
 * `/console` (the page shell) and `/console/assets/<file>`. The shell and assets hold no data and
 * need no token; the page asks for the admin token when the API says 401.
 */
export function registerAssets(app: FastifyInstance, dir = CONSOLE_BUILD_DIR): void {
  const assets = loadAssets(dir);
  app.get('/console', async (_request, reply) => {
    const page = assets.get('index.html');
    if (!page) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type(page.type).header('cache-control', 'no-cache').send(page.body);
  });
  app.get<{ Params: { file: string } }>('/console/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset || request.params.file === 'index.html') return reply.code(404).send({ error: 'TH_ERR_CONSOLE_NOT_FOUND', message: `no console asset ${JSON.stringify(request.params.file)}` });
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });
}
