import type { NormalisedRecord } from './record.js';
import type { S3Settings } from './settings.js';

/** Whether a record passes the mapping's filters, as S3 applies a notification configuration. */
export type RecordMatcher = (record: NormalisedRecord) => boolean;

/**
 * The bucket must be the mapping's; `events` entries match `s3:<eventName>` exactly or, ending in
 * `*`, by prefix (`s3:ObjectCreated:*`, `s3:*`); `filter.prefix`/`filter.suffix` apply to the
 * decoded key.
 */
export function compileMatcher(settings: Pick<S3Settings, 'bucket' | 'events' | 'filter'>): RecordMatcher {
  const tests = settings.events.map((pattern) => (pattern.endsWith('*')
    ? (name: string) => name.startsWith(pattern.slice(0, -1))
    : (name: string) => name === pattern));
  const { prefix = '', suffix = '' } = settings.filter;
  return ({ record, key, bucket }) => bucket === settings.bucket
    && tests.some((test) => test(`s3:${record.eventName}`))
    && key.startsWith(prefix) && key.endsWith(suffix);
}
