import { redriveMany, redriveOne } from '../dlq/redrive.js';
import { DlqStore, type DlqFilter, type DlqReason } from '../dlq/store.js';
import { EventQueues } from '../router/queues.js';
import { CliExit, EXIT, loadConfig, print, withRedis, type GlobalOptions } from './context.js';
import { table } from './functions.js';

export interface DlqOptions extends GlobalOptions {
  function?: string;
  reason?: DlqReason;
  limit?: string;
  json?: boolean;
  all?: boolean;
  to?: string;
}

function filterOf(options: DlqOptions): DlqFilter {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new CliExit(EXIT.usage, '--limit must be a positive integer');
  return { function: options.function, reason: options.reason, limit };
}

export async function dlqList(options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  const records = await withRedis(config, (redis) => new DlqStore(redis, config.queuePrefix).list(filterOf(options)));
  if (options.json) return print(JSON.stringify(records, null, 2));
  print(table(['ID', 'FUNCTION', 'REASON', 'ATTEMPTS', 'FAILED AT', 'LAST ERROR'], records.map((r) => {
    const last = r.attempts[r.attempts.length - 1];
    return [r.id, r.function, r.reason, String(r.attempts.length), r.failedAt, last ? `${last.errorType}: ${last.errorMessage}`.slice(0, 60) : '-'];
  })));
}

export async function dlqShow(id: string, options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  const record = await withRedis(config, (redis) => new DlqStore(redis, config.queuePrefix).get(id));
  print(JSON.stringify(record, null, 2));
}

/** `dlq redrive ID` or `dlq redrive --all [--function F]`, optionally `--to FN`. */
export async function dlqRedrive(id: string | undefined, options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  if (!id && !options.all && !options.function) throw new CliExit(EXIT.usage, 'name a record id, or use --all / --function');
  if (options.to && !config.functions[options.to]) throw new CliExit(EXIT.usage, `--to: no function named ${options.to}`);
  const done = await withRedis(config, async (redis) => {
    const dlq = new DlqStore(redis, config.queuePrefix);
    const queues = new EventQueues(redis, config.queuePrefix, config.functions);
    try {
      return id ? [await redriveOne(dlq, queues, id, options.to)] : await redriveMany(dlq, queues, filterOf(options), options.to);
    } finally {
      await queues.close();
    }
  });
  print(`redriven: ${done.length}${done.length ? `\n${done.map((r) => `${r.id} -> ${options.to ?? r.function}`).join('\n')}` : ''}`);
}

export async function dlqPurge(id: string | undefined, options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  if (!id && !options.all && !options.function) throw new CliExit(EXIT.usage, 'name a record id, or use --all / --function');
  const removed = await withRedis(config, async (redis) => {
    const dlq = new DlqStore(redis, config.queuePrefix);
    if (id) {
      await dlq.get(id);
      return Number(await dlq.remove(id));
    }
    return dlq.purge(filterOf(options));
  });
  print(`purged: ${removed}`);
}
