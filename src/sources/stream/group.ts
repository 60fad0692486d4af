import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../../log.js';
import type { StreamEntry } from './records.js';

/**
 * One consumer of a Redis consumer group: XREADGROUP on a dedicated connection (so a blocking
 * read can be cut short by disconnecting it), everything else on a command connection. Commands
 * fail after one reconnect attempt instead of queueing forever, so the poller can back off.
 */
export class GroupConsumer {
  readonly commands: Redis;
  private readonly blocking: Redis;

  constructor(open: (options: RedisOptions) => Redis, readonly key: string, readonly group: string, readonly consumer: string, log: Logger) {
    const options = { maxRetriesPerRequest: 1, connectTimeout: 5000, enableReadyCheck: true };
    this.commands = open(options);
    this.blocking = open(options);
    for (const connection of [this.commands, this.blocking]) {
      connection.on('error', (err: Error) => log.debug({ event: 'stream_redis_error', message: err.message }, 'stream redis connection error'));
    }
  }

  /** Creates the group (and the stream) starting after `startId`; an existing group keeps its position. */
  async ensureGroup(startId: string): Promise<boolean> {
    try {
      await this.commands.xgroup('CREATE', this.key, this.group, startId, 'MKSTREAM');
      return true;
    } catch (err) {
      if (redisErrorCode(err) === 'BUSYGROUP') return false;
      throw err;
    }
  }

  /** New entries (never delivered to the group), waiting up to `blockMs` for the first. */
  async readNew(count: number, blockMs: number): Promise<StreamEntry[]> {
    const reply = await this.blocking.callBuffer(
      'XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>',
    ) as Array<[Buffer, RawEntry[]]> | null;
    return reply?.[0] ? parseEntries(reply[0][1]) : [];
  }

  /**
   * Entries pending longer than `minIdleMs` with any consumer of the group, from `cursor`; takes
   * them over. Entries trimmed from the stream meanwhile are dropped from the group's pending list.
   */
  async claimIdle(minIdleMs: number, cursor: string, count: number): Promise<{ next: string; entries: StreamEntry[] }> {
    const [next, raw] = await this.commands.callBuffer(
      'XAUTOCLAIM', this.key, this.group, this.consumer, Math.round(minIdleMs), cursor, 'COUNT', count,
    ) as [Buffer, Array<RawEntry | null>];
    const gone = raw.filter((entry) => entry?.[1] == null).map((entry) => entry?.[0].toString()).filter((id) => id !== undefined);
    if (gone.length) await this.ack(gone);
    return { next: next.toString(), entries: parseEntries(raw.filter((entry): entry is RawEntry => entry?.[1] != null)) };
  }

  async ack(ids: string[]): Promise<void> {
    if (ids.length) await this.commands.xack(this.key, this.group, ...ids);
  }

  /** Leaves unfinished entries immediately claimable by the group's next poller (idle time set high). */
  async release(ids: string[], idleMs: number): Promise<void> {
    if (ids.length) await this.commands.call('XCLAIM', this.key, this.group, this.consumer, 0, ...ids, 'IDLE', Math.ceil(idleMs), 'JUSTID');
  }

  /** Removes this consumer from the group when it holds no pending entry (it would orphan them). */
  async leaveGroup(): Promise<void> {
    const pending = await this.commands.call('XPENDING', this.key, this.group, '-', '+', 1, this.consumer) as unknown[];
    if (!pending.length) await this.commands.call('XGROUP', 'DELCONSUMER', this.key, this.group, this.consumer);
  }

  /** Cuts a blocking read short (it rejects); used when the mapping stops. */
  interrupt(): void {
    this.blocking.disconnect();
  }

  async close(): Promise<void> {
    this.blocking.disconnect();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }
}

/**
 * Whether a command failed because the group (or the whole stream) is gone: the key was deleted,
 * or its Redis restarted without persistence. XACK says nothing then (it acknowledges 0 entries).
 */
export const isGroupMissing = (err: unknown): boolean => redisErrorCode(err) === 'NOGROUP';

/** A Redis error reply's code: its first word (`BUSYGROUP`, `NOGROUP`, ...). */
function redisErrorCode(err: unknown): string | undefined {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? /^[A-Z]+(?= )/.exec(message)?.[0] : undefined;
}

type RawEntry = [Buffer, Buffer[] | null];

function parseEntries(raw: RawEntry[]): StreamEntry[] {
  return raw.map(([id, flat]) => {
    const fields: Array<[string, Buffer]> = [];
    for (let i = 0; flat && i + 1 < flat.length; i += 2) fields.push([flat[i].toString('utf8'), flat[i + 1]]);
    return { id: id.toString(), fields };
  });
}
