import { partitionOf } from '../arn.js';
import { deepFreeze, type FunctionConfig, type HubConfig } from '../config/load.js';
import type { CloudService, ProjectModel } from '../project/model.js';
import { queueUrl } from '../project/physical.js';
import type { CloudEndpoint } from './clients.js';
import { CLOUD_CREDENTIALS } from './credentials.js';

/**
 * The config, pointed at the local cloud: every event mapping and destination of a service the
 * cloud serves gets its endpoint (unless it names one), and each function's environment gets
 * `AWS_ENDPOINT_URL_<SERVICE>` (and, for embedded emulators, test credentials) so unmodified SDK
 * code reaches it. A declared queue's URL (`!Ref Queue`) becomes its URL at the endpoint.
 */
const ENV_NAMES: Record<CloudService, readonly string[]> = {
  sqs: ['AWS_ENDPOINT_URL_SQS'],
  sns: ['AWS_ENDPOINT_URL_SNS'],
  s3: ['AWS_ENDPOINT_URL_S3'],
  kinesis: ['AWS_ENDPOINT_URL_KINESIS'],
  dynamodb: ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS'],
};
/** Event kinds whose settings take an `endpoint`, by the service they read. */
const EVENT_SERVICE: Record<string, CloudService> = { sqs: 'sqs', kinesis: 'kinesis', dynamodb: 'dynamodb' };

type Endpoints = ReadonlyMap<CloudService, CloudEndpoint>;
type Settings = Record<string, unknown>;

export function bindConfig(config: HubConfig, project: ProjectModel, endpoints: Endpoints): HubConfig {
  const urls = queueUrls(config, project, endpoints);
  const functions: Record<string, FunctionConfig> = {};
  for (const [name, fn] of Object.entries(config.functions)) {
    functions[name] = {
      ...fn,
      environment: environment(fn.environment, endpoints, urls, config.endpoints.default),
      destinations: destinations(fn.destinations as Settings, endpoints) as FunctionConfig['destinations'],
      ...(fn.deadLetterQueue ? { deadLetterQueue: destinations({ dlq: fn.deadLetterQueue }, endpoints).dlq as FunctionConfig['deadLetterQueue'] } : {}),
      events: fn.events.map((mapping) => {
        const [kind] = Object.keys(mapping);
        return { [kind]: eventSettings(kind, mapping[kind] as Settings, endpoints, config.region) };
      }),
    };
  }
  return deepFreeze({ ...config, functions });
}

/** The cloud's endpoint, in the hub's region (the SDK finds none by itself where AWS_REGION is unset). */
function eventSettings(kind: string, settings: Settings, endpoints: Endpoints, region: string): Settings {
  const service = EVENT_SERVICE[kind];
  const endpoint = service && endpoints.get(service);
  const out: Settings = endpoint && settings.endpoint === undefined ? { region, ...settings, endpoint: endpoint.url } : { ...settings };
  if (out.destinations && typeof out.destinations === 'object') out.destinations = destinations(out.destinations as Settings, endpoints);
  return out;
}

/** `arn:...:sqs:` / `arn:...:sns:` destinations → `{ destination, endpoint }` at the cloud's endpoint. */
function destinations(targets: Settings, endpoints: Endpoints): Settings {
  const out: Settings = {};
  for (const [key, target] of Object.entries(targets)) {
    const service = typeof target === 'string' && target.startsWith('arn:') ? target.split(':')[2] : undefined;
    const endpoint = service === 'sqs' || service === 'sns' ? endpoints.get(service) : undefined;
    out[key] = endpoint ? { destination: target, endpoint: endpoint.url } : target;
  }
  return out;
}

function environment(env: Record<string, string>, endpoints: Endpoints, urls: ReadonlyMap<string, string>, all: string | undefined): Record<string, string> {
  // endpoints.default reaches every service (SSM, STS, ...), not only the ones the project declares.
  const out: Record<string, string> = all === undefined ? {} : { AWS_ENDPOINT_URL: all };
  for (const [service, endpoint] of endpoints) for (const name of ENV_NAMES[service]) out[name] = endpoint.url;
  if ([...endpoints.values()].some((e) => e.embedded)) {
    out.AWS_ACCESS_KEY_ID = CLOUD_CREDENTIALS.accessKeyId;
    out.AWS_SECRET_ACCESS_KEY = CLOUD_CREDENTIALS.secretAccessKey;
  }
  // The function's own values win; queue URLs in them point at the endpoint.
  for (const [name, value] of Object.entries(env)) {
    let bound = value;
    for (const [from, to] of urls) bound = bound.replaceAll(from, to);
    out[name] = bound;
  }
  return out;
}

/** Each declared queue's AWS-style URL (what the loaders' `Ref` gave) → its URL at the SQS endpoint. */
function queueUrls(config: HubConfig, project: ProjectModel, endpoints: Endpoints): Map<string, string> {
  const sqs = endpoints.get('sqs');
  const identity = { region: config.region, accountId: config.accountId, stackName: project.stackName, partition: partitionOf(config.region) };
  const urls = new Map<string, string>();
  if (!sqs) return urls;
  for (const resource of project.resources) {
    if (resource.kind === 'sqs') urls.set(queueUrl(resource.name, identity), `${sqs.url.replace(/\/$/, '')}/${config.accountId}/${resource.name}`);
  }
  return urls;
}
