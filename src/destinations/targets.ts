import { z } from 'zod';
import { unknownFieldError } from '../config/issues.js';
import { elsewhereThan } from '../arn.js';

/**
 * Where an on-success / on-failure record goes. In config a destination is a string (a function
 * name, `dlq`, an ARN, an http(s) URL or `redis-stream:<key>`) or, to reach a non-default AWS
 * endpoint, `{ destination, endpoint?, region? }` (the shape of Lambda's DestinationConfig plus
 * the sources' `endpoint`/`region`).
 */
export type DestinationSpec = string | { destination: string; endpoint?: string; region?: string };

export type DestinationTarget =
  | { kind: 'function'; name: string; qualifier?: string; home?: FunctionHome & { partition: string } }
  | { kind: 'dlq' }
  | { kind: 'sqs'; arn: string; name: string; account: string; region: string; endpoint?: string; fifo: boolean }
  | { kind: 'sns'; arn: string; region: string; endpoint?: string; fifo: boolean }
  | { kind: 'http'; url: string }
  | { kind: 'redis-stream'; key: string; redis?: string };

/** Where the hub's functions live: its region and account (a function ARN elsewhere names none of them). */
export interface FunctionHome { region: string; accountId: string }

export type DestinationKind = DestinationTarget['kind'];

export const DLQ_TARGET = 'dlq';
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const LAMBDA_ARN = /^arn:(aws[\w-]*):lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$/;
const SQS_ARN = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(\.fifo)?)$/;
const SNS_ARN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):\d{12}:([\w-]{1,256}(\.fifo)?)$/;
const REDIS_STREAM = 'redis-stream:';

/** The target a destination names, or a message saying why it names none (for config errors). */
export function parseDestination(spec: DestinationSpec): DestinationTarget | string {
  const { destination: text, endpoint, region } = typeof spec === 'string' ? { destination: spec } : spec;
  const quoted = JSON.stringify(text);
  if (text === DLQ_TARGET) return { kind: 'dlq' };
  if (FUNCTION_NAME.test(text)) return { kind: 'function', name: text };
  if (text.startsWith('arn:')) {
    const service = text.split(':')[2];
    if (service === 'lambda') {
      const match = LAMBDA_ARN.exec(text);
      if (!match) return `${quoted} is not a valid Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>])`;
      const [, partition, arnRegion, accountId, name, qualifier] = match;
      const home = { partition, region: arnRegion, accountId };
      return qualifier && qualifier !== '$LATEST' ? { kind: 'function', name, qualifier, home } : { kind: 'function', name, home };
    }
    if (service === 'sqs') {
      const match = SQS_ARN.exec(text);
      if (!match) return `${quoted} is not a valid SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)`;
      return { kind: 'sqs', arn: text, region: region ?? match[1], account: match[2], name: match[3], endpoint, fifo: Boolean(match[4]) };
    }
    if (service === 'sns') {
      const match = SNS_ARN.exec(text);
      if (!match) return `${quoted} is not a valid SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)`;
      return { kind: 'sns', arn: text, region: region ?? match[1], endpoint, fifo: Boolean(match[3]) };
    }
    return `${quoted}: ${service || 'this'} ARNs are not supported destinations (use a Lambda function, SQS queue or SNS topic ARN)`;
  }
  if (/^https?:\/\//.test(text)) {
    return URL.canParse(text) ? { kind: 'http', url: text } : `${quoted} is not a valid http(s) URL`;
  }
  if (text.startsWith(REDIS_STREAM)) return parseRedisStream(text, quoted);
  return `${quoted} is not a function name, "${DLQ_TARGET}", a Lambda/SQS/SNS ARN, an http(s) URL or redis-stream:<key>`;
}

/** `redis-stream:<key>` (the hub's Redis) or `redis-stream://[user:pass@]host:port/<key>` (another). */
function parseRedisStream(text: string, quoted: string): DestinationTarget | string {
  const rest = text.slice(REDIS_STREAM.length);
  if (!rest.startsWith('//')) return rest ? { kind: 'redis-stream', key: rest } : `${quoted} names no stream key (redis-stream:<key>)`;
  if (!URL.canParse(`redis:${rest}`)) return `${quoted} is not a valid redis-stream://host:port/<key> URL`;
  const url = new URL(`redis:${rest}`);
  const key = decodeURIComponent(url.pathname.slice(1));
  if (!url.host || !key) return `${quoted} must look like redis-stream://host:port/<key>`;
  return { kind: 'redis-stream', key, redis: `redis://${url.username ? `${url.username}:${url.password}@` : ''}${url.host}` };
}

