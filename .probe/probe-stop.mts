import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { buildConfig } from '/work/wt/fixes/src/config/load.js';
import { startHub } from '/work/wt/fixes/src/hub.js';
import { createLogger } from '/work/wt/fixes/src/log.js';
import { TestRedis } from '/work/wt/fixes/test/helpers/test-redis.js';
import { buildEnvelope, newDelivery } from '/work/wt/fixes/src/router/envelope.js';
import { EventQueues } from '/work/wt/fixes/src/router/queues.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fixes-probe-'));
const redis = await TestRedis.create(dir);
await redis.start();
const admin = new Redis(redis.url);
await admin.call('ACL', 'SETUSER', 'hub', 'on', '>pw', '+@all', '~*', '&*');
const hub = await startHub(buildConfig({
  redis: `redis://hub:pw@127.0.0.1:${redis.port}`, queuePrefix: 'p', server: { port: 0 }, lockDurationSeconds: 2,
  functions: { ok: { handler: 'echo.handler' } },
}, { baseDir: '/work/wt/fixes/test/fixtures/hub' }), { logger: createLogger({ level: 'warn' }) });
await admin.call('ACL', 'SETUSER', 'hub', 'resetkeys', '~p:d*', '~p:s*', '~p:l*', '~p:h*', '~p:c*', '~p:j*', '~p:fn-x*');
const queues = new EventQueues(admin, 'p', hub.config.functions);
await queues.enqueue(buildEnvelope({ source: 't', type: 't', data: {} }), newDelivery('ok', 'Event'));
await queues.close();
const nperm = async () => Number(/errorstat_NOPERM:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
while ((await nperm()) === 0) await new Promise((r) => setTimeout(r, 100));
await new Promise((r) => setTimeout(r, 3000));
console.log('noperm after 3s', await nperm());
const t0 = Date.now();
await hub.stop();
console.log('stop took', Date.now() - t0, 'ms');
admin.disconnect();
await redis.stop();
