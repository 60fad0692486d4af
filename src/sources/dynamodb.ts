import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { dynamodbEndpoints, dynamodbShardReader } from './dynamodb/client.js';
import { arrivalMsOf, DYNAMODB_ENVELOPE_TYPE, itemKey, recordStreamArn, toDynamodbRecord, type DynamoDBRecord } from './dynamodb/records.js';
import { dynamodbSettingsSchema, type DynamodbSettings } from './dynamodb/settings.js';
import { onFailureProblems } from './kit/failure-record.js';
import { liveShardSources, ShardSource } from './kit/shards/shard-source.js';
import type { ShardKindSpec } from './kit/shards/shard-stream.js';
import type { ShardTimings } from './kit/shards/shard-worker.js';
import { defineSourceKind } from './source.js';

/** Timings of every DynamoDB Streams mapping (mutable for tests only): Lambda polls each shard four times a second. */
export const DYNAMODB_TIMINGS: ShardTimings = {
  idlePollMs: 250,
  backoffBaseMs: 1000,
  backoffCapMs: 30_000,
  leaseTtlMs: 10_000,
  shardSyncMs: 5000,
};

/** A DynamoDB Streams event source mapping: the kit's shard source on the DynamoDB Streams reader. */
export type DynamodbSource = ShardSource<_Record, DynamoDBRecord>;

/** Running DynamoDB sources of this process (tests simulate a crashed hub with `crash()`). */
export const liveDynamodbSources = (): DynamodbSource[] => liveShardSources('dynamodb') as DynamodbSource[];

function dynamodbSpec(settings: DynamodbSettings): ShardKindSpec<_Record, DynamoDBRecord> {
  return {
    kind: 'dynamodb',
    streamName: settings.stream ?? `table/${settings.table}`,
    settings,
    timings: DYNAMODB_TIMINGS,
    // Patterns match the whole record (eventName, dynamodb.NewImage in DynamoDB JSON, ...).
    filter: {},
    openReader: (context) => dynamodbShardReader(settings, dynamodbEndpoints(settings, context.config.region)),
    stream: ({ arn: read, region }) => {
      const arn = recordStreamArn(read, region);
      return {
        arn,
        envelopeType: DYNAMODB_ENVELOPE_TYPE,
        batchInfoKey: 'DDBStreamBatchInfo',
        toRecord: (record: _Record) => toDynamodbRecord(record, arn, region),
        filterSubject: (record: DynamoDBRecord) => record as Record<string, unknown>,
        laneKey: itemKey,
        sequenceOf: (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber ?? '',
        arrivalMsOf,
      };
    },
  };
}

export const dynamodbKind = defineSourceKind({
  name: 'dynamodb',
  settings: dynamodbSettingsSchema,
  check: onFailureProblems,
  create: (fn, settings, index): DynamodbSource => new ShardSource(fn, index, dynamodbSpec(settings)),
});
