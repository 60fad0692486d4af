import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { inject } from 'vitest';
import { buildConfig, type HubConfig } from '../../src/config/load.js';
import { startHub, type Hub } from '../../src/hub.js';
import { silentLogger } from '../../src/log.js';

import { FIXTURES } from './paths.js';

export { FIXTURES, REPO_ROOT, tempDir } from './paths.js';

/** A config on the suite's Redis with a unique queue prefix; handlers resolve under test/fixtures/hub (or `baseDir`). */
export function testConfig(raw: Record<string, unknown>, baseDir = FIXTURES): HubConfig {
  return buildConfig({
    redis: inject('redisUrl'),
    queuePrefix: `t-${randomUUID().slice(0, 8)}`,
    server: { port: 0, host: '127.0.0.1' },
    lockDurationSeconds: 2,
    shutdownTimeoutSeconds: 5,
    ...raw,
  }, { baseDir });
}

export interface TestHub extends Hub {
  lambda: LambdaClient;
}

/** `adjust` returns a changed copy of the validated (frozen) config: for what the schema would refuse. */
export async function startTestHub(
  raw: Record<string, unknown>,
  adjust?: (config: HubConfig) => HubConfig,
  baseDir = FIXTURES,
): Promise<TestHub> {
  const validated = testConfig(raw, baseDir);
  const config = adjust ? adjust(validated) : validated;
  const hub = await startHub(config, { logger: silentLogger() });
  const lambda = new LambdaClient({
    endpoint: hub.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return Object.assign(hub, { lambda });
}

/** A truthy value of T: what waitFor resolves with. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls until `check` returns a truthy value (events we cannot await directly: files, Redis). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 15_000, what = 'condition'): Promise<Truthy<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A file's complete lines: a last line still being appended (no newline yet) is left for the next read. */
export function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}

export const decoder = new TextDecoder();
export const encoder = new TextEncoder();