/** The destination text, for logs and DLQ records. */
export function destinationText(spec: DestinationSpec): string {
  return typeof spec === 'string' ? spec : spec.destination;
}

/** A destination in config: syntax checked here; that a named function exists is checked at load. */
export const destinationSchema = z.union([
  z.string(),
  z.strictObject({
    destination: z.string({ error: 'is required: a function name, ARN, http(s) URL or redis-stream:<key>' }),
    endpoint: z.url({ protocol: /^https?$/, error: 'must be a URL like http://127.0.0.1:4566' }).optional(),
    region: z.string().regex(REGION, { error: 'must be an AWS region name like us-east-1' }).optional(),
  }, { error: unknownFieldError }),
], { error: 'must be a destination string or { destination, endpoint?, region? }' }).superRefine((spec, ctx) => {
  const target = parseDestination(spec);
  if (typeof target === 'string') ctx.addIssue({ code: 'custom', message: target, path: typeof spec === 'string' ? [] : ['destination'] });
  else if (typeof spec !== 'string' && (spec.endpoint || spec.region) && target.kind !== 'sqs' && target.kind !== 'sns') {
    ctx.addIssue({ code: 'custom', message: 'endpoint and region apply to SQS and SNS destinations only', path: [spec.endpoint ? 'endpoint' : 'region'] });
  }
});

/** `destinations.onSuccess`: any destination but `dlq`, which would send a successful invocation's record nowhere. */
export const successDestinationSchema = destinationSchema.superRefine((spec, ctx) => {
  const target = parseDestination(spec);
  if (typeof target !== 'string' && target.kind === 'dlq') {
    ctx.addIssue({ code: 'custom', message: `"${DLQ_TARGET}" is an on-failure target only (a successful event is no dead letter): name a function, ARN, http(s) URL or redis-stream:<key>`, path: typeof spec === 'string' ? [] : ['destination'] });
  }
});

/**
 * Why a syntactically valid destination still names nothing: a function that is not configured, or
 * a version or alias it does not have (`hasQualifier`; without it, qualified ARNs are refused).
 */
export function missingFunction(spec: DestinationSpec, functions: ReadonlySet<string>, hasQualifier?: (fn: string, qualifier: string) => boolean, home?: FunctionHome): string | undefined {
  const target = parseDestination(spec);
  if (typeof target === 'string') return target;
  if (target.kind !== 'function') return undefined;
  const quoted = JSON.stringify(destinationText(spec));
  const elsewhere = home && target.home && elsewhereThan(target.home, home);
  if (elsewhere) return `${quoted} is a function of ${elsewhere}: the hub runs only its own functions and cannot invoke it (nor can Lambda from here); name a configured function`;
  if (!functions.has(target.name)) return `${quoted} is not a configured function (nor "${DLQ_TARGET}", an SQS/SNS ARN, an http(s) URL or redis-stream:<key>)`;
  if (target.qualifier === undefined || hasQualifier?.(target.name, target.qualifier)) return undefined;
  return hasQualifier
    ? `${quoted}: function ${target.name} has no version or alias ${JSON.stringify(target.qualifier)}`
    : `${quoted}: a version or alias is not taken here; name the function`;
}

/**
 * A function's dead-letter queue (SAM `DeadLetterQueue`, CFN `DeadLetterConfig.TargetArn`,
 * serverless.yml `onError`): an SQS queue or SNS topic ARN, as on Lambda.
 */
export const deadLetterSchema = destinationSchema.superRefine((spec, ctx) => {
  const target = parseDestination(spec);
  if (typeof target !== 'string' && target.kind !== 'sqs' && target.kind !== 'sns') {
    ctx.addIssue({ code: 'custom', message: 'a dead-letter queue is an SQS queue or SNS topic ARN, as on Lambda (use destinations.onFailure for other targets)', path: typeof spec === 'string' ? [] : ['destination'] });
  }
});
