import { randomUUID } from 'node:crypto';
import { arnOf, globalArnOf } from '../arn.js';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { buildAlbEvent } from '../sources/alb/event.js';
import { buildV1Event } from '../sources/http/event-v1.js';
import type { IncomingHttp } from '../sources/http/request.js';
import type { MatchedRoute } from '../sources/http/shape.js';
import { httpApiShape } from '../sources/http/shapes.js';
import { DEFAULT_STAGE } from '../sources/http/stage.js';
import { toDynamodbRecord } from '../sources/dynamodb/records.js';
import { toKinesisRecord } from '../sources/kinesis/records.js';
import { normaliseRecord } from '../sources/s3/record.js';
import { buildScheduledEvent } from '../sources/schedule/event.js';
import { buildSnsEvent } from '../sources/sns/event.js';
import type { SnsNotification } from '../sources/sns/message.js';
import { arnFromUrl } from '../sources/sqs/queue.js';
import { toSqsRecord } from '../sources/sqs/records.js';
import { streamArn, toStreamRecord } from '../sources/stream/records.js';
import { mappingsOf } from './overview.js';

/** An event to start from in the console's invoke editor. */
export interface SampleEvent { label: string; event: unknown }

type Settings = Record<string, unknown>;
const str = (settings: Settings, key: string, fallback: string) => (typeof settings[key] === 'string' ? settings[key] as string : fallback);
const BODY = JSON.stringify({ hello: 'world' });

/** A JSON request (POST unless said) to the mapping's path (parameters filled with `sample`), as the HTTP shapes read requests. */
function sampleRequest(config: HubConfig, settings: Settings, method = 'POST'): { incoming: IncomingHttp; route: MatchedRoute } {
  const resource = str(settings, 'path', '/');
  const pathParameters: Record<string, string> = {};
  const path = resource.replace(/\{(\w+)\+?\}/g, (_m, name: string) => { pathParameters[name] = 'sample'; return 'sample'; });
  const incoming: IncomingHttp = {
    method, rawPath: path, rawQueryString: '', sourceIp: '127.0.0.1', userAgent: 'curl/8.0', protocol: 'HTTP/1.1',
    headers: [['host', '127.0.0.1:9000'], ['content-type', 'application/json'], ['user-agent', 'curl/8.0']],
    body: Buffer.from(BODY), contentType: 'application/json',
  };
  const route: MatchedRoute = {
    resource, path, accountId: config.accountId, region: config.region, apiId: 'sample', domainName: '127.0.0.1',
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
  };
  return { incoming, route };
}

/**
 * One sample per kind of the function's mappings, built by the same code the sources use (so the
 * shape is the one the handler gets), with made-up ids and a small JSON body.
 */
