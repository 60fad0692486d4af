import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { dynamodbEndpoints } from '../src/sources/dynamodb/client.js';
import { itemKey, toDynamodbRecord } from '../src/sources/dynamodb/records.js';
import { dynamodbSettingsSchema, latestStreamTable } from '../src/sources/dynamodb/settings.js';
import { FIXTURES } from './helpers/paths.js';

const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000';
const configError = (dynamodb: Record<string, unknown>): string => {
  try {
    buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ dynamodb }] } } }, { baseDir: FIXTURES });
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('dynamodb settings', () => {
  it('applies Lambda defaults', () => {
    expect(dynamodbSettingsSchema.parse({ stream: ARN, startingPosition: 'LATEST' })).toMatchObject({
      batchSize: 100, maximumBatchingWindowInSeconds: 0, parallelizationFactor: 1, bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, functionResponseTypes: [],
    });
  });

  it('names the bad field and rule at load', () => {
    expect(configError({ startingPosition: 'LATEST' })).toContain('functions.f.events[0].dynamodb: needs exactly one of stream (the stream ARN) or table');
    expect(configError({ stream: ARN, table: 'orders', startingPosition: 'LATEST' })).toContain('needs exactly one of stream');
    expect(configError({ stream: 'orders', startingPosition: 'LATEST' })).toContain('functions.f.events[0].dynamodb.stream: must be a DynamoDB stream ARN');
    expect(configError({ table: 'o', startingPosition: 'LATEST' })).toContain('dynamodb.table: must be a DynamoDB table name');
    expect(configError({ table: 'orders', startingPosition: 'AT_TIMESTAMP' }))
      .toContain('dynamodb.startingPosition: must be one of TRIM_HORIZON, LATEST, not "AT_TIMESTAMP" (Lambda starts DynamoDB streams at TRIM_HORIZON or LATEST only)');
    expect(configError({ table: 'orders' })).toContain('dynamodb.startingPosition: is required: one of TRIM_HORIZON, LATEST');
    expect(configError({ table: 'orders', startingPosition: 'LATEST', batchSize: 10_001 })).toContain('dynamodb.batchSize: must be between 1 and 10000');
    expect(configError({ table: 'orders', startingPosition: 'LATEST', parallelizationFactor: 11 })).toContain('dynamodb.parallelizationFactor: must be between 1 and 10');
    expect(configError({ table: 'orders', startingPosition: 'LATEST', maximumRecordAgeInSeconds: 30 })).toContain('must be -1 (no limit) or an integer between 60 and 604800');
    expect(configError({ table: 'orders', startingPosition: 'LATEST', destinationConfig: { onFailure: { destination: 'ghost' } } }))
      .toContain('functions.f.events[0].dynamodb.destinationConfig.onFailure: "ghost" is not a configured function');
    expect(configError({ table: 'orders', startingPosition: 'LATEST', destinations: { onFailure: 'dlq' } }))
      .toContain('dynamodb.destinations.onFailure: "dlq" is not a configured function: stream failure records carry no event');
    expect(configError({ table: 'orders', startingPosition: 'LATEST', filterCriteria: { filters: [{ pattern: '{"eventName":' }] } })).toContain('dynamodb.filterCriteria');
  });

  it('finds the endpoint in the setting, then AWS_ENDPOINT_URL_DYNAMODB_STREAMS, then AWS_ENDPOINT_URL_DYNAMODB', () => {
    const settings = dynamodbSettingsSchema.parse({ stream: ARN, startingPosition: 'LATEST' });
    expect(dynamodbEndpoints(settings, 'us-east-1', {})).toEqual({ streams: undefined, dynamodb: undefined, region: 'eu-west-1' });
    expect(dynamodbEndpoints(settings, 'us-east-1', { AWS_ENDPOINT_URL_DYNAMODB: 'http://d:1' })).toEqual({ streams: 'http://d:1', dynamodb: 'http://d:1', region: 'eu-west-1' });
    expect(dynamodbEndpoints(settings, 'us-east-1', { AWS_ENDPOINT_URL_DYNAMODB: 'http://d:1', AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://s:2' }))
      .toEqual({ streams: 'http://s:2', dynamodb: 'http://d:1', region: 'eu-west-1' });
    const table = dynamodbSettingsSchema.parse({ table: 'orders', startingPosition: 'LATEST', endpoint: 'http://e:3' });
    expect(dynamodbEndpoints(table, 'us-east-1', { AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://s:2' })).toEqual({ streams: 'http://e:3', dynamodb: 'http://e:3', region: 'us-east-1' });
  });

  it('reads the latest stream of `table:`, and of a stream ARN with the templates\' placeholder label', () => {
    expect(latestStreamTable({ table: 'orders' })).toBe('orders');
    expect(latestStreamTable({ stream: ARN })).toBeUndefined();
    expect(latestStreamTable({ stream: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/1970-01-01T00:00:00.000' })).toBe('orders');
  });
});

describe('dynamodb records', () => {
  it('builds a TTL delete as Lambda delivers it: userIdentity, epoch seconds, binary in base64', () => {
    const raw: _Record = {
      eventID: 'e1', eventName: 'REMOVE', eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-01-02T03:04:05Z'),
        Keys: { pk: { S: 'a' }, sk: { N: '1' } },
        OldImage: { pk: { S: 'a' }, sk: { N: '1' }, blob: { B: Buffer.from('hi') }, tags: { BS: [Buffer.from('x')] }, nested: { M: { b: { B: Buffer.from('y') } } }, list: { L: [{ NULL: true }, { BOOL: false }] } },
        SequenceNumber: '100', SizeBytes: 42, StreamViewType: 'OLD_IMAGE',
      },
      userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
    };
    const record = toDynamodbRecord(raw, ARN, 'eu-west-1');
    expect(record).toEqual({
      eventID: 'e1', eventName: 'REMOVE', eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-01-02T03:04:05Z') / 1000,
        Keys: { pk: { S: 'a' }, sk: { N: '1' } },
        OldImage: { pk: { S: 'a' }, sk: { N: '1' }, blob: { B: 'aGk=' }, tags: { BS: ['eA=='] }, nested: { M: { b: { B: 'eQ==' } } }, list: { L: [{ NULL: true }, { BOOL: false }] } },
        SequenceNumber: '100', SizeBytes: 42, StreamViewType: 'OLD_IMAGE',
      },
      eventSourceARN: ARN,
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
    expect(() => DynamoDBStreamSchema.parse({ Records: [record] })).not.toThrow();
  });

  it('keys lanes by the item key, whatever the attribute order', () => {
    const key = (Keys: Record<string, unknown>) => itemKey({ dynamodb: { Keys } } as never);
    expect(key({ pk: { S: 'a' }, sk: { N: '1' } })).toBe(key({ sk: { N: '1' }, pk: { S: 'a' } }));
    expect(key({ pk: { S: 'a' }, sk: { N: '1' } })).not.toBe(key({ pk: { S: 'a' }, sk: { N: '2' } }));
  });
});

describe('a DynamoDB checkpoint whose records have left the stream', () => {
  it('reads on from the oldest record the stream keeps (TRIM_HORIZON), with a warning, instead of failing for ever', async () => {
    const { TrimmedDataAccessException } = await import('@aws-sdk/client-dynamodb-streams');
    const { runShard } = await import('../src/sources/kit/shards/shard-worker.js');
    const { DYNAMODB_TIMINGS } = await import('../src/sources/dynamodb.js');
    const { jsonLogLines } = await import('./helpers/log-capture.js');
    const { createLogger } = await import('../src/log.js');
    const starts: unknown[] = [];
    const record = { eventID: '1', dynamodb: { SequenceNumber: '900', ApproximateCreationDateTime: new Date() } } as _Record;
    const reader = {
      timestamps: false,
      describe: async () => ({ arn: 'arn', region: 'r', incarnation: 'arn', retentionSeconds: 86_400 }),
      listShards: async () => [],
      iterator: async (_shard: string, start: { type: string }) => {
        starts.push(start);
        // What the service answers for a sequence number past its trim horizon.
        if (start.type === 'AFTER_SEQUENCE_NUMBER') throw new TrimmedDataAccessException({ message: 'The operation attempted to read past the oldest stream record in a shard.', $metadata: {} });
        return 'from-the-oldest';
      },
      read: async () => ({ records: [record], next: undefined }), // the shard then ends (closed)
      sequenceOf: (r: _Record) => r.dynamodb!.SequenceNumber!,
      arrivalMsOf: () => Date.now(),
      close: () => undefined,
    };
    const { lines, destination } = jsonLogLines();
    const processed: string[] = [];
    const result = await runShard({
      reader, shardId: 'shardId-1', log: createLogger({ destination, level: 'info' }), signal: new AbortController().signal,
      settings: dynamodbSettingsSchema.parse({ stream: 'arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/2020-01-01T00:00:00.000', startingPosition: 'LATEST' }),
      timings: DYNAMODB_TIMINGS, kind: 'dynamodb',
      position: async () => ({ sequence: '100', fromStart: false }), // a checkpoint from before a long stop
      build: (raw) => raw,
      process: async (records) => { processed.push(...records.map((r) => r.dynamodb!.SequenceNumber!)); return true; },
      finish: async () => undefined,
    });
    expect(result).toBe('ended');
    expect(starts).toEqual([{ type: 'AFTER_SEQUENCE_NUMBER', sequence: '100' }, { type: 'TRIM_HORIZON' }]);
    expect(processed).toEqual(['900']);
    expect(lines.filter((line) => line.event === 'dynamodb_checkpoint_trimmed')).toEqual([expect.objectContaining({ level: 40, shardId: 'shardId-1', sequence: '100' })]);
  });
});
