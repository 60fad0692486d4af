/**
 * The port between the generic shard poller and one sharded stream service (Kinesis, DynamoDB
 * Streams): list shards with their lineage, open an iterator at a position, read a page, and say
 * where a record sits (sequence number) and when it arrived.
 */

/** A shard and the shards it was split or merged from (read only once they are finished). */
export interface ShardInfo {
  id: string;
  parents: string[];
}

export type ShardStart =
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequence: string }
  | { type: 'AT_TIMESTAMP'; at: Date }
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' };

export interface ShardPage<Raw> {
  records: Raw[];
  /** Absent once a closed shard was read to its end. */
  next?: string;
  /** How far behind the tip this read was (Kinesis MillisBehindLatest); undefined when the service does not say. */
  behindMs?: number;
}

/** The stream as its service describes it. */
export interface StreamDescription {
  arn: string;
  /** The region records name (`awsRegion`). */
  region: string;
  /** Tells apart a stream from one deleted and created again under the same name (ARN and creation time). */
  incarnation: string;
  /** How long the stream keeps a record: failing records are retried at most this long (Lambda's "until the record expires"). */
  retentionSeconds: number;
}

export interface ShardReader<Raw> {
  /** Resolves the stream (DescribeStream...). */
  describe(signal: AbortSignal): Promise<StreamDescription>;
  /** Whether iterators can start AT_TIMESTAMP (Kinesis); else the poller starts at TRIM_HORIZON and skips older records. */
  readonly timestamps: boolean;
  /** Every shard of the stream, open and closed. */
  listShards(signal: AbortSignal): Promise<ShardInfo[]>;
  iterator(shardId: string, start: ShardStart, signal: AbortSignal): Promise<string | undefined>;
  /** Up to `limit` records (the reader caps it at its service's page size). */
  read(iterator: string, limit: number, signal: AbortSignal): Promise<ShardPage<Raw>>;
  sequenceOf(record: Raw): string;
  /** Epoch ms the record entered the stream. */
  arrivalMsOf(record: Raw): number;
  /** Releases the client. */
  close(): void;
}

/** The sequence number of the shard's last record now (reading it to its tip once), or undefined when it is empty. */
export async function lastSequence<Raw>(reader: ShardReader<Raw>, shardId: string, signal: AbortSignal): Promise<string | undefined> {
  let iterator = await reader.iterator(shardId, { type: 'TRIM_HORIZON' }, signal);
  let last: string | undefined;
  while (iterator !== undefined && !signal.aborted) {
    const page = await reader.read(iterator, Number.MAX_SAFE_INTEGER, signal);
    if (!page.records.length) break;
    last = reader.sequenceOf(page.records[page.records.length - 1]);
    iterator = page.next;
  }
  return last;
}

/** Shards that may be read now: not finished, and every parent still listed is finished. */
export function readableShards(shards: ShardInfo[], checkpoints: ReadonlyMap<string, string>, finished: string): ShardInfo[] {
  const listed = new Set(shards.map((shard) => shard.id));
  const done = (id: string): boolean => !listed.has(id) || checkpoints.get(id) === finished;
  return shards.filter((shard) => checkpoints.get(shard.id) !== finished && shard.parents.every(done));
}
