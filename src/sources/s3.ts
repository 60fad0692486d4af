import type { FunctionConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { defineSourceKind, type Source, type SourceContext } from './source.js';
import { configureBucket } from './s3/configure.js';
import type { DeliveryDeps } from './s3/deliver.js';
import { listenMinio } from './s3/listen.js';
import { compileMatcher } from './s3/match.js';
import { pollS3Queue } from './s3/queue.js';
import { s3SettingsSchema, type S3Settings } from './s3/settings.js';
import { registerS3Webhook } from './s3/webhook.js';

/** Default webhook route: `/s3/<fn>`, or `/s3/<fn>/<index>` when the function has several s3 mappings. */
export const S3_PATH_PREFIX = '/s3';

export function s3WebhookPath(fn: FunctionConfig, settings: S3Settings, index: number): string {
  if ('webhook' in settings.via && settings.via.webhook.path) return settings.via.webhook.path;
  const several = fn.events.filter((mapping) => 's3' in mapping).length > 1;
  return several ? `${S3_PATH_PREFIX}/${fn.name}/${index}` : `${S3_PATH_PREFIX}/${fn.name}`;
}

/**
 * `events: - s3: { bucket, events, filter, via }`: bucket notifications, invoked as S3 invokes
 * (asynchronously, one invocation per record) whichever way they come in: a MinIO webhook POST,
 * MinIO's listen stream, or an SQS queue (S3 → SQS, S3 → SNS → SQS).
 */
class S3Source implements Source {
  readonly id: string;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private stopping?: Promise<void>;

  constructor(private readonly fn: FunctionConfig, private readonly settings: S3Settings, private readonly index: number) {
    this.id = `s3:${fn.name}:${index}`;
  }

  async start(context: SourceContext): Promise<void> {
    const log = context.logger.child({ source: this.id });
    const deps: DeliveryDeps = { fn: this.fn, context, matches: compileMatcher(this.settings), log, sourceId: this.id };
    const { via } = this.settings;
    const { signal } = this.abort;
    if ('webhook' in via) {
      const path = s3WebhookPath(this.fn, this.settings, this.index);
      try {
        registerS3Webhook(context, path, via.webhook, deps);
      } catch (err) {
        throw new HubError('TH_ERR_CONFIG_INVALID', `functions.${this.fn.name}.events[${this.index}].s3.via.webhook.path: POST ${path} is already taken by another route`, { cause: err });
      }
      log.info({ event: 's3_source_started', bucket: this.settings.bucket, path }, `S3 webhook for ${this.settings.bucket} on POST ${path}`);
    } else if ('minio' in via) {
      this.running = listenMinio(this.settings, via.minio, deps, signal);
    } else {
      const configured = this.settings.configureBucket ? configureBucket(this.settings, via, context.config.region, log) : Promise.resolve();
      this.running = configured.then(() => pollS3Queue(via, deps, signal));
    }
    this.running?.catch((err: unknown) => log.error({ event: 's3_source_failed', err }, 's3 source failed'));
  }

  /** Stops intake (listen stream, queue poll) and waits for records being queued. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      await this.running?.catch(() => undefined);
    })();
    return this.stopping;
  }
}

export const s3Kind = defineSourceKind({
  name: 's3',
  settings: s3SettingsSchema,
  create: (fn, settings, index) => new S3Source(fn, settings, index),
});
