import {
  DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand,
  type _Record, type GetShardIteratorCommandInput, type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ShardInfo, ShardReader, ShardStart } from '../kit/shards/reader.js';
import type { KinesisSettings } from './settings.js';

/**
 * The mapping's Kinesis client: HTTP/1.1 (kinesalite needs it; AWS accepts it), the mapping's
 * endpoint and region when set, else the AWS SDK's standard configuration.
 */
export function kinesisClient(settings: Pick<KinesisSettings, 'endpoint' | 'region'>): KinesisClient {
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.region ? { region: settings.region } : {}),
  });
}

/** Kinesis behind the shard reader port (streams addressed by name; GetRecords returns up to 10,000 records). */
export function kinesisShardReader(client: KinesisClient, streamName: string): ShardReader<_Record> {
  return {
    timestamps: true,
    async describe(signal) {
      const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), { abortSignal: signal });
      return { arn: out.StreamDescriptionSummary!.StreamARN!, region: await client.config.region() };
    },
    async listShards(signal) {
      return (await listShards(client, streamName, signal)).map(shardInfo);
    },
    async iterator(shardId, start, signal) {
      const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...iteratorInput(start) }), { abortSignal: signal });
      return out.ShardIterator;
    },
    async read(iterator, limit, signal) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, 10_000) }), { abortSignal: signal });
      return { records: out.Records ?? [], next: out.NextShardIterator, behindMs: out.MillisBehindLatest ?? 0 };
    },
    sequenceOf: (record) => record.SequenceNumber ?? '',
    arrivalMsOf: (record) => record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
    close: () => client.destroy(),
  };
}

/** Every shard of the stream, open and closed (ListShards, all pages). */
async function listShards(client: KinesisClient, streamName: string, signal: AbortSignal): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }), { abortSignal: signal });
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

const shardInfo = (shard: Shard): ShardInfo => ({
  id: shard.ShardId!,
  parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id)),
});

function iteratorInput(start: ShardStart): Omit<GetShardIteratorCommandInput, 'ShardId' | 'StreamName'> {
  if (start.type === 'AFTER_SEQUENCE_NUMBER') return { ShardIteratorType: start.type, StartingSequenceNumber: start.sequence };
  if (start.type === 'AT_TIMESTAMP') return { ShardIteratorType: start.type, Timestamp: start.at };
  return { ShardIteratorType: start.type };
}
