import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../../log.js';
import { regionOfQueue, type SqsSettings } from './settings.js';
import { loadSqs } from '../../aws/lazy-sdk.js';
import { arnOf, inRegionPartition } from '../../arn.js';

/** What the poller knows about its queue once it has reached it. */
export interface QueueInfo {
  url: string;
  arn: string;
  region: string;
  fifo: boolean;
  /** The queue's default visibility timeout: how long a received message stays hidden. */
  visibilityTimeoutSeconds: number;
}

/**
 * An SQS client for one mapping. `endpoint` and `region` come from the settings; without them the
 * SDK's standard configuration applies (credential chain, AWS_REGION, AWS_ENDPOINT_URL[_SQS], ...),
 * and a region the SDK cannot find is taken from the queue URL or ARN, then the hub's `region`.
 * Without any endpoint, requests go to the queue URL's host (a LocalStack URL works as it is).
 */
export async function createSqsClient(settings: Pick<SqsSettings, 'queue' | 'endpoint' | 'region'>, hubRegion: string, log: Logger): Promise<SQSClient> {
  const { SQSClient } = await loadSqs();
  const region = settings.region ?? await sdkRegion() ?? regionOfQueue(settings.queue) ?? hubRegion;
  return new SQSClient({
    region,
    endpoint: settings.endpoint,
    // The SDK sends to the queue URL's host unless `endpoint` is set; an endpoint from the
    // environment is just as deliberate (LocalStack, fauxqs), so it wins too.
    useQueueUrlAsEndpoint: !(process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL),
    // The SDK's own warnings (e.g. a queue URL on another host) go to the hub's log, not the console.
    logger: {
      debug: () => undefined, info: () => undefined, error: () => undefined,
      warn: (...content: unknown[]) => log.warn({ event: 'sqs_sdk_warning' }, content.map(String).join(' ')),
    },
  });
}

async function sdkRegion(): Promise<string | undefined> {
  const probe = new (await loadSqs()).SQSClient({});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** Resolves the configured URL or ARN and reads the attributes the poller needs. */
export async function resolveQueue(client: SQSClient, ref: string, signal: AbortSignal): Promise<QueueInfo> {
  const { GetQueueAttributesCommand } = await loadSqs();
  const url = ref.startsWith('arn:') ? await queueUrlOf(client, ref, signal) : ref;
  const { Attributes: attributes = {} } = await client.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['QueueArn', 'VisibilityTimeout', 'FifoQueue'],
  }), { abortSignal: signal });
  const arn = attributes.QueueArn ? inRegionPartition(attributes.QueueArn) : arnFromUrl(url, await client.config.region());
  return {
    url,
    arn,
    region: arn.split(':')[3],
    fifo: attributes.FifoQueue === 'true' || url.endsWith('.fifo'),
    visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout ?? 30),
  };
}

async function queueUrlOf(client: SQSClient, arn: string, signal: AbortSignal): Promise<string> {
  const [, , , , account, name] = arn.split(':');
  const { GetQueueUrlCommand } = await loadSqs();
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }), { abortSignal: signal });
  if (!QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${arn}`);
  return QueueUrl;
}

/** `https://sqs.us-east-1.amazonaws.com/123456789012/jobs` → `arn:aws:sqs:us-east-1:123456789012:jobs` (`arn:aws-cn:` in cn-*). */
export function arnFromUrl(url: string, fallbackRegion: string): string {
  const [account, name] = new URL(url).pathname.split('/').filter(Boolean);
  return arnOf(regionOfQueue(url) ?? fallbackRegion, 'sqs', account, name);
}
