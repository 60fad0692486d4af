import { DestinationOutbox } from '../destinations/outbox.js';
import { isNarrowing, parseDlqFilter, type DlqFilter } from '../dlq/filter.js';
import { checkRedriveTarget, parseRedriveRate, redriveMany, redriveOne, type RedriveOutcome } from '../dlq/redrive.js';
import { DlqStore } from '../dlq/store.js';
import { isHubError } from '../errors.js';
import { silentLogger } from '../log.js';
import { EventQueues } from '../router/queues.js';
import { CliExit, EXIT, loadConfig, print, printErr, withRedis, type GlobalOptions } from './context.js';
import { table } from './functions.js';

export interface DlqOptions extends GlobalOptions {
  function?: string;
  source?: string;
  reason?: string;
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
  all?: boolean;
  to?: string;
  rate?: string;
}

const FILTER_FLAGS = '--function, --source, --reason, --since, --until';

/** Bad option values are usage errors (exit 2), in the words the admin API uses too. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (isHubError(err, 'TH_ERR_DLQ_REQUEST_INVALID')) throw new CliExit(EXIT.usage, err.message.split('\n').map((line) => `--${line}`).join('\n'));
    throw err;
  }
}

function filterOf(options: DlqOptions): DlqFilter {
  const { function: fn, source, reason, since, until, limit } = options;
  return usage(() => parseDlqFilter({ function: fn, source, reason, since, until, limit }));
}

/** `ID`, or `--all` / a filter, never both and never neither. */
function targetOf(id: string | undefined, options: DlqOptions): DlqFilter {
  const filter = filterOf(options);
  const narrowed = options.all || isNarrowing(filter);
  if (id && narrowed) throw new CliExit(EXIT.usage, `name a record id or use --all / a filter (${FILTER_FLAGS}), not both`);
  if (!id && !narrowed) throw new CliExit(EXIT.usage, `name a record id, or use --all / a filter (${FILTER_FLAGS})`);
  return filter;
}

export async function dlqList(options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  const filter = filterOf(options);
  const records = await withRedis(config, (redis) => new DlqStore(redis, config.queuePrefix).list(filter));
  if (options.json) return print(JSON.stringify(records, null, 2));
  print(table(['ID', 'FUNCTION', 'SOURCE', 'REASON', 'ATTEMPTS', 'FAILED AT', 'LAST ERROR'], records.map((r) => {
    const last = r.attempts[r.attempts.length - 1];
    return [r.id, r.function, r.source, r.reason, String(r.attempts.length), r.failedAt, last ? `${last.errorType}: ${last.errorMessage}`.slice(0, 60) : '-'];
  })));
}

export async function dlqShow(id: string, options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  const record = await withRedis(config, (redis) => new DlqStore(redis, config.queuePrefix).get(id));
  print(JSON.stringify(record, null, 2));
}

/** `dlq redrive ID` or `dlq redrive --all | <filter>`, optionally `--to FN` and `--rate N`. */
export async function dlqRedrive(id: string | undefined, options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  const filter = targetOf(id, options);
  const to = usage(() => checkRedriveTarget(config.functions, options.to));
  const rate = usage(() => parseRedriveRate(options.rate));
  await withRedis(config, async (redis, interrupted) => {
    const dlq = new DlqStore(redis, config.queuePrefix);
    const queues = new EventQueues(redis, config.queuePrefix, config.functions);
    // Only its queue is used: records parked by the outbox go back into it; the hubs deliver them.
    const destinations = new DestinationOutbox({ connection: redis, prefix: config.queuePrefix, dlq, settings: config.destinationDelivery, logger: silentLogger() });
    const onRedriven = (record: { id: string }, fn: string) => print(`${record.id} -> ${fn}`);
    let outcome: RedriveOutcome;
    try {
      // Ctrl-C stops between records (each one is redriven whole or not at all).
      if (!id) outcome = await redriveMany(dlq, queues, { filter }, { to, rate, onRedriven, destinations, signal: interrupted });
      else {
        const record = await redriveOne(dlq, queues, id, to, destinations);
        onRedriven(record, to ?? record.function);
        outcome = { redriven: [record], failed: [] };
      }
    } finally {
      await Promise.all([queues.close(), destinations.stop()]);
    }
    print(`redriven: ${outcome.redriven.length}`);
    if (outcome.failed.length) {
      printErr(`failed: ${outcome.failed.length}\n${outcome.failed.map((f) => `${f.id}: ${f.error} ${f.message}`).join('\n')}`);
      process.exitCode = EXIT.failed;
    }
  });
}

export async function dlqPurge(id: string | undefined, options: DlqOptions): Promise<void> {
  const config = loadConfig(options);
  const filter = targetOf(id, options);
  const removed = await withRedis(config, async (redis) => {
    const dlq = new DlqStore(redis, config.queuePrefix);
    if (id) {
      await dlq.get(id);
      return Number(await dlq.remove(id));
    }
    return dlq.purge(filter);
  });
  print(`purged: ${removed}`);
}
