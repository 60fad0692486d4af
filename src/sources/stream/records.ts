import { batchRange, type BatchRange } from '../kit/failure-record.js';
import { setOwn } from '../../own.js';
import { recordFields, type FilterSubject } from '../../filters/criteria.js';

/**
 * The Redis Streams event, Kinesis-like: one record per stream entry. Built here only.
 */

/** The CloudEvents type of Redis Streams envelopes; `data` is a RedisStreamEvent. */
export const STREAM_ENVELOPE_TYPE = 'triggerhub.redis-stream';
export const STREAM_EVENT_SOURCE = 'triggerhub:redis-stream';

/** One stream entry as read: its id and raw field/value pairs. */
export interface StreamEntry {
  id: string;
  fields: Array<[string, Buffer]>;
}

export interface RedisStreamRecord {
  eventSource: typeof STREAM_EVENT_SOURCE;
  /** `redis://<host:port>/<key>` (never the password). */
  eventSourceARN: string;
  /** `<key>:<entry id>` */
  eventID: string;
  eventName: 'stream:record';
  eventVersion: '1.0';
  awsRegion: string;
  stream: {
    key: string;
    group: string;
    id: string;
    /** The entry's `partitionKey` field, else the stream key. */
    partitionKey: string;
    /** base64 of the `data` field's bytes; without one, base64 of the JSON of all fields. */
    data: string;
    /** Every field of the entry (values as UTF-8 text). */
    fields: Record<string, string>;
    /** Seconds since the epoch, from the id's millisecond part. */
    approximateArrivalTimestamp: number;
    /** The entry id (what `batchItemFailures[].itemIdentifier` names). */
    sequenceNumber: string;
  };
}

/** Filters see a record's `stream` object, its `data` parsed when it is JSON (see filterSubject). */
export const STREAM_FILTER_SUBJECT: FilterSubject = {
  of: "a Redis stream record's stream object (what filters see)",
  fields: recordFields({
    key: null, group: null, id: null, partitionKey: null, data: null, fields: null, approximateArrivalTimestamp: null, sequenceNumber: null,
  } satisfies Record<keyof RedisStreamRecord['stream'], null>),
  dataField: 'data',
};

export interface RedisStreamEvent {
  Records: RedisStreamRecord[];
}

export interface StreamIdentity {
  key: string;
  group: string;
  arn: string;
  region: string;
}

/** `redis://<host:port>/<key>`: the stream's address without credentials or database. */
export function streamArn(redisUrl: string, key: string): string {
  return `redis://${new URL(redisUrl).host}/${key}`;
}

/** Epoch ms an entry was added, from its id (`<ms>-<seq>`). */
export const arrivalMsOf = (id: string): number => Number(id.slice(0, id.indexOf('-')));

export function toStreamRecord(entry: StreamEntry, stream: StreamIdentity): RedisStreamRecord {
  const fields: Record<string, string> = {};
  let data: Buffer | undefined;
  for (const [name, value] of entry.fields) {
    setOwn(fields, name, value.toString('utf8'));
    if (name === 'data') data = value;
  }
  return {
    eventSource: STREAM_EVENT_SOURCE,
    eventSourceARN: stream.arn,
    eventID: `${stream.key}:${entry.id}`,
    eventName: 'stream:record',
    eventVersion: '1.0',
    awsRegion: stream.region,
    stream: {
      key: stream.key,
      group: stream.group,
      id: entry.id,
      partitionKey: fields.partitionKey ?? stream.key,
      data: (data ?? Buffer.from(JSON.stringify(fields))).toString('base64'),
      fields,
      approximateArrivalTimestamp: arrivalMsOf(entry.id) / 1000,
      sequenceNumber: entry.id,
    },
  };
}

/**
 * What filter criteria see: the record's `stream` object with `data` as UTF-8 text (the patterns
 * module parses it as JSON), so patterns read `{ data: {...}, partitionKey: [...], fields: {...} }`.
 */
export function filterSubject(record: RedisStreamRecord): Record<string, unknown> {
  return { ...record.stream, data: Buffer.from(record.stream.data, 'base64').toString('utf8') };
}

/** `StreamBatchInfo` of the on-failure record: the Redis analogue of `KinesisBatchInfo`. */
export type StreamBatchInfo = { key: string; group: string } & BatchRange;

export function streamBatchInfo(records: RedisStreamRecord[], stream: StreamIdentity): StreamBatchInfo {
  const range = batchRange(records, (r) => r.stream.sequenceNumber, (r) => arrivalMsOf(r.stream.id), stream.arn);
  return { key: stream.key, group: stream.group, ...range };
}
