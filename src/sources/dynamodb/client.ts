import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { _Record, DynamoDBStreamsClient, GetShardIteratorCommandInput, Shard } from '@aws-sdk/client-dynamodb-streams';
import { loadDynamodb, loadDynamodbStreams, loadHttpHandler } from '../../aws/lazy-sdk.js';
import { HubError } from '../../errors.js';
import type { ShardInfo, ShardReader, ShardStart } from '../kit/shards/reader.js';
import { latestStreamTable, type DynamodbSettings } from './settings.js';

/** GetRecords returns at most 1,000 records. */
const MAX_PAGE = 1000;
/** DynamoDB Streams keep a record for 24 hours. */
export const DYNAMODB_STREAM_RETENTION_SECONDS = 24 * 3600;

export interface DynamodbEndpoints {
  /** The Streams API (DescribeStream, GetShardIterator, GetRecords). */
  streams?: string;
  /** The DynamoDB API (DescribeTable, for `table:`). */
  dynamodb?: string;
  region: string;
}

/**
 * Where the mapping's clients go: its `endpoint` for both; else AWS_ENDPOINT_URL_DYNAMODB_STREAMS
 * (then AWS_ENDPOINT_URL_DYNAMODB: DynamoDB Local serves both on one port) for Streams and
 * AWS_ENDPOINT_URL_DYNAMODB for DescribeTable; else the SDK's (AWS_ENDPOINT_URL, the region's).
 * The region: the setting, else the stream ARN's, else the hub's.
 */
export function dynamodbEndpoints(settings: DynamodbSettings, hubRegion: string, env: NodeJS.ProcessEnv = process.env): DynamodbEndpoints {
  const tableEndpoint = settings.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB;
  return {
    streams: settings.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? tableEndpoint,
    dynamodb: tableEndpoint,
    region: settings.region ?? settings.stream?.split(':')[3] ?? hubRegion,
  };
}

type StreamsSdk = typeof import('@aws-sdk/client-dynamodb-streams');

interface Clients {
  streams: DynamoDBStreamsClient;
  tables?: DynamoDBClient;
  sdk: StreamsSdk;
}

/** The mapping's clients, made (and the SDK loaded) when the reader is first used. */
async function connect(settings: DynamodbSettings, endpoints: DynamodbEndpoints): Promise<Clients> {
  const [sdk, { NodeHttpHandler }] = await Promise.all([loadDynamodbStreams(), loadHttpHandler()]);
  const options = { region: endpoints.region, requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }) };
  const streams = new sdk.DynamoDBStreamsClient({ ...options, ...(endpoints.streams ? { endpoint: endpoints.streams } : {}) });
  const tables = latestStreamTable(settings)
    ? new (await loadDynamodb()).DynamoDBClient({ ...options, ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb } : {}) })
    : undefined;
  return { streams, tables, sdk };
}

/** DynamoDB Streams behind the shard reader port: the stream by ARN, or the table's latest stream (`table:`, LATEST_STREAM_LABEL). */
export function dynamodbShardReader(settings: DynamodbSettings, endpoints: DynamodbEndpoints): ShardReader<_Record> {
  let connected: Promise<Clients> | undefined;
  const use = () => (connected ??= connect(settings, endpoints));
  const table = latestStreamTable(settings);
  let arn = table ? undefined : settings.stream;
  const streamArn = (): string => {
    if (!arn) throw new HubError('TH_ERR_INTERNAL', 'the stream was not described yet');
    return arn;
  };
  return {
    timestamps: false,
    async describe(signal) {
      const { streams, tables } = await use();
      if (tables && table) arn = await latestStream(tables, table, signal);
      // A stream's ARN ends with its creation time (the label): it names one incarnation.
      return { arn: streamArn(), region: await streams.config.region(), incarnation: streamArn(), retentionSeconds: DYNAMODB_STREAM_RETENTION_SECONDS };
    },
    listShards: async (signal) => {
      const { streams, sdk } = await use();
      return listShards(streams, sdk, streamArn(), signal);
    },
    async iterator(shardId, start, signal) {
      const { streams, sdk: { GetShardIteratorCommand } } = await use();
      const out = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn(), ShardId: shardId, ...iteratorInput(start) }), { abortSignal: signal });
      return out.ShardIterator;
    },
    async read(iterator, limit, signal) {
      const { streams, sdk: { GetRecordsCommand } } = await use();
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, MAX_PAGE) }), { abortSignal: signal });
      return { records: out.Records ?? [], next: out.NextShardIterator };
    },
    sequenceOf: (record) => record.dynamodb?.SequenceNumber ?? '',
    arrivalMsOf: (record) => record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now(),
    close: () => {
      void connected?.then(({ streams, tables }) => {
        streams.destroy();
        tables?.destroy();
      }, () => undefined);
    },
  };
}

/** The table's current stream (DescribeTable's LatestStreamArn); a table without a stream fails the listing, which is retried. */
async function latestStream(client: DynamoDBClient, table: string, signal: AbortSignal): Promise<string> {
  const { DescribeTableCommand } = await loadDynamodb();
  const out = await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal });
  const arn = out.Table?.StreamSpecification?.StreamEnabled ? out.Table.LatestStreamArn : undefined;
  if (!arn) throw new HubError('TH_ERR_SOURCE_UNAVAILABLE', `table ${table} has no stream enabled (StreamSpecification)`);
  return arn;
}

/** Every shard of the stream (DescribeStream, all pages), with its parent. */
async function listShards(client: DynamoDBStreamsClient, { DescribeStreamCommand }: StreamsSdk, streamArn: string, signal: AbortSignal): Promise<ShardInfo[]> {
  const shards: Shard[] = [];
  let after: string | undefined;
  do {
    const out = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: after }), { abortSignal: signal });
    shards.push(...(out.StreamDescription?.Shards ?? []));
    after = out.StreamDescription?.LastEvaluatedShardId;
  } while (after);
  return shards.map((shard) => ({ id: shard.ShardId!, parents: shard.ParentShardId ? [shard.ParentShardId] : [] }));
}

function iteratorInput(start: ShardStart): Omit<GetShardIteratorCommandInput, 'ShardId' | 'StreamArn'> {
  if (start.type === 'AFTER_SEQUENCE_NUMBER') return { ShardIteratorType: start.type, SequenceNumber: start.sequence };
  // The shard kit asks for AT_TIMESTAMP only of readers with `timestamps`.
  return { ShardIteratorType: start.type === 'AT_TIMESTAMP' ? 'TRIM_HORIZON' : start.type };
}
