import { setTimeout as delay } from 'node:timers/promises';
import type { HubConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import { s3WebhookPath } from '../sources/s3.js';
import type { S3Settings } from '../sources/s3/settings.js';
import { toAwsRecord, type S3rverRecord } from './s3-records.js';

/**
 * Bucket notifications for the embedded S3 (s3rver has none of its own): each object event of a
 * bucket some function's `s3` mapping watches is posted, in order, to that mapping's webhook route
 * on the hub, as a notification target would; a refusal the hub may get over (not listening yet,
 * Redis busy) is retried with backoff. Events wait in memory until the hub takes them.
 */
export type Post = (path: string, body: string, token?: string) => Promise<number>;

interface Route { path: string; token?: string }

const MAX_BACKOFF_MS = 5000;

export class S3Notifications {
  private readonly routes = new Map<string, Route[]>();
  private readonly pending: Array<{ route: Route; records: S3rverRecord[] }> = [];
  private post?: Post;
  private draining?: Promise<void>;
  private stopped = false;

  constructor(config: HubConfig, private readonly log: Logger) {
    for (const fn of Object.values(config.functions)) {
      fn.events.forEach((mapping, index) => {
        const settings = mapping.s3 as S3Settings | undefined;
        if (!settings || !('webhook' in settings.via)) return;
        const list = this.routes.get(settings.bucket) ?? [];
        list.push({ path: s3WebhookPath(fn, settings, index), token: settings.via.webhook.authToken });
        this.routes.set(settings.bucket, list);
      });
    }
  }

  /** s3rver's 'event' listener. */
  readonly onEvent = (event: { Records: S3rverRecord[] }): void => {
    for (const record of event.Records) {
      for (const route of this.routes.get(record.s3?.bucket?.name) ?? []) this.pending.push({ route, records: [toAwsRecord(record)] });
    }
    this.drain();
  };

  /** Starts delivering (the hub listens now). */
  connect(post: Post): void {
    this.post = post;
    this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
    if (this.pending.length) this.log.warn({ event: 'cloud_s3_events_dropped', count: this.pending.length }, `${this.pending.length} S3 events not delivered before stop`);
  }

  private drain(): void {
    if (this.draining || !this.post || this.stopped) return;
    const post = this.post;
    this.draining = (async () => {
      let wait = 100;
      while (this.pending.length && !this.stopped) {
        const { route, records } = this.pending[0];
        const status = await post(route.path, JSON.stringify({ Records: records }), route.token).catch(() => 0);
        if (status >= 200 && status < 300) {
          this.pending.shift();
          wait = 100;
        } else if (status >= 400 && status < 500 && status !== 404 && status !== 429) {
          this.log.error({ event: 'cloud_s3_event_refused', status, path: route.path }, `the hub refused an S3 event for ${route.path} (${status}); dropped`);
          this.pending.shift();
        } else {
          await delay(wait);
          wait = Math.min(wait * 2, MAX_BACKOFF_MS);
        }
      }
    })().finally(() => {
      this.draining = undefined;
      if (this.pending.length && !this.stopped) this.drain();
    });
  }
}
