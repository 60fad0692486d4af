import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { Client } from 'minio';
import type { Logger } from '../../log.js';
import { deliverRecords, type DeliveryDeps } from './deliver.js';
import type { MinioSettings, S3Settings } from './settings.js';
import { backoffDelay } from '../kit/backoff.js';
import { pollLoop } from '../kit/poll-loop.js';
import { loadMinio } from '../../aws/lazy-sdk.js';
import { parseJson } from '../../json.js';

/** minio-js's default region, used to sign when none is configured. */
const DEFAULT_REGION = 'us-east-1';

/**
 * MinIO's ListenBucketNotification (pull): a long, SigV4-signed `GET /<bucket>?events=…&prefix=…&suffix=…`
 * streaming `{"Records":[...]}` JSON lines and whitespace keep-alives. The request is made and
 * signed by the minio client (the request `listenBucketNotification` makes); the lines are read
 * here, because the client's own poller reconnects without backoff, cannot be aborted, and throws
 * an uncaught error on a whitespace-only or malformed line. Every reconnect (stream ended or
 * failed) waits 1 s, 2 s, 4 s … 30 s; the wait resets once a record arrives. MinIO has no
 * acknowledgement: a record that cannot be queued is logged and lost, like any event sent while
 * nobody listens. Resolves when `signal` aborts, after in-flight enqueues settle.
 */
export async function listenMinio(settings: S3Settings, minio: MinioSettings, deps: DeliveryDeps, signal: AbortSignal): Promise<void> {
  const { log } = deps;
  const agent = minio.useSSL ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
  const { Client } = await loadMinio();
  const client = new Client({
    endPoint: minio.endPoint, port: minio.port, useSSL: minio.useSSL, transportAgent: agent,
    accessKey: minio.accessKey, secretKey: minio.secretKey, region: minio.region,
  });
  const pending = new Set<Promise<unknown>>();
  const onRecord = (record: unknown) => {
    const delivery = deliverRecords([record], deps)
      .catch((err: unknown) => log.error({ event: 's3_listen_enqueue_failed', err }, 'could not queue a MinIO record; it is lost'))
      .finally(() => pending.delete(delivery));
    pending.add(delivery);
  };
  let quiet = 0;
  await pollLoop({
    signal, log, errorEvent: 's3_listen_error', failure: `cannot listen to MinIO bucket ${settings.bucket}`,
    onHealth: (err) => { if (err) deps.context.report?.(deps.sourceId, { state: 'failing', lastError: `${err.name}: ${err.message}` }); },
  }, async () => {
    const records = await listenOnce(client, settings, minio.region ?? DEFAULT_REGION, onRecord, signal, log);
    if (signal.aborted) return 'done';
    // A stream that ended after records reconnects after 1 s; one that ended empty, ever later.
    quiet = records ? 0 : quiet + 1;
    const waitMs = backoffDelay(quiet);
    log.info({ event: 's3_listen_stream_ended', records, retryInMs: waitMs }, `MinIO ended the notification stream; reconnecting in ${waitMs} ms`);
    return { waitMs };
  });
  agent.destroy();
  await Promise.all(pending);
}

/** One listen request; resolves with the number of records once the stream ends. */
async function listenOnce(
  client: Client, settings: S3Settings, region: string, onRecord: (record: unknown) => void, signal: AbortSignal, log: Logger,
): Promise<number> {
  const query = [
    ...(settings.filter.prefix ? [`prefix=${escape(settings.filter.prefix)}`] : []),
    ...(settings.filter.suffix ? [`suffix=${escape(settings.filter.suffix)}`] : []),
    ...settings.events.flatMap(minioEventNames).map((event) => `events=${escape(event)}`),
  ].sort().join('&');
  const response = await client.makeRequestAsync({ method: 'GET', bucketName: settings.bucket, query }, '', [200], region);
  const abort = () => response.destroy();
  signal.addEventListener('abort', abort, { once: true });
  if (signal.aborted) abort();
  log.info({ event: 's3_listen_started', bucket: settings.bucket }, `listening to MinIO bucket ${settings.bucket}`);
  let records = 0;
  const handleLine = (line: string) => {
    const text = line.trim();
    if (!text) return; // keep-alive
    let parsed: { Records?: unknown[] | null };
    try {
      parsed = parseJson(text) as typeof parsed;
    } catch {
      log.warn({ event: 's3_listen_line_invalid', length: text.length }, 'skipped a notification line that is not JSON');
      return;
    }
    for (const record of Array.isArray(parsed?.Records) ? parsed.Records : []) {
      records += 1;
      onRecord(record);
    }
  };
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    // The stream's own iterator ends or throws when the response ends, fails or is destroyed.
    for await (const chunk of response as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(handleLine);
    }
    handleLine(rest + decoder.end());
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return records;
}

/** S3's tagging event types, which MinIO knows only under ObjectCreated (and refuses by S3's names). */
const MINIO_TAGGING_NAMES = new Map([
  ['s3:ObjectTagging:*', ['s3:ObjectCreated:PutTagging', 's3:ObjectCreated:DeleteTagging']],
  ['s3:ObjectTagging:Put', ['s3:ObjectCreated:PutTagging']],
  ['s3:ObjectTagging:Delete', ['s3:ObjectCreated:DeleteTagging']],
]);

/** The event types a listen request names for one of the mapping's: MinIO's names for S3's tagging types. */
function minioEventNames(event: string): string[] {
  return MINIO_TAGGING_NAMES.get(event) ?? [event];
}

/** RFC 3986 escaping, as minio-js escapes query values. */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
