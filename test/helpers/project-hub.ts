import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { startHub, type Hub } from '../../src/hub.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { tempDir } from './paths.js';

export const PROJECTS = fileURLToPath(new URL('../fixtures/projects/', import.meta.url));

/**
 * A hub running a project (`template:` or `serverless:` given as an absolute path) on the suite's
 * Redis, with its local cloud's data in a fresh directory.
 */
export async function startProjectHub(raw: Record<string, unknown>, options: { dataDir?: string; logger?: Logger } = {}): Promise<Hub> {
  const config = buildConfig({
    redis: inject('redisUrl'),
    queuePrefix: `t-${randomUUID().slice(0, 8)}`,
    server: { port: 0, host: '127.0.0.1' },
    lockDurationSeconds: 2,
    shutdownTimeoutSeconds: 5,
    dataDir: options.dataDir ?? tempDir('th-cloud-'),
    ...raw,
  }, { baseDir: process.cwd() });
  return startHub(config, { logger: options.logger ?? (process.env.TH_TEST_LOG ? createLogger({ pretty: false }) : silentLogger()) });
}
