import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import type { SourceContext } from '../source.js';

/**
 * Lambda's event source mapping metrics, counted per mapping: records polled, filtered out,
 * included in invocations, included in failed invocations, and given up (to the on-failure
 * destination or dropped). Reported as increments through the source's health.
 */
export interface MappingCounts {
  polled: number;
  filteredOut: number;
  invoked: number;
  failed: number;
  dropped: number;
}

export const ZERO_COUNTS: MappingCounts = { polled: 0, filteredOut: 0, invoked: 0, failed: 0, dropped: 0 };

export function addCounts(a: MappingCounts, b: Partial<MappingCounts>): MappingCounts {
  return {
    polled: a.polled + (b.polled ?? 0),
    filteredOut: a.filteredOut + (b.filteredOut ?? 0),
    invoked: a.invoked + (b.invoked ?? 0),
    failed: a.failed + (b.failed ?? 0),
    dropped: a.dropped + (b.dropped ?? 0),
  };
}

/** What happened to records: `delivered` (their invocation succeeded), `failed` (retried or given up later). */
export type RecordOutcome = 'filtered' | 'delivered' | 'failed' | 'on-failure' | 'dropped';

export interface JournalEntry {
  at: string;
  outcome: RecordOutcome;
  shardId: string;
  sequences: string[];
  /** Why it failed, was filtered or given up. */
  reason: string;
  requestId: string;
}

/** Entries kept per mapping (about; the stream is trimmed approximately). */
export const JOURNAL_LENGTH = 1000;
export const journalKey = (prefix: string, sourceId: string): string => `${prefix}:journal:${sourceId}`;

/**
 * The per-mapping record journal behind `triggerhub sources explain`: one Redis stream entry per
 * thing that happened to a run of records, and the mapping's counts. Writes are best effort: a
 * journal that cannot be written never holds a batch up.
 */
export class MappingJournal {
  private readonly key: string;

  constructor(private readonly context: SourceContext, private readonly sourceId: string, private readonly log: Logger) {
    this.key = journalKey(context.config.queuePrefix, sourceId);
  }

  polled(count: number): void {
    if (count) this.count({ polled: count });
  }

  note(outcome: RecordOutcome, sequences: string[], detail: { shardId?: string; reason?: string; requestId?: string } = {}): void {
    if (!sequences.length) return;
    const n = sequences.length;
    if (outcome === 'filtered') this.count({ filteredOut: n });
    else if (outcome === 'delivered') this.count({ invoked: n });
    else if (outcome === 'failed') this.count({ invoked: n, failed: n });
    else this.count({ dropped: n });
    const redis: Redis = this.context.redis;
    redis.xadd(this.key, 'MAXLEN', '~', JOURNAL_LENGTH, '*',
      'outcome', outcome, 'shardId', detail.shardId ?? '', 'sequences', JSON.stringify(sequences),
      'reason', detail.reason ?? '', 'requestId', detail.requestId ?? '', 'at', new Date().toISOString(),
    ).catch((err: unknown) => this.log.debug({ event: 'journal_write_failed', message: (err as Error).message }, 'could not write the record journal'));
  }

  private count(counts: Partial<MappingCounts>): void {
    this.context.report?.(this.sourceId, { counts });
  }
}

/** The last `count` journal entries, oldest first. */
export async function readJournal(redis: Redis, prefix: string, sourceId: string, count: number): Promise<JournalEntry[]> {
  const raw = await redis.xrevrange(journalKey(prefix, sourceId), '+', '-', 'COUNT', count);
  return raw.reverse().map(([, flat]) => {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
    return {
      at: fields.get('at') ?? '',
      outcome: (fields.get('outcome') ?? 'failed') as RecordOutcome,
      shardId: fields.get('shardId') ?? '',
      sequences: JSON.parse(fields.get('sequences') ?? '[]') as string[],
      reason: fields.get('reason') ?? '',
      requestId: fields.get('requestId') ?? '',
    };
  });
}