const BUILDERS = new Map<string, (config: HubConfig, fn: FunctionConfig, settings: Settings, index: number) => unknown>([
  ['http', (config, _fn, s) => {
    const methods = Array.isArray(s.methods) ? s.methods.map(String) : ['ANY'];
    const { incoming, route } = sampleRequest(config, s, methods.includes('ANY') ? 'POST' : methods[0]);
    const shape = httpApiShape(methods, route.resource, s.payloadFormatVersion === '1.0' ? '1.0' : '2.0', str(s, 'stage', DEFAULT_STAGE));
    return shape.build(incoming, route, randomUUID(), new Date());
  }],
  ['api', (config, _fn, s) => {
    const { incoming, route } = sampleRequest(config, s);
    return buildV1Event(incoming, route, { stage: str(s, 'stage', 'Prod') }, randomUUID(), new Date());
  }],
  ['alb', (config, fn, s) => buildAlbEvent(sampleRequest(config, s).incoming,
    arnOf(config.region, 'elasticloadbalancing', config.accountId, `targetgroup/${fn.name}/sample`), s.multiValueHeaders === true)],
  ['sqs', (config, _fn, s) => {
    const queue = str(s, 'queue', 'https://sqs.us-east-1.amazonaws.com/000000000000/queue');
    const name = queue.split(/[/:]/).pop()!;
    const arn = queue.startsWith('arn:') ? queue : arnFromUrl(queue, config.region);
    const now = String(Date.now());
    return { Records: [toSqsRecord({ MessageId: randomUUID(), ReceiptHandle: 'sample', Body: BODY, Attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: config.accountId, ApproximateFirstReceiveTimestamp: now } },
      { url: queue, arn, region: arn.split(':')[3], fifo: name.endsWith('.fifo'), visibilityTimeoutSeconds: 30 })] };
  }],
  ['sns', (config, _fn, s) => {
    const topic = str(s, 'topic', arnOf(config.region, 'sns', config.accountId, 'topic'));
    const notification = {
      Type: 'Notification', MessageId: randomUUID(), TopicArn: topic, Message: BODY, Timestamp: new Date().toISOString(),
      SignatureVersion: '1', Signature: 'sample', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/sample.pem', UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    } as SnsNotification;
    return buildSnsEvent(notification, `${topic}:${randomUUID()}`);
  }],
  ['s3', (config, _fn, s) => ({ Records: [normaliseRecord({
    eventName: 's3:ObjectCreated:Put', awsRegion: config.region, eventTime: new Date().toISOString(),
    userIdentity: { principalId: 'AWS:SAMPLE' }, requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'SAMPLE', 'x-amz-id-2': 'SAMPLE' },
    s3: { bucket: { name: str(s, 'bucket', 'bucket') }, object: { key: 'uploads/sample file.json', size: BODY.length, eTag: 'sample', sequencer: '0' } },
  } as Parameters<typeof normaliseRecord>[0], config.region).record] })],
  ['schedule', (config, fn, s, index) => (s.input !== undefined ? s.input : buildScheduledEvent(config, { fn: fn.name, index }, Date.now()))],
  ['kinesis', (config, _fn, s) => {
    const stream = str(s, 'stream', 'stream');
    const arn = arnOf(config.region, 'kinesis', config.accountId, `stream/${stream}`);
    return { Records: [toKinesisRecord({ SequenceNumber: '49590338271490256608559692538361571095921575989136588898', PartitionKey: 'sample', Data: Buffer.from(BODY), ApproximateArrivalTimestamp: new Date() },
      'shardId-000000000000', { streamArn: arn, region: config.region, identityArn: globalArnOf(config.region, 'iam', config.accountId, 'role/lambda-role') })] };
  }],
  ['dynamodb', (config, _fn, s) => {
    const arn = str(s, 'stream', arnOf(config.region, 'dynamodb', config.accountId, `table/${str(s, 'table', 'table')}/stream/2026-01-01T00:00:00.000`));
    return { Records: [toDynamodbRecord({
      eventID: randomUUID().replaceAll('-', ''), eventName: 'INSERT', eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: config.region,
      dynamodb: {
        ApproximateCreationDateTime: new Date(), Keys: { id: { S: 'sample' } }, NewImage: { id: { S: 'sample' }, hello: { S: 'world' } },
        SequenceNumber: '100000000000000000001', SizeBytes: 26, StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    }, arn, config.region)] };
  }],
  ['stream', (config, fn, s) => {
    const key = str(s, 'key', 'stream');
    const id = `${Date.now()}-0`;
    return { Records: [toStreamRecord({ id, fields: [['data', Buffer.from(BODY)]] },
      { key, group: str(s, 'group', `triggerhub-${fn.name}`), arn: streamArn(str(s, 'redis', config.redis ?? 'redis://127.0.0.1:6379'), key), region: config.region })] };
  }],
]);

export function samplesFor(config: HubConfig, fn: FunctionConfig): SampleEvent[] {
  const samples: SampleEvent[] = [{ label: 'direct invoke', event: { hello: 'world' } }];
  for (const mapping of mappingsOf(fn)) {
    const build = BUILDERS.get(mapping.kind);
    if (build) samples.push({ label: `${mapping.kind} (events[${mapping.index}])`, event: build(config, fn, mapping.settings as Settings, mapping.index) });
  }
  return samples;
}
