import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The state stores of the embedded fauxqs (SQS, SNS; its S3 is unused). The local cloud builds them
 * itself (fauxqs's `buildApp({ stores })`) to look queues up as SQS does and to snapshot and restore
 * them (sqs-sns-snapshot.ts).
 *
 * SQS finds a queue by account and name whatever host its URL names; fauxqs only by the exact URL it
 * made (`http://sqs.<region>.localhost:<port>/...`, a host that does not resolve here). Handlers get
 * `http://127.0.0.1:<port>/<account>/<name>` (the SDK sends to a queue URL's host), so the queue
 * store falls back to the name in the URL, as SQS does.
 */
export type FauxqsStores = NonNullable<NonNullable<Parameters<typeof import('fauxqs').buildApp>[0]>['stores']>;
export type SqsStore = FauxqsStores['sqsStore'];
export type SnsStore = FauxqsStores['snsStore'];
export type SqsQueue = NonNullable<ReturnType<SqsStore['getQueue']>>;

interface SqsStoreClass { new (): SqsStore; prototype: SqsStore }
let sqsStoreClass: SqsStoreClass | undefined;

export async function fauxqsStores(): Promise<FauxqsStores> {
  const dist = path.dirname(realpathSync(fileURLToPath(import.meta.resolve('fauxqs'))));
  const load = (file: string) => import(pathToFileURL(path.join(dist, file)).href);
  const [{ SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([load('sqs/sqsStore.js'), load('sns/snsStore.js'), load('s3/s3Store.js')]);
  if (!sqsStoreClass) {
    sqsStoreClass = class extends (SqsStore as SqsStoreClass) {
      getQueue(url: string) {
        return super.getQueue(url) ?? this.getQueueByName(String(url).split('/').pop() ?? '') as ReturnType<SqsStoreClass['prototype']['getQueue']>;
      }
    } as unknown as SqsStoreClass;
  }
  return { sqsStore: new sqsStoreClass(), snsStore: new SnsStore(), s3Store: new S3Store() };
}
