import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, inject, it } from 'vitest';
import { dynamoDbLocalUnavailable } from './helpers/dynamodb-local.js';
import { tempDir, waitFor } from './helpers/hub.js';
import { isRunning } from './helpers/paths.js';
import { startProjectHub } from './helpers/project-hub.js';
import { projectDir } from './helpers/template-project.js';
import { upChild } from './helpers/up-child.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Resources only: what the local cloud creates and keeps under the data dir. */
const TEMPLATE = `Resources:
  Uploads: { Type: AWS::S3::Bucket }
  Clicks: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 2 } }
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders-table
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
  Accounts:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      TableName: accounts-table
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }, { AttributeName: email, AttributeType: S }]
      BillingMode: PROVISIONED
      WriteProvisionedThroughputSettings:
        WriteCapacityAutoScalingSettings: { MinCapacity: 2, MaxCapacity: 10, TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } }
      GlobalSecondaryIndexes:
        - IndexName: byEmail
          KeySchema: [{ AttributeName: email, KeyType: HASH }]
          Projection: { ProjectionType: KEYS_ONLY }
      StreamSpecification: { StreamViewType: KEYS_ONLY }
      Replicas: [{ Region: us-east-1, ReadProvisionedThroughputSettings: { ReadCapacityUnits: 3 } }]
`;

describe('local cloud data across restarts', () => {
  it('creates buckets, streams and tables (with their stream) and finds their data again on the next start', async () => {
    const dir = projectDir({ 'template.yaml': TEMPLATE });
    const dataDir = tempDir('th-cloud-data-');
    const template = path.join(dir, 'template.yaml');
    const start = async () => {
      const hub = await startProjectHub({ template }, { dataDir });
      const state = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(dataDir, 'cloud.json'), 'utf8'))) as { endpoints: Record<string, { url: string }> };
      const clients = {
        s3: new S3Client({ endpoint: state.endpoints.s3.url, region: 'us-east-1', credentials, forcePathStyle: true }),
        kinesis: new KinesisClient({ endpoint: state.endpoints.kinesis.url, region: 'us-east-1', credentials, requestHandler: new NodeHttpHandler() }),
        dynamodb: new DynamoDBClient({ endpoint: state.endpoints.dynamodb.url, region: 'us-east-1', credentials }),
      };
      return { hub, ...clients, stop: async () => { for (const c of Object.values(clients)) c.destroy(); await hub.stop(); } };
    };
    const bucket = path.basename(dir).toLowerCase().replace(/[^a-z0-9.-]/g, '-') + '-uploads';

    const first = await start();
    const stream = await first.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${path.basename(dir)}-Clicks` }));
    expect(stream.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 2 });
    const table = await first.dynamodb.send(new DescribeTableCommand({ TableName: 'orders-table' }));
    expect(table.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    // A GlobalTable is one table locally; its provisioned capacity is CreateTable's ProvisionedThroughput.
    const global = (await first.dynamodb.send(new DescribeTableCommand({ TableName: 'accounts-table' }))).Table;
    expect(global?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 3, WriteCapacityUnits: 2 });
    expect(global?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['byEmail']);
    expect(global?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
    await first.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept.txt', Body: 'still here' }));
    await first.dynamodb.send(new PutItemCommand({ TableName: 'orders-table', Item: { id: { S: 'o-1' } } }));
    await first.stop();

    const second = await start();
    try {
      const object = await second.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept.txt' }));
      expect(await object.Body!.transformToString()).toBe('still here');
      expect((await second.dynamodb.send(new GetItemCommand({ TableName: 'orders-table', Key: { id: { S: 'o-1' } } }))).Item).toEqual({ id: { S: 'o-1' } });
      const again = await second.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${path.basename(dir)}-Clicks` }));
      expect(again.StreamDescriptionSummary?.StreamCreationTimestamp).toEqual(stream.StreamDescriptionSummary?.StreamCreationTimestamp);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

/** Pids of processes whose command line holds `text` (/proc). */
function pidsWith(text: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

describe.skipIf(dynamoDbLocalUnavailable())('DynamoDB Local after a kill -9 of the hub', () => {
  it('exits with the hub (no Java left behind) and has its items on the next start', async () => {
    const dir = projectDir({ 'template.yaml': `Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders-kept
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
` });
    const dataDir = path.join(dir, 'data');
    writeFileSync(path.join(dir, 'triggerhub.yaml'), JSON.stringify({
      redis: inject('redisUrl'), queuePrefix: `t-${randomUUID().slice(0, 8)}`, server: { port: 0, host: '127.0.0.1' }, dataDir, template: 'template.yaml',
    }));
    const hub = upChild(dir);
    await hub.started;
    const [java] = pidsWith(path.join(dataDir, 'cloud', 'dynamodb')).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('java'));
    expect(java).toBeGreaterThan(0);
    const endpoint = JSON.parse(readFileSync(path.join(dataDir, 'cloud.json'), 'utf8')).endpoints.dynamodb.url as string;
    const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
    await dynamodb.send(new PutItemCommand({ TableName: 'orders-kept', Item: { id: { S: 'o-9' } } }));
    dynamodb.destroy();

    hub.child.kill('SIGKILL');
    await hub.exited;
    await waitFor(() => !isRunning(java), 30_000, 'DynamoDB Local to exit');

    const again = await startProjectHub({ template: path.join(dir, 'template.yaml') }, { dataDir });
    try {
      const state = JSON.parse(readFileSync(path.join(dataDir, 'cloud.json'), 'utf8')) as { endpoints: { dynamodb: { url: string } } };
      const client = new DynamoDBClient({ endpoint: state.endpoints.dynamodb.url, region: 'us-east-1', credentials });
      expect((await client.send(new GetItemCommand({ TableName: 'orders-kept', Key: { id: { S: 'o-9' } } }))).Item).toEqual({ id: { S: 'o-9' } });
      client.destroy();
    } finally {
      await again.stop();
    }
  }, 120_000);
});
