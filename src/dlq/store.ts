import type { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import type { AttemptRecord, Delivery, Envelope } from '../router/envelope.js';

/** Why an async event was given up on. */
export type DlqReason = 'RetriesExhausted' | 'EventAgeExceeded' | 'NonRetryableError' | 'Stalled';

export interface DlqRecord {
  /** The envelope id (kept across redrives). */
  id: string;
  function: string;
  source: string;
  reason: DlqReason;
  failedAt: string;
  envelope: Envelope;
  delivery: Pick<Delivery, 'invocationType' | 'firstSeenAt' | 'redrives' | 'traceparent'>;
  /** Every attempt of every round, oldest first. */
  attempts: AttemptRecord[];
}

export interface DlqFilter {
  function?: string;
  reason?: DlqReason;
  limit?: number;
}

/**
 * Dead-letter records in Redis: one hash (id → record JSON) and one sorted set by failure time.
 * Writing a record for an id that is already there replaces it, so a retried write after a crash
 * leaves one record.
 */
export class DlqStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private get records(): string { return `${this.prefix}:dlq:records`; }
  private get byTime(): string { return `${this.prefix}:dlq:by-time`; }

  async add(record: DlqRecord): Promise<void> {
    await this.redis.multi()
      .hset(this.records, record.id, JSON.stringify(record))
      .zadd(this.byTime, Date.parse(record.failedAt), record.id)
      .exec();
  }

  async get(id: string): Promise<DlqRecord> {
    const text = await this.redis.hget(this.records, id);
    if (text === null) throw new HubError('TH_ERR_DLQ_NOT_FOUND', `no dead-letter record with id ${id}`);
    return JSON.parse(text) as DlqRecord;
  }

  /** Newest first. */
  async list(filter: DlqFilter = {}): Promise<DlqRecord[]> {
    const ids = await this.redis.zrevrange(this.byTime, 0, -1);
    if (!ids.length) return [];
    const texts = await this.redis.hmget(this.records, ...ids);
    const out: DlqRecord[] = [];
    for (const text of texts) {
      if (text === null) continue;
      const record = JSON.parse(text) as DlqRecord;
      if (filter.function && record.function !== filter.function) continue;
      if (filter.reason && record.reason !== filter.reason) continue;
      out.push(record);
      if (filter.limit && out.length >= filter.limit) break;
    }
    return out;
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.byTime);
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.records, id).zrem(this.byTime, id).exec()) as [[unknown, number]];
    return removed === 1;
  }

  /** Removes the matching records; returns how many. */
  async purge(filter: DlqFilter = {}): Promise<number> {
    const records = await this.list(filter);
    for (const record of records) await this.remove(record.id);
    return records.length;
  }
}
