import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Logger } from '../../log.js';
import type { SourceContext } from '../source.js';
import { regionOfTopic, type SnsSettings } from './settings.js';
import { backoffDelay } from '../backoff.js';


/**
 * `subscribe: { endpointUrl }`: once the hub's server listens (SNS sends the confirmation at
 * once), subscribes `endpointUrl` to the topic, retrying with backoff until it succeeds or the
 * mapping stops. `endpoint`/`region` settings override the SDK's standard configuration; the
 * region defaults to the topic's. Never throws.
 */
export async function subscribeOnListen(context: SourceContext, settings: SnsSettings, signal: AbortSignal, log: Logger): Promise<void> {
  const endpointUrl = settings.subscribe?.endpointUrl;
  if (!endpointUrl) return;
  const server = context.app.server;
  if (!server.listening) await once(server, 'listening', { signal }).catch(() => undefined);
  const client = new SNSClient({ region: settings.region ?? regionOfTopic(settings.topic), endpoint: settings.endpoint });
  try {
    for (let failures = 0; !signal.aborted; failures += 1) {
      try {
        const out = await client.send(new SubscribeCommand({
          TopicArn: settings.topic,
          Protocol: new URL(endpointUrl).protocol.slice(0, -1),
          Endpoint: endpointUrl,
          ReturnSubscriptionArn: true,
        }), { abortSignal: signal });
        log.info({ event: 'sns_subscribed', topic: settings.topic, endpointUrl, subscriptionArn: out.SubscriptionArn }, `subscribed ${endpointUrl} to ${settings.topic}`);
        return;
      } catch (err) {
        if (signal.aborted) return;
        const retryInMs = backoffDelay(failures + 1);
        const { name, message } = err as Error;
        log.warn({ event: 'sns_subscribe_error', attempt: failures + 1, retryInMs, code: name, message }, `cannot subscribe to ${settings.topic}; retrying in ${retryInMs} ms`);
        await delay(retryInMs, undefined, { signal }).catch(() => undefined);
      }
    }
  } finally {
    client.destroy();
  }
}
