import { once } from 'node:events';
import type { Logger } from '../../log.js';
import type { SourceContext } from '../source.js';
import { regionOfTopic, type SnsSettings } from './settings.js';
import { pollLoop } from '../kit/poll-loop.js';
import { loadSns } from '../../aws/lazy-sdk.js';


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
  const { SNSClient, SubscribeCommand } = await loadSns();
  const client = new SNSClient({ region: settings.region ?? regionOfTopic(settings.topic), endpoint: settings.endpoint });
  try {
    await pollLoop({ signal, log, errorEvent: 'sns_subscribe_error', failure: `cannot subscribe to ${settings.topic}` }, async () => {
      const out = await client.send(new SubscribeCommand({
        TopicArn: settings.topic,
        Protocol: new URL(endpointUrl).protocol.slice(0, -1),
        Endpoint: endpointUrl,
        ReturnSubscriptionArn: true,
      }), { abortSignal: signal });
      log.info({ event: 'sns_subscribed', topic: settings.topic, endpointUrl, subscriptionArn: out.SubscriptionArn }, `subscribed ${endpointUrl} to ${settings.topic}`);
      return 'done';
    });
  } finally {
    client.destroy();
  }
}
