import { KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
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

/** Every shard of the stream, open and closed (ListShards, all pages). */
export async function listShards(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }));
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

/** Shards that may be read now: not finished, and every parent still listed is finished. */
export function readableShards(shards: Shard[], checkpoints: Record<string, string>, finished: string): Shard[] {
  const listed = new Set(shards.map((shard) => shard.ShardId));
  const done = (id: string | undefined): boolean => !id || !listed.has(id) || checkpoints[id] === finished;
  return shards.filter((shard) => checkpoints[shard.ShardId!] !== finished && done(shard.ParentShardId) && done(shard.AdjacentParentShardId));
}
