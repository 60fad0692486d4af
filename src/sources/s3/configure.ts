import type { FilterRule } from '@aws-sdk/client-s3';
import type { Logger } from '../../log.js';
import { arnFromUrl } from '../sqs/queue.js';
import type { S3Settings, SqsViaSettings } from './settings.js';
import { loadS3 } from '../../aws/lazy-sdk.js';

/**
 * `configureBucket: true`: points the bucket's notifications at the mapping's queue
 * (PutBucketNotificationConfiguration with one QueueConfiguration: the mapping's events and key
 * filter). This replaces the bucket's whole notification configuration, as the API does. A server
 * without the API (s3rver answers NotImplemented) or any other failure is a warning: the hub
 * still polls the queue. Never throws.
 */
export async function configureBucket(settings: S3Settings, via: SqsViaSettings, hubRegion: string, log: Logger): Promise<void> {
  const { PutBucketNotificationConfigurationCommand, S3Client } = await loadS3();
  const region = settings.region ?? via.region ?? hubRegion;
  const client = new S3Client({ region, endpoint: settings.endpoint, forcePathStyle: Boolean(settings.endpoint) });
  const queueArn = arnFromUrl(via.sqs, region);
  const rules: FilterRule[] = [];
  if (settings.filter.prefix) rules.push({ Name: 'prefix', Value: settings.filter.prefix });
  if (settings.filter.suffix) rules.push({ Name: 'suffix', Value: settings.filter.suffix });
  try {
    await client.send(new PutBucketNotificationConfigurationCommand({
      Bucket: settings.bucket,
      NotificationConfiguration: {
        QueueConfigurations: [{
          Id: `triggerhub-${queueArn.split(':').pop()}`,
          QueueArn: queueArn,
          Events: settings.events as never,
          ...(rules.length ? { Filter: { Key: { FilterRules: rules } } } : {}),
        }],
      },
    }));
    log.info({ event: 's3_bucket_configured', bucket: settings.bucket, queueArn }, `bucket ${settings.bucket} notifies ${queueArn}`);
  } catch (err) {
    const code = (err as { name?: string }).name;
    const hint = code === 'NotImplemented' ? ' (this S3 server does not implement bucket notifications; configure them another way)' : '';
    log.warn({ event: 's3_bucket_configure_failed', bucket: settings.bucket, queueArn, code, message: (err as Error).message },
      `could not set the notification configuration of ${settings.bucket}${hint}; polling the queue anyway`);
  } finally {
    client.destroy();
  }
}
