import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { HubConfig } from '../config/load.js';
import type { BucketResource, ProjectModel } from '../project/model.js';
import { s3WebhookPath } from '../sources/s3.js';
import { compileMatcher, type RecordMatcher } from '../sources/s3/match.js';
import { incomingRecordSchema, normaliseRecord } from '../sources/s3/record.js';
import type { S3Settings } from '../sources/s3/settings.js';
import type { CloudClients, CloudEndpoint } from './clients.js';
import { removeStaleTemps, writeFileDurably } from './durable-file.js';
import type { NotificationOutbox, OutboxItem, Send } from './notification-outbox.js';
import { toAwsRecord, type S3rverRecord } from './s3-records.js';

/**
 * Bucket notifications for the embedded S3 (s3rver has none of its own), as S3 sends them: each
 * object event of a bucket goes, one record per notification, to every target whose events and
 * key filter match it: a function's `s3` mapping (posted to its webhook route on the hub, which
 * filters), a queue of the bucket's QueueConfigurations (the S3 event JSON as the message body) or
 * a topic of its TopicConfigurations (that JSON as the Message, Subject `Amazon S3 Notification`).
 * A queue or topic configuration that is new (or changed) first gets S3's `s3:TestEvent`. The
 * outbox makes delivery durable and retried.
 */
export type Post = (path: string, body: string, token?: string) => Promise<number>;

type Target =
  | { kind: 'webhook'; path: string; token?: string; id: string }
  | { kind: 'sqs' | 'sns'; arn: string; id: string; match: RecordMatcher };

const keyOf = (target: Target) => (target.kind === 'webhook' ? `webhook ${target.path}` : `${target.kind} ${target.arn}`);

export interface NotificationDeps {
  post: Post;
  clients: () => CloudClients;
  endpoints: ReadonlyMap<string, CloudEndpoint>;
}

export class S3Notifications {
  #routes = new Map<string, Target[]>();
  #targets = new Map<string, Target>();

  readonly #region: string;

  /** `configsFile` records which bucket configurations got their test event. */
  constructor(config: HubConfig, private readonly outbox: NotificationOutbox, private readonly configsFile: string) {
    this.#region = config.region;
    this.#route(config);
    outbox.restore((target) => this.#targets.has(target));
    this.#testEvents(config);
  }

  /** A config loaded again (hot reload): its routes; what waits for a target it no longer has is dropped. */
  update(config: HubConfig): void {
    this.#route(config);
    this.outbox.retain((target) => this.#targets.has(target));
    this.#testEvents(config);
  }

  /** Targets of `config`'s functions' `s3` mappings and of its project's bucket configurations. */
  #route(config: HubConfig): void {
    const routes = new Map<string, Target[]>();
    const add = (bucket: string, target: Target) => routes.set(bucket, [...(routes.get(bucket) ?? []), target]);
    for (const fn of Object.values(config.functions)) {
      fn.events.forEach((mapping, index) => {
        const settings = mapping.s3 as S3Settings | undefined;
        if (settings && 'webhook' in settings.via) add(settings.bucket, { kind: 'webhook', path: s3WebhookPath(fn, settings, index), token: settings.via.webhook.authToken, id: `${fn.name}-${index}` });
      });
    }
    for (const bucket of buckets(config.project)) {
      for (const { id, target, events, filter } of bucket.notifications) {
        add(bucket.name, { kind: target.kind, arn: target.arn, id, match: compileMatcher({ bucket: bucket.name, events, filter }) });
      }
    }
    this.#routes = routes;
    this.#targets = new Map([...routes.values()].flat().map((target) => [keyOf(target), target]));
  }

  /** s3rver's 'event' listener: runs inside the PUT / DELETE request, so the notifications are journaled before it is answered. */
  readonly onEvent = (event: { Records: S3rverRecord[] }): void => {
    const region = this.#region;
    const items: OutboxItem[] = [];
    for (const raw of event.Records) {
      const fixed = toAwsRecord(raw, region);
      const parsed = incomingRecordSchema.safeParse(fixed);
      for (const target of this.#routes.get(raw.s3?.bucket?.name) ?? []) {
        if (target.kind === 'webhook') {
          // s3rver's own configurationId is `testConfigId`.
          const record = { ...fixed, s3: { ...fixed.s3, configurationId: target.id } };
          items.push({ target: keyOf(target), body: JSON.stringify({ Records: [record] }), at: Date.now() });
          continue;
        }
        if (!parsed.success) continue;
        const record = normaliseRecord(parsed.data, region);
        if (!target.match(record)) continue;
        record.record.s3.configurationId = target.id;
        items.push({ target: keyOf(target), body: JSON.stringify({ Records: [record.record] }), at: Date.now() });
      }
    }
    this.outbox.add(items);
  };

  /** Starts delivering (the hub listens now). */
  connect(deps: NotificationDeps): void {
    this.outbox.start(sender(deps, (key) => this.#targets.get(key)));
  }

  /** S3 sends `s3:TestEvent` to a queue or topic when a bucket's configuration naming it is put: here when it first appears or changes. */
  #testEvents(config: HubConfig): void {
    const applied = readApplied(this.configsFile);
    const items: OutboxItem[] = [];
    for (const bucket of buckets(config.project)) {
      const fingerprint = createHash('sha256').update(JSON.stringify(bucket.notifications)).digest('hex');
      if (applied[bucket.name] === fingerprint) continue;
      applied[bucket.name] = fingerprint;
      for (const target of new Set(bucket.notifications.map((n) => `${n.target.kind} ${n.target.arn}`))) {
        items.push({ target, body: JSON.stringify(testEvent(bucket.name)), at: Date.now() });
      }
    }
    this.outbox.add(items);
    writeFileDurably(this.configsFile, JSON.stringify(applied));
  }
}

const buckets = (project: ProjectModel | undefined) => (project?.resources ?? []).filter((r): r is BucketResource => r.kind === 's3');

function readApplied(file: string): Record<string, string> {
  removeStaleTemps(file);
  try {
    const applied = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof applied === 'object' && applied !== null ? Object.assign(Object.create(null) as Record<string, string>, applied) : Object.create(null) as Record<string, string>;
  } catch {
    return Object.create(null) as Record<string, string>;
  }
}

/** The message S3 sends a notification target when the configuration is set. */
function testEvent(bucket: string) {
  return {
    Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: bucket,
    RequestId: randomBytes(8).toString('hex').toUpperCase(), HostId: randomBytes(48).toString('base64'),
  };
}

/** How each kind of target takes a notification. */
function sender(deps: NotificationDeps, targetOf: (key: string) => Target | undefined): Send {
  return async (item) => {
    const target = targetOf(item.target);
    if (!target) return 'refused';
    if (target.kind === 'webhook') {
      const status = await deps.post(target.path, item.body, target.token);
      if (status >= 200 && status < 300) return 'done';
      // 404: the route may not be registered yet (start, hot reload); 429, 5xx: busy.
      return status >= 400 && status < 500 && status !== 404 && status !== 429 ? 'refused' : 'retry';
    }
    const clients = deps.clients();
    if (target.kind === 'sqs') {
      const [, , , , account, name] = target.arn.split(':');
      const endpoint = deps.endpoints.get('sqs');
      if (!clients.sqs || !endpoint) throw new Error('no SQS endpoint');
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint.url.replace(/\/$/, '')}/${account}/${name}`, MessageBody: item.body }));
    } else {
      if (!clients.sns) throw new Error('no SNS endpoint');
      await clients.sns.send(new PublishCommand({ TopicArn: target.arn, Subject: 'Amazon S3 Notification', Message: item.body }));
    }
    return 'done';
  };
}
