import type { Resolver } from './intrinsics.js';
import type { CloudResource } from './model.js';
import { isObject } from '../own.js';

/**
 * Event source mapping settings from Lambda's property names (SAM events, AWS::Lambda::EventSourceMapping,
 * serverless.yml after renaming): `BatchSize` → `batchSize`, `FilterCriteria.Filters[].Pattern` →
 * `filterCriteria.filters[].pattern`, ... per the kind the source ARN names. One place for SAM and serverless.
 */
export type Mapping = Record<string, Record<string, unknown>>;

const STREAM = [
  'StartingPosition', 'StartingPositionTimestamp', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'BisectBatchOnFunctionError',
  'MaximumRetryAttempts', 'MaximumRecordAgeInSeconds', 'ParallelizationFactor', 'FunctionResponseTypes', 'TumblingWindowInSeconds',
];
/** Lambda properties each kind takes as they are (camelCased); FilterCriteria, DestinationConfig, ScalingConfig are converted. */
const PLAIN = new Map<string, readonly string[]>([
  ['sqs', ['BatchSize', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes']],
  ['kinesis', STREAM],
  ['dynamodb', STREAM],
]);
/**
 * Integer and Boolean properties: CloudFormation converts a string value (a `!Ref` of a Number
 * parameter is one, `${param:x}` of serverless.yml may be one) to the property's type.
 */
const INTEGERS = new Set([
  'BatchSize', 'MaximumBatchingWindowInSeconds', 'MaximumRetryAttempts', 'MaximumRecordAgeInSeconds',
  'ParallelizationFactor', 'TumblingWindowInSeconds', 'MaximumConcurrency', 'TimeoutInMillis',
]);
const BOOLEANS = new Set(['BisectBatchOnFunctionError']);

/** The value as its property's type when it is that type written as text; anything else as it is (the schema names it). */
export function typed(key: string, value: unknown): unknown {
  if (INTEGERS.has(key)) return numeric(value);
  if (BOOLEANS.has(key) && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * An integer property written as text (a !Ref of a Number parameter, an env variable) as the
 * number CloudFormation makes of it; anything else as it is (the schema names it).
 */
export function numeric(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}

/** Properties that name the mapping, not its settings (read by the caller). */
const ADDRESSING = new Set(['Queue', 'Stream', 'EventSourceArn', 'FunctionName', 'Enabled', 'Type']);

const camel = (name: string) => name[0].toLowerCase() + name.slice(1);

/** The mapping kind an event source ARN names: sqs, kinesis or dynamodb (a table's stream). */
export function kindOfArn(arn: string): 'sqs' | 'kinesis' | 'dynamodb' | undefined {
  const service = arn.split(':')[2];
  return service === 'sqs' ? 'sqs' : service === 'kinesis' ? 'kinesis' : service === 'dynamodb' ? 'dynamodb' : undefined;
}

export interface MappingInput {
  arn: string;
  /** Resolved Lambda-named properties. */
  properties: Record<string, unknown>;
  resolver: Resolver;
  at: string;
  warn: (message: string) => void;
  /** The project's resources so far: a source it does not declare is not created by the local cloud (warned). */
  declared: readonly CloudResource[];
}

/** The triggerhub mapping for a source ARN and its Lambda-named properties. */
export function mappingFromArn(input: MappingInput): Mapping[] {
  const { arn, properties, resolver, at } = input;
  const kind = kindOfArn(arn);
  if (!kind) throw resolver.error(at, `${arn} is not an SQS queue, Kinesis stream or DynamoDB stream ARN`);
  const settings: Record<string, unknown> = { ...addressOf(kind, arn, resolver, at) };
  const name = String(settings.queue ?? settings.stream ?? settings.table).split(':').at(-1);
  if (!input.declared.some((r) => r.kind === kind && r.name === name)) {
    input.warn(`${at}: ${arn} is not declared in this project, so the local cloud does not create it: declare it, or set endpoints.${kind} to where it lives`);
  }
  const plain = PLAIN.get(kind)!;
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (ADDRESSING.has(key)) continue;
    if (plain.includes(key)) settings[camel(key)] = key === 'StartingPositionTimestamp' ? Number(value) : typed(key, value);
    else if (key === 'FilterCriteria') settings.filterCriteria = filterCriteria(value);
    else if (key === 'ScalingConfig' && kind === 'sqs' && isObject(value) && value.MaximumConcurrency !== undefined) settings.maximumConcurrency = typed('MaximumConcurrency', value.MaximumConcurrency);
    else if (key === 'DestinationConfig' && kind !== 'sqs') Object.assign(settings, onFailure(value, resolver, `${at}.DestinationConfig`));
    else ignored.push(key);
  }
  if (ignored.length) input.warn(`${at}: ${ignored.join(', ')} ignored locally`);
  return [{ [kind]: settings }];
}

/** Lambda's `{ Filters: [{ Pattern: '<json>' }] }` (also already camelCased). */
export function filterCriteria(value: unknown): unknown {
  if (!isObject(value)) return value;
  const filters = value.Filters ?? value.filters;
  return {
    filters: Array.isArray(filters) ? filters.map((f) => (isObject(f) ? { pattern: f.Pattern ?? f.pattern } : f)) : filters,
  };
}

function addressOf(kind: string, arn: string, resolver: Resolver, at: string): Record<string, unknown> {
  if (kind === 'sqs') return { queue: arn };
  if (kind === 'kinesis') {
    // A stream's, or an enhanced fan-out consumer's (…:stream/<name>/consumer/<consumer>:<time>): its stream is read.
    const match = /:stream\/([^/]+)(?:\/consumer\/[^/]+)?$/.exec(arn);
    if (!match) throw resolver.error(at, `${arn} is not a Kinesis stream or stream consumer ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)`);
    return { stream: match[1] };
  }
  const table = /:table\/([^/]+)\/stream\/.+$/.exec(arn)?.[1];
  if (!table) throw resolver.error(at, `${arn} is not a DynamoDB stream ARN (…:table/<name>/stream/<label>)`);
  // The table's latest stream: a local table's stream label is not the one a template can know.
  return { table };
}

function onFailure(value: unknown, resolver: Resolver, at: string): Record<string, unknown> {
  const target = isObject(value) && isObject(value.OnFailure) ? value.OnFailure.Destination : undefined;
  return target === undefined ? {} : { destinations: { onFailure: resolver.string(target, `${at}.OnFailure.Destination`) } };
}

