/**
 * A local S3 for `npm start`'s examples, where no MinIO runs: s3rver (SigV4-checking S3 API) on
 * 127.0.0.1:9100 with MinIO's default keys (minioadmin/minioadmin) and the buckets `images` and
 * `thumbnails`. s3rver has no bucket notifications, so this process forwards every object event of
 * `images` to the hub's MinIO webhook in MinIO's body format, as MinIO's `notify_webhook` would.
 * A POST the hub does not accept (not started yet, restarting) is retried until it is: an upload
 * made before the hub listens still reaches the thumbnail function.
 *
 * Env: LOCAL_S3_PORT (9100), LOCAL_S3_DIR (.triggerhub/local-s3), HUB_URL (http://127.0.0.1:9000),
 * MINIO_WEBHOOK_TOKEN (change-me-webhook-token), IMAGES_BUCKET (images), THUMBNAIL_BUCKET (thumbnails).
 */
import { setTimeout as delay } from 'node:timers/promises';
import S3rver from 's3rver';
import account from 's3rver/lib/models/account.js';
import { writeObjectsAtomically } from '../src/cloud/s3rver-atomic-put.js';
import { postMinio, toMinioRecord } from '../test/helpers/s3-bridge.js';

const port = Number(process.env.LOCAL_S3_PORT ?? 9100);
const directory = process.env.LOCAL_S3_DIR ?? '.triggerhub/local-s3';
const hubUrl = process.env.HUB_URL ?? `http://127.0.0.1:${process.env.TRIGGERHUB_PORT ?? 9000}`;
const token = process.env.MINIO_WEBHOOK_TOKEN ?? 'change-me-webhook-token';
const images = process.env.IMAGES_BUCKET ?? 'images';
const thumbnails = process.env.THUMBNAIL_BUCKET ?? 'thumbnails';
const webhook = `${hubUrl}/s3/thumbnail`;

(account as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT.createKeyPair('minioadmin', 'minioadmin');

const server = new S3rver({
  port, address: '127.0.0.1', silent: true, directory, resetOnClose: false,
  configureBuckets: [{ name: images, configs: [] }, { name: thumbnails, configs: [] }],
});
// S3's PUT is atomic (a GET during an upload never reads it short): as in the hub's local cloud.
writeObjectsAtomically(server.store);

/** Events wait here in order until the hub accepts them. */
const pending: Array<Record<string, unknown>> = [];
let draining = false;

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  let wait = 250;
  while (pending.length) {
    const record = pending[0];
    const status = await postMinio(webhook, [record], token).then((r) => r.status, () => 0);
    if (status >= 200 && status < 300) {
      pending.shift();
      wait = 250;
    } else if (status >= 400 && status < 500 && status !== 404 && status !== 429) {
      // The hub refused this event for good (bad token, wrong bucket): say so, do not block the rest.
      console.error(`local-s3: ${webhook} answered ${status}; event for ${String((record.s3 as { object: { key: string } }).object.key)} dropped`);
      pending.shift();
    } else {
      await delay(wait);
      wait = Math.min(wait * 2, 5000);
    }
  }
  draining = false;
}

server.on('event', (event: { Records: Array<Record<string, any>> }) => {
  for (const record of event.Records) {
    if (record.s3.bucket.name !== images) continue;
    pending.push(toMinioRecord(record));
  }
  void drain();
});

await server.run();
console.error(`local-s3: S3 API on http://127.0.0.1:${port} (minioadmin/minioadmin), buckets ${images} and ${thumbnails}; ${images} notifies ${webhook}`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
