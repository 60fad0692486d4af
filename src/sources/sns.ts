import { createHash } from 'node:crypto';
import type { FunctionConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import { defineSourceKind, type Source, type SourceContext } from './source.js';
import { CertificateCache } from './sns/certificates.js';
import { registerSnsEndpoint } from './sns/endpoint.js';
import { snsSettingsSchema, trustOf, type SnsSettings } from './sns/settings.js';
import { subscribeOnListen } from './sns/subscribe.js';

/** Default route prefix: `/sns/<fn>`, or `/sns/<fn>/<index>` when the function has several sns mappings. */
export const SNS_PATH_PREFIX = '/sns';

/** The route of a mapping: its `path` setting, else the default under `/sns/`. */
export function snsPath(fn: FunctionConfig, settings: SnsSettings, index: number): string {
  if (settings.path) return settings.path;
  const several = fn.events.filter((mapping) => 'sns' in mapping).length > 1;
  return several ? `${SNS_PATH_PREFIX}/${fn.name}/${index}` : `${SNS_PATH_PREFIX}/${fn.name}`;
}

/**
 * `events: - sns: { topic, ... }`: an HTTP(S) subscription endpoint on the hub's server. Every
 * message is verified (topic, certificate host, signature) before anything else; notifications
 * are queued for an asynchronous invocation, subscription confirmations are confirmed.
 */
class SnsSource implements Source {
  readonly id: string;
  private readonly abort = new AbortController();
  private subscribing?: Promise<void>;

  constructor(private readonly fn: FunctionConfig, private readonly settings: SnsSettings, private readonly index: number) {
    this.id = `sns:${fn.name}:${index}`;
  }

  async start(context: SourceContext): Promise<void> {
    const log = context.logger.child({ source: this.id });
    const path = snsPath(this.fn, this.settings, this.index);
    try {
      registerSnsEndpoint(context, {
        fn: this.fn,
        settings: this.settings,
        path,
        trust: trustOf(this.settings),
        certificates: new CertificateCache(this.abort.signal),
        subscriptionArn: `${this.settings.topic}:${stableUuid(`${this.fn.name}/${this.index}`)}`,
        signal: this.abort.signal,
        log,
      });
    } catch (err) {
      throw new HubError('TH_ERR_CONFIG_INVALID', `functions.${this.fn.name}.events[${this.index}].sns.path: POST ${path} is already taken by another route`, { cause: err });
    }
    log.info({ event: 'sns_source_started', topic: this.settings.topic, path }, `SNS endpoint for ${this.settings.topic} on POST ${path}`);
    if (this.settings.subscribe) this.subscribing = subscribeOnListen(context, this.settings, this.abort.signal, log);
  }

  /** Intake stops when the hub's HTTP server closes; this aborts a pending subscribe or fetch. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.subscribing;
  }
}

/** A UUID-shaped id derived from `seed`, like the subscription id in an SNS subscription ARN. */
function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const snsKind = defineSourceKind({
  name: 'sns',
  settings: snsSettingsSchema,
  create: (fn, settings, index) => new SnsSource(fn, settings, index),
});
