import { z } from 'zod';
import { formatPath, issueMessage } from '../config/issues.js';
import { S3_EVENT_TYPE } from '../sources/s3/settings.js';
import type { BucketNotification } from './model.js';
import type { Stack } from './stack.js';

/**
 * An `AWS::S3::Bucket`'s `NotificationConfiguration.QueueConfigurations` and `TopicConfigurations`:
 * what the local cloud sends to a queue or topic for the bucket's object events (its
 * `LambdaConfigurations` become functions' `s3` events, see cfn-attachments.ts). Validated here, the
 * error naming the template path; `Filter.S3Key.Rules` names are case-insensitive, as S3 takes them.
 */
const ARN = { sqs: /^arn:aws[\w-]*:sqs:[^:]*:\d*:[\w.-]+$/, sns: /^arn:aws[\w-]*:sns:[^:]*:\d*:[\w.-]+$/ };

const filterSchema = z.object({
  S3Key: z.object({
    Rules: z.array(z.object({
      Name: z.string().refine((name) => ['prefix', 'suffix'].includes(name.toLowerCase()), { error: 'must be prefix or suffix' }),
      Value: z.string(),
    })).max(2, { error: 'takes at most a prefix and a suffix rule' }),
  }),
}).optional();

const baseSchema = z.object({
  Id: z.string().optional(),
  Event: z.string({ error: 'is required' }).regex(S3_EVENT_TYPE, { error: 'must be an S3 event type like s3:ObjectCreated:* or s3:ObjectRemoved:Delete' }),
  Filter: filterSchema,
});
const arnSchema = (service: 'sqs' | 'sns', what: string) =>
  z.string({ error: `is required: the ${what} ARN` }).regex(ARN[service], { error: `must be a ${what} ARN (arn:aws:${service}:<region>:<account>:<name>)` });

const notificationSchema = z.object({
  QueueConfigurations: z.array(baseSchema.extend({ Queue: arnSchema('sqs', 'queue') })).optional(),
  TopicConfigurations: z.array(baseSchema.extend({ Topic: arnSchema('sns', 'topic') })).optional(),
});

export function bucketNotifications(stack: Stack, logicalId: string, props: Record<string, unknown>): BucketNotification[] {
  const at = `Resources.${logicalId}.Properties.NotificationConfiguration`;
  if (props.NotificationConfiguration === undefined) return [];
  const parsed = notificationSchema.safeParse(props.NotificationConfiguration);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw stack.resolver.error(issue.path.length ? `${at}.${formatPath(issue.path)}` : at, issueMessage(issue));
  }
  const { QueueConfigurations = [], TopicConfigurations = [] } = parsed.data;
  const targets = [
    ...QueueConfigurations.map((c, i) => ({ ...c, kind: 'sqs' as const, arn: c.Queue, defaultId: `${logicalId}-Queue-${i}` })),
    ...TopicConfigurations.map((c, i) => ({ ...c, kind: 'sns' as const, arn: c.Topic, defaultId: `${logicalId}-Topic-${i}` })),
  ];
  return targets.map((config) => ({
    id: config.Id ?? config.defaultId,
    target: { kind: config.kind, arn: config.arn },
    events: [config.Event],
    filter: Object.fromEntries((config.Filter?.S3Key.Rules ?? []).map((rule) => [rule.Name.toLowerCase(), rule.Value])),
  }));
}
