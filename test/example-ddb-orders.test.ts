import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildConfig } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger, silentLogger } from '../src/log.js';
import { dynamoDbLocalUnavailable } from './helpers/dynamodb-local.js';
import { REPO_ROOT, tempDir, waitFor } from './helpers/hub.js';

const DIR = path.join(REPO_ROOT, 'examples/ddb-orders');
const FN = 'OrderTotalsFunction';

describe.skipIf(dynamoDbLocalUnavailable())('examples/ddb-orders: a table\'s stream updating a second table, on DynamoDB Local', () => {
  let hub: Hub;
  let dynamodb: DynamoDBClient;
  beforeAll(async () => {
    // The example's own triggerhub.yaml (template: template.yaml), with the suite's Redis and a fresh data dir.
    const raw = parseYaml(readFileSync(path.join(DIR, 'triggerhub.yaml'), 'utf8')) as Record<string, unknown>;
    hub = await startHub(buildConfig({
      ...raw, redis: inject('redisUrl'), queuePrefix: `ex-ddb-${randomUUID().slice(0, 8)}`, server: { port: 0, host: '127.0.0.1' },
      shutdownTimeoutSeconds: 5, dataDir: tempDir('th-ddb-orders-'),
    }, { baseDir: DIR }), { logger: process.env.TH_TEST_LOG ? createLogger({ pretty: false }) : silentLogger() });
    const endpoint = hub.config.functions[FN].environment.AWS_ENDPOINT_URL_DYNAMODB;
    dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }, 90_000);
  afterAll(async () => {
    dynamodb?.destroy();
    await hub?.stop();
  });

  const order = (orderId: string, customerId: string, amount: number) => dynamodb.send(new PutItemCommand({
    TableName: 'ddb-orders', Item: { orderId: { S: orderId }, customerId: { S: customerId }, amount: { N: String(amount) } },
  }));
  const totals = async (customerId: string) => {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'ddb-order-totals', Key: { customerId: { S: customerId } }, ConsistentRead: true }));
    return Item && { total: Number(Item.total.N), orders: Number(Item.orders.N) };
  };

  it('keeps every customer\'s total through inserts, amount changes and deletes; status-only changes are filtered out', async () => {
    expect(hub.config.functions[FN].events).toEqual([{ dynamodb: expect.objectContaining({ startingPosition: 'TRIM_HORIZON', batchSize: 25 }) }]);
    await order('o-1', 'ada', 30);
    await order('o-2', 'ada', 12);
    await order('o-3', 'bob', 5);
    await waitFor(async () => (await totals('ada'))?.total === 42 && (await totals('bob'))?.total === 5, 30_000, 'the first totals');
    await dynamodb.send(new UpdateItemCommand({
      TableName: 'ddb-orders', Key: { orderId: { S: 'o-1' } }, UpdateExpression: 'SET amount = :a', ExpressionAttributeValues: { ':a': { N: '50' } },
    }));
    await dynamodb.send(new UpdateItemCommand({
      TableName: 'ddb-orders', Key: { orderId: { S: 'o-3' } }, UpdateExpression: 'REMOVE amount SET shipped = :t', ExpressionAttributeValues: { ':t': { BOOL: true } },
    }));
    await dynamodb.send(new DeleteItemCommand({ TableName: 'ddb-orders', Key: { orderId: { S: 'o-2' } } }));
    await waitFor(async () => (await totals('ada'))?.total === 50, 30_000, 'ada\'s total after the change and the delete');
    expect(await totals('ada')).toEqual({ total: 50, orders: 1 });
    // o-3 lost its amount in a MODIFY without `amount`: filtered out, so bob's total stays.
    expect(await totals('bob')).toEqual({ total: 5, orders: 1 });
  }, 90_000);
});
