import { z } from 'zod';
import { isOwnPath, OWN_PATHS_MESSAGE } from '../http/settings.js';
import { unknownFieldError } from '../../config/issues.js';
import { regionSchema } from '../kit/settings.js';

/**
 * Settings of an `sns` event source mapping: an HTTP(S) subscription endpoint on the hub's server.
 * Validated once at load (through the source registry), then frozen with the rest of the config.
 */

/** `arn:aws:sns:<region>:<account>:<topic>` (also `aws-cn`, `aws-us-gov` partitions). */
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;
/** `host` or `host:port`, lower case; a URL's `host` is compared with it as written. */
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/;

const hostList = z.array(
  z.string().transform((h) => h.toLowerCase()).pipe(z.string().regex(HOST, { error: 'must be a host name, optionally with :port (no scheme, no path)' })),
).min(1, { error: 'must list at least one host' });

export const snsSettingsSchema = z.strictObject({
  topic: z.string({ error: 'is required: the topic ARN' })
    .regex(TOPIC_ARN, { error: 'must be a topic ARN like arn:aws:sns:us-east-1:123456789012:name' }),
  path: z.string()
    .regex(/^\/[^?#\s{}]*$/, { error: 'must start with / and hold no query, fragment, spaces or {parameters}' })
    .refine((p) => !isOwnPath(p), { error: OWN_PATHS_MESSAGE })
    .optional(),
  autoConfirm: z.boolean().default(true),
  trustedCertHosts: hostList.optional(),
  trustedSubscribeHosts: hostList.optional(),
  allowHttp: z.boolean().default(false),
  subscribe: z.strictObject({
    endpointUrl: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL SNS should POST to, e.g. https://hub.example/sns/fn' }),
  }).optional(),
  endpoint: z.url({ error: 'must be a URL like http://127.0.0.1:4566' }).optional(),
  region: regionSchema.optional(),
}, {
  error: unknownFieldError,
});

export type SnsSettings = z.infer<typeof snsSettingsSchema>;

/** The topic's region (4th ARN field). */
export function regionOfTopic(topicArn: string): string {
  return topicArn.split(':')[3];
}

/** `sns.<region>.amazonaws.com` (`.com.cn` in the China partition): where AWS serves certificates. */
export function defaultSnsHost(topicArn: string): string {
  const partition = topicArn.split(':')[1];
  return `sns.${regionOfTopic(topicArn)}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
}

export interface TrustSettings {
  certHosts: readonly string[];
  subscribeHosts: readonly string[];
  allowHttp: boolean;
}

/** The effective trust lists: the configured ones, else the topic region's SNS host. */
export function trustOf(settings: SnsSettings): TrustSettings {
  const certHosts = settings.trustedCertHosts ?? [defaultSnsHost(settings.topic)];
  return { certHosts, subscribeHosts: settings.trustedSubscribeHosts ?? certHosts, allowHttp: settings.allowHttp };
}
