import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import type { AttemptRecord, Delivery, Envelope } from '../router/envelope.js';
import { recordMatcher, type DlqFilter, type DlqReason } from './filter.js';
import { rowOf, type DlqRow } from './rows.js';

export type { DlqFilter, DlqReason } from './filter.js';

export interface DlqRecord {
  /** The envelope id (kept across redrives). */
  id: string;
  function: string;
  /** The envelope's source (`triggerhub:invoke`, a topic ARN, `arn:aws:s3:::bucket`, ...). */
  source: string;
  reason: DlqReason;
  failedAt: string;
  envelope: Envelope;
  delivery: Pick<Delivery, 'invocationType' | 'firstSeenAt' | 'redrives' | 'traceparent' | 'qualifier' | 'edits'>;
  /** Every attempt of every round, oldest first. */
  attempts: AttemptRecord[];
}

/** A record held by one redrive caller until its event is queued again. */
export interface DlqClaim {
  record: DlqRecord;
  token: string;
  /** The record as stored when claimed: it is removed only if still exactly this. */
  text: string;
}

/** How long a claim outlives a redrive that died between claim and remove. */
const CLAIM_TTL_MS = 60_000;
const PAGE = 500;

/** Removes the record if it is still the claimed version (a failed redrive may have replaced it), then the claim. */
const REMOVE_CLAIMED = `
local removed = 0
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  removed = redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[5], ARGV[1])
end
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return removed`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Dead-letter records in Redis: one hash (id → record JSON), one sorted set by failure time, and two
 * indexes beside the records, which hold payloads of up to 1 MB: id → function (what the per-function
 * counts read, every 2 s while a console is open) and id → row (what the console's list reads).
 * Writing a record for an id that is already there replaces it, so a retried write after a crash
 * leaves one record.
 */
export class DlqStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Told of every record written (the hub counts the mesh's edges into the DLQ with it). */
    private readonly onAdded: (record: DlqRecord) => void = () => undefined,
  ) {}

  private get records(): string { return `${this.prefix}:dlq:records`; }
  private get byTime(): string { return `${this.prefix}:dlq:by-time`; }
  private get functionOf(): string { return `${this.prefix}:dlq:function`; }
  private get rows(): string { return `${this.prefix}:dlq:rows`; }
  private claimKey(id: string): string { return `${this.prefix}:dlq:claim:${id}`; }

  async add(record: DlqRecord): Promise<void> {
    await this.redis.multi()
      .hset(this.records, record.id, JSON.stringify(record))
      .zadd(this.byTime, Date.parse(record.failedAt), record.id)
      .hset(this.functionOf, record.id, record.function)
      .hset(this.rows, record.id, JSON.stringify(rowOf(record)))
      .exec();
    this.onAdded(record);
  }

  async get(id: string): Promise<DlqRecord> {
    return JSON.parse(await this.text(id)) as DlqRecord;
  }

  private async text(id: string): Promise<string> {
    const text = await this.redis.hget(this.records, id);
    if (text === null) throw new HubError('TH_ERR_DLQ_NOT_FOUND', `no dead-letter record with id ${id}`);
    return text;
  }

  /** Newest first; the time range is read from the by-time index, the rest is matched page by page. */
  async list(filter: DlqFilter = {}): Promise<DlqRecord[]> {
    const out: DlqRecord[] = [];
    for await (const record of this.scan(filter)) {
      out.push(record);
      if (filter.limit && out.length >= filter.limit) break;
    }
    return out;
  }

  /** Every matching record, newest first, read a page at a time (`limit` is not applied: callers stop when they have enough). */
  async *scan(filter: DlqFilter = {}): AsyncGenerator<DlqRecord> {
    const matches = recordMatcher(filter);
    for (let offset = 0; ; offset += PAGE) {
      const ids = await this.redis.zrevrangebyscore(this.byTime, filter.until ?? '+inf', filter.since ?? '-inf', 'LIMIT', offset, PAGE);
      for (const text of ids.length ? await this.redis.hmget(this.records, ...ids) : []) {
        if (text === null) continue;
        const record = JSON.parse(text) as DlqRecord;
        if (matches(record)) yield record;
      }
      if (ids.length < PAGE) return;
    }
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.byTime);
  }

  /**
   * The values of index `key` for `ids` (null for an id with no record): records written before the
   * index existed are read once, and their values added to it.
   */
  private async indexed(key: string, ids: string[], valueOf: (record: DlqRecord) => string): Promise<Array<string | null>> {
    const values = await this.redis.hmget(key, ...ids);
    const unindexed = ids.flatMap((_id, i) => (values[i] === null ? [i] : []));
    const texts = unindexed.length ? await this.redis.hmget(this.records, ...unindexed.map((i) => ids[i])) : [];
    const backfill: string[] = [];
    texts.forEach((text, k) => {
      if (text === null) return;
      const i = unindexed[k];
      values[i] = valueOf(JSON.parse(text) as DlqRecord);
      backfill.push(ids[i], values[i]);
    });
    if (backfill.length) await this.redis.hset(key, ...backfill);
    return values;
  }

  /** How many records each function has, from the id → function index (no record is read). */
  async countByFunction(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const ids = await this.redis.zrange(this.byTime, 0, -1);
    for (let start = 0; start < ids.length; start += PAGE) {
      for (const name of await this.indexed(this.functionOf, ids.slice(start, start + PAGE), (record) => record.function)) {
        if (name !== null) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** scan's matches as rows, newest first, from the id → row index (no record is read). */
  async *scanRows(filter: DlqFilter = {}): AsyncGenerator<DlqRow> {
    const matches = recordMatcher(filter);
    for (let offset = 0; ; offset += PAGE) {
      const ids = await this.redis.zrevrangebyscore(this.byTime, filter.until ?? '+inf', filter.since ?? '-inf', 'LIMIT', offset, PAGE);
      for (const text of ids.length ? await this.indexed(this.rows, ids, (record) => JSON.stringify(rowOf(record))) : []) {
        if (text === null) continue;
        const row = JSON.parse(text) as DlqRow;
        if (matches(row)) yield row;
      }
      if (ids.length < PAGE) return;
    }
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.records, id).zrem(this.byTime, id).hdel(this.functionOf, id).hdel(this.rows, id).exec()) as [[unknown, number]];
    return removed === 1;
  }

  /** The ids of the matching records, newest first, up to `limit` (found by their rows: no record is read). */
  async ids(filter: DlqFilter = {}): Promise<string[]> {
    const ids: string[] = [];
    for await (const row of this.scanRows(filter)) {
      ids.push(row.id);
      if (filter.limit && ids.length >= filter.limit) break;
    }
    return ids;
  }

  /** Removes the matching records; returns how many. */
  async purge(filter: DlqFilter = {}): Promise<number> {
    let removed = 0;
    for (const id of await this.ids(filter)) removed += Number(await this.remove(id));
    return removed;
  }

  /**
   * Takes a record for one redrive: a second caller gets TH_ERR_DLQ_REDRIVE_IN_PROGRESS until the
   * first one removes or releases it (or dies and the claim expires).
   */
  async claim(id: string): Promise<DlqClaim> {
    const token = randomUUID();
    const taken = await this.redis.set(this.claimKey(id), token, 'PX', CLAIM_TTL_MS, 'NX');
    if (taken !== 'OK') throw new HubError('TH_ERR_DLQ_REDRIVE_IN_PROGRESS', `dead-letter record ${id} is being redriven by another caller`);
    try {
      const text = await this.text(id);
      return { record: JSON.parse(text) as DlqRecord, token, text };
    } catch (err) {
      await this.release(id, token);
      throw err;
    }
  }

  /** Gives a claim back, leaving the record in place. */
  async release(id: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.claimKey(id), token);
  }

  /** Removes a claimed record unless it was replaced since the claim; ends the claim either way. */
  async removeClaimed(claim: DlqClaim): Promise<boolean> {
    const { id } = claim.record;
    return (await this.redis.eval(REMOVE_CLAIMED, 5, this.records, this.byTime, this.claimKey(id), this.functionOf, this.rows, id, claim.text, claim.token)) === 1;
  }
}
