import { NODE_RUNTIMES, PROVIDED_RUNTIMES, PYTHON_RUNTIMES, RUNTIMES } from '../config/schema.js';
/**
 * The project model both loaders produce: functions in triggerhub.yaml's shape (validated by the
 * same config schema afterwards) and the cloud resources the project declares, which the local
 * cloud creates. Loader warnings are logged when the hub starts.
 */
export type RawFunction = Record<string, unknown> & { events: Array<Record<string, unknown>> };

export interface QueueResource { kind: 'sqs'; logicalId: string; name: string; arn: string; attributes: Record<string, string> }
export interface TopicResource { kind: 'sns'; logicalId: string; name: string; arn: string; attributes: Record<string, string> }
export interface BucketResource {
  kind: 's3'; logicalId: string; name: string; arn: string;
  /** Its NotificationConfiguration's queue and topic targets (functions' are their `s3` events). */
  notifications: BucketNotification[];
}
/** One QueueConfiguration / TopicConfiguration of a bucket. */
export interface BucketNotification {
  /** S3's `configurationId` in the records: the configuration's `Id`, else `<LogicalId>-Queue-<n>` / `-Topic-<n>`. */
  id: string;
  target: { kind: 'sqs' | 'sns'; arn: string };
  events: string[];
  filter: { prefix?: string; suffix?: string };
}
export interface StreamResource { kind: 'kinesis'; logicalId: string; name: string; arn: string; shardCount: number }
export interface TableResource {
  kind: 'dynamodb'; logicalId: string; name: string; arn: string;
  /** CreateTable input as declared (KeySchema, AttributeDefinitions, StreamSpecification, ...). */
  definition: Record<string, unknown>;
}
export type CloudResource = QueueResource | TopicResource | BucketResource | StreamResource | TableResource;
export type CloudService = CloudResource['kind'];

/** An SNS subscription the cloud makes: a queue of the project, or a function's `sns` event (delivered by the hub). */
export interface Subscription {
  topicArn: string;
  protocol: 'sqs' | 'lambda';
  /** Queue ARN, or the function name. */
  endpoint: string;
  rawMessageDelivery: boolean;
  filterPolicy?: unknown;
  filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

export interface ProjectModel {
  format: 'sam' | 'serverless';
  /** Absolute path of the template or serverless.yml. */
  file: string;
  stackName: string;
  functions: Map<string, RawFunction>;
  resources: CloudResource[];
  subscriptions: Subscription[];
  warnings: string[];
  /** Other files the project reads (serverless.yml `${file(...)}`): hot reload watches them with the project file. */
  includes: string[];
  /** The layers its functions use, by layer name (LayerName, else the logical id) → local directory: the name of the ARN GetFunction reports. */
  layers: Map<string, string>;
}

/**
 * Where in the project file a function or event came from (`Resources.Fn.Properties`,
 * `Resources.Fn.Properties.Events.Jobs`, `Resources.Mapping`): the hub's config errors about it
 * name that place, not only the hub's own path (`functions.Fn.events[0]`).
 */
const ORIGINS = new WeakMap<object, string>();

export function fromProject<T extends object>(value: T, at: string): T {
  ORIGINS.set(value, at);
  return value;
}

export function projectOrigin(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? ORIGINS.get(value) : undefined;
}

/** A function setting another resource gave it (an AWS::Lambda::Url's `url`, an AWS::Lambda::EventInvokeConfig's `destinations`). */
const FIELD_ORIGINS = new WeakMap<object, Map<string, string>>();

export function settingFromProject(fn: object, setting: string, at: string): void {
  let settings = FIELD_ORIGINS.get(fn);
  if (!settings) FIELD_ORIGINS.set(fn, (settings = new Map()));
  settings.set(setting, at);
}

export function settingOrigin(fn: object, setting: string): string | undefined {
  return FIELD_ORIGINS.get(fn)?.get(setting);
}

export function emptyModel(format: ProjectModel['format'], file: string, stackName: string): ProjectModel {
  return { format, file, stackName, functions: new Map(), resources: [], subscriptions: [], warnings: [], includes: [], layers: new Map() };
}

/**
 * Why a project function of a language the hub does not run (java21, dotnet8, ruby3.3, go1.x ...)
 * is left out, or undefined: the rest of the project runs without it, as functions with a container
 * image do. A Node.js or Python version the hub lacks (nodejs16.x) stays an error naming the ones it has.
 */
export function unsupportedRuntime(runtime: unknown): string | undefined {
  if (typeof runtime !== 'string' || (RUNTIMES as readonly string[]).includes(runtime) || /^(nodejs|python|provided)/.test(runtime)) return undefined;
  return `not loaded: runtime ${runtime} does not run here (Node.js ${NODE_RUNTIMES.join(', ')}, Python ${PYTHON_RUNTIMES.join(', ')} and ${PROVIDED_RUNTIMES.join(', ')} do)`;
}
