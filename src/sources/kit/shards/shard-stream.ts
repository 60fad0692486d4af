import type { DestinationSpec } from '../../../destinations/targets.js';
import type { FilterCriteria } from '../../../filters/criteria.js';
import { buildEnvelope, type Envelope } from '../../../router/envelope.js';
import type { SourceContext } from '../../source.js';
import type { StreamPolicySettings } from '../stream-settings.js';
import type { ShardReader, StreamDescription } from './reader.js';
import type { ShardTimings, StartingPosition } from './shard-worker.js';

/** The settings every shard mapping has (Lambda's Kinesis / DynamoDB Streams mapping settings). */
export type ShardMappingSettings = StartingPosition & StreamPolicySettings & {
  parallelizationFactor: number;
  tumblingWindowInSeconds: number;
  destinations: { onFailure?: DestinationSpec };
  destinationConfig?: { onFailure?: DestinationSpec };
  filterCriteria?: FilterCriteria;
};

/** One stream once described: how its records are built, filtered, ordered and reported. */
export interface ShardStream<Raw, R> {
  /** The stream's ARN: the envelopes' source and the on-failure records' streamArn. */
  arn: string;
  /** CloudEvents type of the envelopes (`data` is `{ Records }`). */
  envelopeType: string;
  /** Key of the batch info in on-failure records: KinesisBatchInfo, DDBStreamBatchInfo. */
  batchInfoKey: string;
  /** The stream's retention (from its description): records older than this have expired (given up as RecordAgeExceeded). */
  retentionSeconds: number;
  /** The record as Lambda delivers it. */
  toRecord(raw: Raw, shardId: string): R;
  /** What filter criteria see of a record. */
  filterSubject(record: R): Record<string, unknown>;
  /** Records with one key stay in one lane, in order (partition key, item key). */
  laneKey(record: R): string;
  sequenceOf(record: R): string;
  arrivalMsOf(record: R): number;
}

/** The envelope of one invocation of a shard's function (`data`: the event as Lambda builds it). */
export function envelopeOf<R>(batch: { stream: ShardStream<unknown, R>; shardId: string }, data: { Records: R[] } & object): Envelope {
  return buildEnvelope({ source: batch.stream.arn, type: batch.stream.envelopeType, subject: batch.shardId, data });
}

/** What a shard kind (Kinesis, DynamoDB Streams) gives the generic shard source. */
export interface ShardKindSpec<Raw, R> {
  /** `kinesis`, `dynamodb`: source ids, log events, Redis keys. */
  kind: string;
  /** The stream as configured (name, ARN or table), for logs and Redis keys. */
  streamName: string;
  settings: ShardMappingSettings;
  timings: ShardTimings;
  /** How filter criteria read the record: its data field and encoding. */
  filter: { dataField?: 'data'; encoding?: 'utf8' | 'base64' };
  openReader(context: SourceContext): ShardReader<Raw>;
  /** How records of the described stream are built. */
  stream(described: StreamDescription, context: SourceContext): Omit<ShardStream<Raw, R>, 'retentionSeconds'>;
}
