import type { _Record, GetShardIteratorCommandInput, KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { inRegionPartition } from '../../arn.js';
import { loadHttpHandler, loadKinesis } from '../../aws/lazy-sdk.js';
import type { ShardInfo, ShardReader, ShardStart } from '../kit/shards/reader.js';
import type { KinesisSettings } from './settings.js';

/**
 * The mapping's Kinesis client: HTTP/1.1 (kinesalite needs it; AWS accepts it), the mapping's
 * endpoint and region when set, else the AWS SDK's standard configuration.
 */
export async function kinesisClient(settings: Pick<KinesisSettings, 'endpoint' | 'region'>): Promise<KinesisClient> {
  const [{ KinesisClient }, { NodeHttpHandler }] = await Promise.all([loadKinesis(), loadHttpHandler()]);
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.region ? { region: settings.region } : {}),
  });
}

/**
 * Kinesis behind the shard reader port (streams addressed by name; GetRecords returns up to 10,000
 * records). `connect` makes the client when the reader is first used (the SDK loads then).
 */
export function kinesisShardReader(connect: () => Promise<KinesisClient>, streamName: string): ShardReader<_Record> {
  let connected: Promise<{ client: KinesisClient; sdk: typeof import('@aws-sdk/client-kinesis') }> | undefined;
  const use = () => (connected ??= Promise.all([connect(), loadKinesis()]).then(([client, sdk]) => ({ client, sdk })));
  return {
    timestamps: true,
    async describe(signal) {
      const { client, sdk: { DescribeStreamSummaryCommand } } = await use();
      const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), { abortSignal: signal });
      const summary = out.StreamDescriptionSummary!;
      return {
        arn: inRegionPartition(summary.StreamARN!),
        region: await client.config.region(),
        incarnation: `${summary.StreamARN}@${summary.StreamCreationTimestamp?.getTime() ?? 0}`,
        retentionSeconds: (summary.RetentionPeriodHours ?? 24) * 3600,
      };
    },
    async listShards(signal) {
      const { client, sdk } = await use();
      return (await listShards(client, sdk, streamName, signal)).map(shardInfo);
    },
    async iterator(shardId, start, signal) {
      const { client, sdk: { GetShardIteratorCommand } } = await use();
      const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...iteratorInput(start) }), { abortSignal: signal });
      return out.ShardIterator;
    },
    async read(iterator, limit, signal) {
      const { client, sdk: { GetRecordsCommand } } = await use();
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, 10_000) }), { abortSignal: signal });
      return { records: out.Records ?? [], next: out.NextShardIterator, behindMs: out.MillisBehindLatest ?? 0 };
    },
    sequenceOf: (record) => record.SequenceNumber ?? '',
    arrivalMsOf: (record) => record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
    close: () => { void connected?.then(({ client }) => client.destroy(), () => undefined); },
  };
}

/** Every shard of the stream, open and closed (ListShards, all pages). */
async function listShards(client: KinesisClient, { ListShardsCommand }: typeof import('@aws-sdk/client-kinesis'), streamName: string, signal: AbortSignal): Promise<Shard[]> {
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
