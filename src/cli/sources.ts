import type { HubConfig } from '../config/load.js';
import { readJournal, type JournalEntry, type RecordOutcome } from '../sources/kit/journal.js';
import { CliExit, EXIT, loadConfig, print, withRedis, type GlobalOptions } from './context.js';
import { table } from './functions.js';

/** Journal entries read per mapping: enough for the last records of several retried batches. */
const ENTRIES_READ = 500;

/** One record's story in a mapping's journal, oldest step first. */
export interface RecordStory {
  source: string;
  shardId: string;
  sequence: string;
  /** The last thing that happened to it. */
  outcome: RecordOutcome;
  steps: Array<{ at: string; outcome: RecordOutcome; reason: string; requestId: string }>;
}

/**
 * `triggerhub sources explain FN`: for the last records each stream mapping of the function
 * (Kinesis, DynamoDB Streams) read, why it was or was not delivered: filtered out, delivered,
 * failed (and retried), sent to the on-failure destination, or dropped.
 */
export async function sourcesExplainCommand(fn: string, options: GlobalOptions & { last?: string; json?: boolean }): Promise<void> {
  const config = loadConfig(options);
  const last = Number(options.last ?? 20);
  if (!Number.isInteger(last) || last < 1 || last > 1000) throw new CliExit(EXIT.usage, `--last: must be an integer between 1 and 1000 (got ${options.last})`);
  const sources = mappingIds(config, fn);
  const stories = await withRedis(config, (redis) => explainRecords(sources, last, (source) => readJournal(redis, config.queuePrefix, source, ENTRIES_READ)));
  if (options.json) return print(JSON.stringify(stories, null, 2));
  if (!stories.length) return print(`no records journaled for ${fn} (${sources.join(', ')}) yet`);
  print(table(['SOURCE', 'SHARD', 'SEQUENCE', 'OUTCOME', 'WHY'], stories.map((story) => [
    story.source, story.shardId, story.sequence, story.outcome, why(story),
  ])));
}

/** The ids of the function's mappings that journal records. */
function mappingIds(config: HubConfig, fn: string): string[] {
  const functions = new Map(Object.entries(config.functions));
  const found = functions.get(fn);
  if (!found) throw new CliExit(EXIT.usage, `no function ${JSON.stringify(fn)} in the config (functions: ${[...functions.keys()].join(', ') || 'none'})`);
  const ids = found.events.flatMap((mapping, index) => {
    const [kind] = Object.keys(mapping);
    return JOURNALED.has(kind) ? [`${kind}:${fn}:${index}`] : [];
  });
  if (!ids.length) throw new CliExit(EXIT.usage, `${fn} has no kinesis or dynamodb mapping: only their records are journaled`);
  return ids;
}

const JOURNALED = new Set(['kinesis', 'dynamodb']);

/** The last `last` records over the mappings, each with every step the journal kept. */
export async function explainRecords(sources: string[], last: number, read: (source: string) => Promise<JournalEntry[]>): Promise<RecordStory[]> {
  const stories = new Map<string, RecordStory>();
  for (const source of sources) {
    for (const entry of await read(source)) {
      for (const sequence of entry.sequences) {
        const id = `${source}|${entry.shardId}|${sequence}`;
        const story = stories.get(id) ?? { source, shardId: entry.shardId, sequence, outcome: entry.outcome, steps: [] };
        story.outcome = entry.outcome;
        story.steps.push({ at: entry.at, outcome: entry.outcome, reason: entry.reason, requestId: entry.requestId });
        stories.set(id, story);
      }
    }
  }
  return [...stories.values()].sort((a, b) => (a.steps.at(-1)!.at < b.steps.at(-1)!.at ? -1 : 1)).slice(-last);
}

const WORDS: Record<RecordOutcome, string> = {
  filtered: 'filtered out',
  delivered: 'delivered',
  failed: 'failed',
  'on-failure': 'sent to the on-failure destination',
  dropped: 'dropped (no on-failure destination)',
};

/** `failed ×2 (Error: boom), then sent to the on-failure destination (RetryAttemptsExhausted)`. */
function why(story: RecordStory): string {
  const runs: Array<{ outcome: RecordOutcome; reason: string; times: number }> = [];
  for (const step of story.steps) {
    const run = runs.at(-1);
    if (run && run.outcome === step.outcome && run.reason === step.reason) run.times += 1;
    else runs.push({ outcome: step.outcome, reason: step.reason, times: 1 });
  }
  const text = runs.map((run) => `${WORDS[run.outcome]}${run.times > 1 ? ` ×${run.times}` : ''}${run.reason ? ` (${run.reason})` : ''}`).join(', then ');
  return story.outcome === 'failed' ? `${text}, retrying` : text;
}
