import { DeleteTableCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { exhaustedFailureRecord } from './helpers/failure-record.js';
import { dynamoDbLocalUnavailable, startDynamoDbLocal, type DynamoDbLocal } from './helpers/dynamodb-local.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import {
  batches, checkpoints, createTable, deleteItem, dynamodbCase, events, failureRecords, putItems, records, startDynamodbHub,
} from './fixtures/dynamodb/harness.js';

const unavailable = dynamoDbLocalUnavailable();
if (unavailable) console.warn(`skipping DynamoDB Streams tests: ${unavailable}`);

let d: DynamoDbLocal;
let redis: Redis;
let hub: TestHub | undefined;
beforeAll(async () => {
  if (unavailable) return;
  [d] = await Promise.all([startDynamoDbLocal()]);
  redis = new Redis(inject('redisUrl'));
}, 60_000);
afterAll(async () => { await redis?.quit(); await d?.stop(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

const ids = (c: Parameters<typeof records>[0]): string[] => records(c).map((r) => r.dynamodb.Keys.id.S);

describe.skipIf(unavailable)('dynamodb event source: delivery from DynamoDB Local', () => {
  it('delivers INSERT, MODIFY and REMOVE records as Lambda does, in order, and checkpoints the shard', async () => {
    const c = await dynamodbCase(d);
    await putItems(d, c, [{ id: 'a', status: 'new' }, { id: 'b', status: 'new' }]);
    await d.dynamodb.send(new UpdateItemCommand({
      TableName: c.table, Key: { id: { S: 'a' } }, UpdateExpression: 'SET #s = :s, photo = :p',
      ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'paid' }, ':p': { B: Buffer.from('png!') } },
    }));
    await deleteItem(d, c, 'b');
    hub = await startDynamodbHub(d, c, { batchSize: 2 });
    await waitFor(() => records(c).length >= 4, 15_000, 'four records');
    for (const event of events(c.callsFile)) expect(() => DynamoDBStreamSchema.parse(event)).not.toThrow();
    expect(batches(c)).toEqual([['a', 'b'], ['a', 'b']]);
    const [insert, , modify, remove] = records(c);
    expect(insert).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { id: { S: 'a' } },
        NewImage: { id: { S: 'a' }, status: { S: 'new' } },
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: c.streamArn,
    });
    expect(Math.abs(insert.dynamodb.ApproximateCreationDateTime - Date.now() / 1000)).toBeLessThan(120);
    expect(modify).toMatchObject({
      eventName: 'MODIFY',
      dynamodb: { OldImage: { status: { S: 'new' } }, NewImage: { status: { S: 'paid' }, photo: { B: Buffer.from('png!').toString('base64') } } },
    });
    expect(remove).toMatchObject({ eventName: 'REMOVE', dynamodb: { Keys: { id: { S: 'b' } }, OldImage: { id: { S: 'b' } } } });
    expect(remove.dynamodb.NewImage).toBeUndefined();
    const sequences = records(c).map((r) => r.dynamodb.SequenceNumber);
    expect([...sequences].sort()).toEqual(sequences);
    await waitFor(async () => Object.values(await checkpoints(redis, c)).includes(sequences[3]), 5000, 'the checkpoint at the last record');
  });

  it('reads the latest stream of `table:`, invoking only records the filter matches on the DynamoDB JSON image', async () => {
    const c = await dynamodbCase(d);
    hub = await startDynamodbHub(d, c, {
      stream: undefined, table: c.table, startingPosition: 'LATEST',
      filterCriteria: { filters: [{ pattern: '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}' }] },
    });
    await waitFor(async () => Object.keys(await checkpoints(redis, c, `table/${c.table}`)).length > 0, 10_000, 'the LATEST mark');
    await putItems(d, c, [{ id: 'x', status: 'new' }, { id: 'y', status: 'paid' }, { id: 'z', status: 'paid' }]);
    await deleteItem(d, c, 'y');
    await waitFor(() => ids(c).includes('z'), 15_000, 'the paid insert z');
    expect(ids(c)).toEqual(['y', 'z']);
    // DynamoDB Local names its streams in region `ddblocal`: records name the stream in the region
    // they are read in (the hub's), so eventSourceARN and awsRegion agree, as on AWS.
    expect(c.streamArn).toContain(':ddblocal:');
    for (const record of records(c)) {
      expect(record).toMatchObject({ awsRegion: 'us-east-1', eventSourceARN: c.streamArn.replace(':ddblocal:', ':us-east-1:') });
    }
  });

  it('follows `table:` to the stream of a table created again while the mapping runs, reading it from its start', async () => {
    const c = await dynamodbCase(d);
    hub = await startDynamodbHub(d, c, { stream: undefined, table: c.table, startingPosition: 'LATEST' });
    await waitFor(async () => Object.keys(await checkpoints(redis, c, `table/${c.table}`)).length > 0, 10_000, 'the LATEST mark');
    await putItems(d, c, [{ id: 'old' }]);
    await waitFor(() => ids(c).includes('old'), 10_000, 'the record of the first table');
    await d.dynamodb.send(new DeleteTableCommand({ TableName: c.table }));
    const streamArn = await createTable(d, c.table);
    await putItems(d, c, [{ id: 'new-1' }, { id: 'new-2' }]);
    await waitFor(() => ids(c).includes('new-2'), 15_000, 'the records of the table created again');
    expect(ids(c)).toEqual(['old', 'new-1', 'new-2']);
    expect(streamArn).not.toBe(c.streamArn);
    expect(records(c).slice(1).every((r) => r.eventSourceARN === streamArn.replace(':ddblocal:', ':us-east-1:'))).toBe(true);
  });

  it('with LATEST, skips what the stream held before the first start, and a restart before any record loses nothing', async () => {
    const c = await dynamodbCase(d);
    await putItems(d, c, [{ id: 'before' }]);
    hub = await startDynamodbHub(d, c, { startingPosition: 'LATEST' });
    // No AT_TIMESTAMP in the Streams API: the first start pins LATEST as a checkpoint at the shard's last record.
    const [pinned] = await waitFor(async () => { const values = Object.values(await checkpoints(redis, c)); return values.length ? values : undefined; }, 10_000, 'the pinned LATEST');
    await hub.stop();
    hub = undefined;
    await putItems(d, c, [{ id: 'while-stopped' }]);
    hub = await startDynamodbHub(d, c, { startingPosition: 'LATEST' });
    await putItems(d, c, [{ id: 'after' }]);
    await waitFor(() => ids(c).includes('after'), 10_000, 'the record written after the restart');
    expect(ids(c)).toEqual(['while-stopped', 'after']);
    expect(records(c)[0].dynamodb.SequenceNumber > pinned).toBe(true);
  });

  it('retries a failing batch, sends DDBStreamBatchInfo to the on-failure destination (Lambda\'s destinationConfig form) and moves on', async () => {
    const c = await dynamodbCase(d);
    await putItems(d, c, [{ id: 'p', cmd: 'throw' }, { id: 'q' }]);
    hub = await startDynamodbHub(d, c, { maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: 'failures' } } });
    const [failure] = await waitFor(() => failureRecords(c), 15_000, 'the on-failure record');
    expect(batches(c)).toEqual([['p', 'q'], ['p', 'q']]);
    const [first, last] = events(c.callsFile)[0].Records;
    const arrival = (r: { dynamodb: { ApproximateCreationDateTime: number } }) => new Date(r.dynamodb.ApproximateCreationDateTime * 1000).toISOString();
    expect(failure).toEqual(exhaustedFailureRecord({ DDBStreamBatchInfo: {
      shardId: expect.stringMatching(/^shardId-/),
      startSequenceNumber: first.dynamodb.SequenceNumber,
      endSequenceNumber: last.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: 2,
      streamArn: c.streamArn,
    } }, 2));
    await putItems(d, c, [{ id: 'r' }]);
    await waitFor(() => ids(c).includes('r'), 10_000, 'the next record');
  });

  it('with ReportBatchItemFailures checkpoints before the lowest failed record and retries from it', async () => {
    const c = await dynamodbCase(d);
    await putItems(d, c, [{ id: 'a' }, { id: 'b', cmd: 'fail' }, { id: 'c' }]);
    hub = await startDynamodbHub(d, c, { functionResponseTypes: ['ReportBatchItemFailures'], maximumRetryAttempts: 1, destinations: { onFailure: 'failures' } });
    const [failure] = await waitFor(() => failureRecords(c), 15_000, 'the on-failure record');
    expect(batches(c)).toEqual([['a', 'b', 'c'], ['b', 'c']]);
    const last = records(c).at(-1).dynamodb.SequenceNumber;
    await waitFor(async () => Object.values(await checkpoints(redis, c)).includes(last), 5000, 'the checkpoint past the given-up records');
    expect(failure.DDBStreamBatchInfo).toMatchObject({ batchSize: 2, streamArn: c.streamArn });
    expect(failure.responseContext.functionError).toBeUndefined();
  });

  it('resumes after a restart exactly after the checkpoint, and a second hub waits for the lease', async () => {
    const c = await dynamodbCase(d);
    await putItems(d, c, [{ id: '1' }, { id: '2' }]);
    hub = await startDynamodbHub(d, c);
    await waitFor(() => ids(c).length === 2, 10_000, 'the first records');
    await waitFor(async () => Object.values(await checkpoints(redis, c)).length === 1, 5000, 'a checkpoint');
    const other = await startDynamodbHub(d, c);
    try {
      await putItems(d, c, [{ id: '3' }]);
      await waitFor(() => ids(c).includes('3'), 10_000, 'record 3');
      await hub.stop();
      hub = undefined;
      await putItems(d, c, [{ id: '4' }]);
      await waitFor(() => ids(c).includes('4'), 15_000, 'record 4, read by the other hub once the lease is free');
    } finally {
      await other.stop();
    }
    expect(ids(c)).toEqual(['1', '2', '3', '4']);
  });
});
