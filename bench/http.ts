/**
 * Function URL benchmark (`npm run bench:http`): requests/s and latency of a function URL to a
 * no-op handler, beside a plain Node HTTP server answering the same request in the same run.
 * Prints its figures; asserts nothing. BENCH_SECONDS (default 8) sets each phase's duration.
 */
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
// The compiled hub, as `npm start` runs it.
import { buildConfig } from '../dist/config/load.js';
import { startHub } from '../dist/hub.js';
import { silentLogger } from '../dist/log.js';
import { EmbeddedRedis } from '../dist/redis/embedded.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;

function report(name: string, result: autocannon.Result): void {
  console.log(`${name.padEnd(22)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   (${result.non2xx} non-2xx, ${result.errors} errors)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'th-bench-http-'));
  writeFileSync(path.join(dir, 'noop.mjs'), 'export const handler = async () => ({ statusCode: 200, body: "ok" });\n');
  const redis = new EmbeddedRedis({ dir: path.join(dir, 'redis'), appendfsync: 'everysec', logger: silentLogger() });
  const hub = await startHub(buildConfig({
    redis: await redis.start(), server: { port: 0 }, functions: { noop: { handler: 'noop.handler' } },
  }, { baseDir: dir }), { logger: silentLogger() });
  const plain = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('ok'));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const plainUrl = `http://127.0.0.1:${(plain.address() as { port: number }).port}/`;
  console.log(`function URL benchmark: ${SECONDS} s per phase, ${CONNECTIONS} connections, node ${process.version}`);
  try {
    await fetch(`${hub.url}/urls/noop`); // one warm environment
    const run = (url: string) => autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
    report('plain node http', await run(plainUrl));
    report('function URL (no-op)', await run(`${hub.url}/urls/noop/path?q=1`));
  } finally {
    plain.close();
    await hub.stop();
    await redis.stop();
  }
}

await main();
