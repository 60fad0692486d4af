import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { buildConfig, loadConfigFile, type HubConfig } from '../config/load.js';
import { projectOverrides, type ProjectOptions } from './project-options.js';
import { HubError, isHubError } from '../errors.js';
import { silentLogger } from '../log.js';
import { redact, redisClient } from '../redis/connection.js';
import { EmbeddedRedis } from '../redis/embedded.js';
import { embeddedRedisDir } from '../hub.js';
import { httpUrl } from '../ports.js';
import type { Redis } from 'ioredis';

/** Exit codes scripts can rely on (documented in the README). */
export const EXIT = {
  ok: 0,
  /** The function returned an error, or the operation failed. */
  failed: 1,
  /** Bad usage or bad config. */
  usage: 2,
  /** The hub or its Redis could not be reached. */
  unreachable: 3,
} as const;

export class CliExit extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}

export interface GlobalOptions extends ProjectOptions { config: string }

/** The config file; with --template / --serverless and no config file, the project alone (hub defaults, data dir in the working directory). */
export function loadConfig(options: GlobalOptions): HubConfig {
  const overrides = projectOverrides(options);
  if (overrides.template === undefined && overrides.serverless === undefined) return loadConfigFile(options.config, process.env, overrides);
  if (existsSync(options.config)) return loadConfigFile(options.config, process.env, overrides);
  return buildConfig(overrides, { baseDir: process.cwd() });
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CliExit) return err.exitCode;
  if (isHubError(err)) {
    if (err.code.startsWith('TH_ERR_CONFIG')) return EXIT.usage;
    if (err.code === 'TH_ERR_REDIS_UNREACHABLE' || err.code === 'TH_ERR_HUB_UNREACHABLE') return EXIT.unreachable;
    if (err.code === 'TH_ERR_REDIS_NOT_INSTALLED') return EXIT.unreachable;
  }
  return EXIT.failed;
}

/** What `up` writes so other commands find the running hub (its port may be chosen at start). */
export function hubStateFile(config: HubConfig): string {
  return path.join(config.dataDir, 'hub.json');
}

export function hubEndpoint(config: HubConfig, explicit?: string): string {
  if (explicit) return explicit.replace(/\/$/, '');
  if (process.env.TRIGGERHUB_ENDPOINT) return process.env.TRIGGERHUB_ENDPOINT.replace(/\/$/, '');
  const file = hubStateFile(config);
  if (existsSync(file)) {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { url: string }).url;
    } catch { /* fall through to the configured address */ }
  }
  return httpUrl(config.server.host, config.server.port);
}

/**
 * Runs `work` with a connection to the hub's Redis: the configured URL, or the embedded server
 * (adopted when the hub runs; started for the command and stopped after, when it does not).
 * SIGINT/SIGTERM from the moment it is called abort `signal` instead of killing the process, so a
 * server started for the command is always stopped: work that runs until interrupted
 * (`untilInterrupted`: status --watch, logs --follow) ends on it and the command exits 0; other
 * work stops where it can (a redrive between records) and the command then exits 130 / 143.
 */
export async function withRedis<T>(
  config: HubConfig,
  work: (redis: Redis, signal: AbortSignal) => Promise<T>,
  options: { untilInterrupted?: boolean } = {},
): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let embedded: EmbeddedRedis | undefined;
  try {
    let url = config.redis;
    if (!url) {
      embedded = new EmbeddedRedis({ dir: embeddedRedisDir(config), appendfsync: config.embeddedRedis.appendfsync, logger: silentLogger() });
      url = await embedded.start();
    }
    // A one-shot command fails fast; one that runs until interrupted reconnects (see waitOutRedisLoss).
    const retryStrategy = options.untilInterrupted ? (times: number) => Math.min(200 * times, 2000) : () => null;
    const redis = redisClient(url, { maxRetriesPerRequest: 1, retryStrategy });
    redis.on('error', () => undefined);
    try {
      await redis.ping().catch((cause: unknown) => {
        const fix = embedded ? '' : ': start it, or fix `redis:` in the config';
        throw new HubError('TH_ERR_REDIS_UNREACHABLE', `cannot reach redis at ${redact(url)}: ${(cause as Error).message}${fix}`, { cause });
      });
      return await work(redis, interrupt.signal);
    } finally {
      redis.disconnect();
    }
  } finally {
    if (embedded && !embedded.adopted) await embedded.stop();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (interrupt.signal.aborted && !options.untilInterrupted) {
      const signal = interrupt.signal.reason as NodeJS.Signals;
      // The interruption is the outcome, whatever work returned.
      throw new CliExit(128 + constants.signals[signal], `interrupted (${signal})`);
    }
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printErr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
