import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CloudService, ProjectModel } from '../project/model.js';
import { bindConfig } from './bind.js';
import { cloudClients, type CloudClients, type CloudEndpoint } from './clients.js';
import { createResources } from './create.js';
import { CLOUD_CREDENTIALS } from './credentials.js';
import { cloudStateFile } from './state-file.js';
import { startDynamoDbLocal, startFauxqs, startKinesalite, startS3rver, type Emulator } from './emulators.js';
import { S3Notifications, type Post } from './s3-notifications.js';
import { SnsBridge, type Enqueue } from './sns-bridge.js';

/**
 * The local cloud of a project: for each service its resources need, the endpoint the config names
 * (`endpoints:`), else an embedded emulator started (and stopped) with the hub; every declared
 * resource created there; the config bound to it. After the hub listens, `connect` starts bucket
 * notifications and SNS deliveries into the hub.
 */
export interface LocalCloud {
  config: HubConfig;
  endpoints: ReadonlyMap<CloudService, CloudEndpoint>;
  connect(hub: { post: Post; enqueue: Enqueue }): Promise<void>;
  /** A config loaded again (hot reload) bound to these endpoints; resources it adds are not created. */
  rebind(config: HubConfig): HubConfig;
  /** Stops SNS deliveries and bucket notifications (intake). Idempotent. */
  disconnect(): Promise<void>;
  /** Stops the emulators. Idempotent. */
  stop(): Promise<void>;
}

const EMULATOR_NAMES: Record<CloudService, string> = { sqs: 'fauxqs', sns: 'fauxqs', s3: 's3rver', kinesis: 'kinesalite', dynamodb: 'DynamoDB Local' };

/** The services a project needs: its resources', plus SQS and SNS for deliveries from topics to functions. */
export function neededServices(project: ProjectModel): Set<CloudService> {
  const services = new Set<CloudService>(project.resources.map((r) => r.kind));
  if (project.subscriptions.length) services.add('sns');
  if (project.subscriptions.some((s) => s.protocol === 'lambda')) services.add('sqs');
  return services;
}

export async function startLocalCloud(config: HubConfig, logger: Logger): Promise<LocalCloud | undefined> {
  const project = config.project;
  if (!project || config.localCloud === false) return undefined;
  const services = neededServices(project);
  if (!services.size) return undefined;
  const log = logger.child({ component: 'cloud' });
  const emulators: Emulator[] = [];
  const endpoints = new Map<CloudService, CloudEndpoint>();
  const notifications = new S3Notifications(config, log);
  let clients: CloudClients | undefined;
  const stopEmulators = async () => {
    clients?.destroy();
    for (const emulator of emulators.reverse()) await emulator.stop().catch((err: unknown) => log.warn({ event: 'cloud_stop_failed', err }, 'an emulator did not stop cleanly'));
    emulators.length = 0;
  };
  try {
    for (const service of services) {
      const given = config.endpoints[service];
      if (given) endpoints.set(service, { url: given, embedded: false });
      else endpoints.set(service, { url: await embedded(service, config, emulators, endpoints, notifications, log), embedded: true });
      log.info({ event: 'cloud_endpoint', service, url: endpoints.get(service)!.url, embedded: !given },
        `${service.toUpperCase()} ${endpoints.get(service)!.url} (${given ? 'configured endpoint' : `embedded ${EMULATOR_NAMES[service]}`})`);
    }
    if ([...endpoints.values()].some((e) => e.embedded)) {
      // The hub's own pollers and senders use the SDK's credential chain; the emulators take any key.
      process.env.AWS_ACCESS_KEY_ID ??= CLOUD_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY ??= CLOUD_CREDENTIALS.secretAccessKey;
    }
    clients = cloudClients(endpoints, config.region);
    await createResources(clients, project.resources, project.subscriptions, log);
  } catch (err) {
    await stopEmulators();
    throw err instanceof HubError ? err : new HubError('TH_ERR_CLOUD_START_FAILED', `local cloud: ${(err as Error).message}`, { cause: err });
  }
  const bridge = new SnsBridge(clients, log);
  writeState(config, project, endpoints);
  let disconnecting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    config: bindConfig(config, project, endpoints),
    endpoints,
    rebind: (next) => (next.project ? bindConfig(next, next.project, endpoints) : next),
    connect: async (hub) => {
      notifications.connect(hub.post);
      await bridge.start(project.subscriptions, hub.enqueue);
    },
    disconnect: () => (disconnecting ??= Promise.all([bridge.stop(), notifications.stop()]).then(() => undefined)),
    stop: () => (stopping ??= stopEmulators().then(() => rmSync(cloudStateFile(config), { force: true }))),
  };
}

async function embedded(service: CloudService, config: HubConfig, emulators: Emulator[], endpoints: ReadonlyMap<CloudService, CloudEndpoint>, notifications: S3Notifications, log: Logger): Promise<string> {
  const dir = (name: string) => path.join(config.dataDir, 'cloud', name);
  // One fauxqs serves SQS and SNS.
  const shared = service === 'sns' ? endpoints.get('sqs') : service === 'sqs' ? endpoints.get('sns') : undefined;
  if (shared?.embedded) return shared.url;
  if (service === 's3') {
    const s3 = await startS3rver(dir('s3'));
    s3.onEvent(notifications.onEvent);
    emulators.push(s3);
    return s3.endpoint;
  }
  const emulator = service === 'kinesis' ? await startKinesalite(dir('kinesis'))
    : service === 'dynamodb' ? await startDynamoDbLocal(dir('dynamodb'))
      : await startFauxqs(dir('sqs-sns'), log);
  emulators.push(emulator);
  return emulator.endpoint;
}

function writeState(config: HubConfig, project: ProjectModel, endpoints: ReadonlyMap<CloudService, CloudEndpoint>): void {
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(cloudStateFile(config), JSON.stringify({
    pid: process.pid,
    endpoints: Object.fromEntries(endpoints),
    resources: project.resources.map(({ kind, logicalId, name, arn }) => ({ kind, logicalId, name, arn })),
  }, null, 2));
}
