import type { _Record } from '@aws-sdk/client-kinesis';
import { globalArnOf } from '../arn.js';
import type { FunctionConfig } from '../config/load.js';
import { onFailureProblems } from './kit/failure-record.js';
import { liveShardSources, ShardSource } from './kit/shards/shard-source.js';
import type { ShardKindSpec } from './kit/shards/shard-stream.js';
import type { ShardTimings } from './kit/shards/shard-worker.js';
import { kinesisClient, kinesisShardReader } from './kinesis/client.js';
import { KINESIS_ENVELOPE_TYPE, toKinesisRecord, type KinesisStreamRecord } from './kinesis/records.js';
import { kinesisSettingsSchema, type KinesisSettings } from './kinesis/settings.js';
import { defineSourceKind } from './source.js';

/** Timings of every Kinesis mapping (mutable for tests only). */
export const KINESIS_TIMINGS: ShardTimings = {
  idlePollMs: 1000,
  backoffBaseMs: 1000,
  backoffCapMs: 30_000,
  leaseTtlMs: 10_000,
  shardSyncMs: 5000,
};

/** A Kinesis event source mapping: the kit's shard source on the Kinesis reader. */
export type KinesisSource = ShardSource<_Record, KinesisStreamRecord>;

/** Running Kinesis sources of this process (tests simulate a crashed hub with `crash()`). */
export const liveKinesisSources = (): KinesisSource[] => liveShardSources('kinesis') as KinesisSource[];

function kinesisSpec(fn: FunctionConfig, settings: KinesisSettings): ShardKindSpec<_Record, KinesisStreamRecord> {
  return {
    kind: 'kinesis',
    streamName: settings.stream,
    settings,
    timings: KINESIS_TIMINGS,
    // Filters see the record's `kinesis` object, its base64 `data` parsed when it is JSON.
    filter: { dataField: 'data' },
    openReader: () => kinesisShardReader(() => kinesisClient(settings), settings.stream),
    stream: ({ arn, region }, context) => {
      const identity = { streamArn: arn, region, identityArn: globalArnOf(context.config.region, 'iam', context.config.accountId, `role/triggerhub-${fn.name}`) };
      return {
        arn,
        envelopeType: KINESIS_ENVELOPE_TYPE,
        batchInfoKey: 'KinesisBatchInfo',
        toRecord: (record, shardId) => toKinesisRecord(record, shardId, identity),
        filterSubject: (record) => record.kinesis as unknown as Record<string, unknown>,
        laneKey: (record) => record.kinesis.partitionKey,
        sequenceOf: (record) => record.kinesis.sequenceNumber,
        arrivalMsOf: (record) => Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
      };
    },
  };
}

export const kinesisKind = defineSourceKind({
  name: 'kinesis',
  settings: kinesisSettingsSchema,
  check: onFailureProblems,
  create: (fn, settings, index): KinesisSource => new ShardSource(fn, index, kinesisSpec(fn, settings)),
});
