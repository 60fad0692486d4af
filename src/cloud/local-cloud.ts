import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/load.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CloudResource, CloudService, ProjectModel, Subscription } from '../project/model.js';
import { bindConfig } from './bind.js';
import { withEmulatorArns } from './emulator-arns.js';
import { cloudClients, type CloudClients, type CloudEndpoint } from './clients.js';
import { createResources } from './create.js';
import { CLOUD_CREDENTIALS } from './credentials.js';
import { claimCloudDir } from './dir-lock.js';
import { cloudStateFile } from './state-file.js';
import { startDynamoDbLocal, startFauxqs, startKinesalite, startS3rver, type Emulator } from './emulators.js';
import { NotificationOutbox, type Outcome } from './notification-outbox.js';
import { S3Notifications, type Post } from './s3-notifications.js';
import type { S3rverRecord } from './s3-records.js';
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
  connect(hub: { post: Post; enqueue: Enqueue; onNotification?: (target: string, outcome: Outcome) => void }): Promise<void>;
  /**
   * A config loaded again (hot reload), bound to the cloud: resources and subscriptions it adds are
   * created first (emulators of services it adds started), bucket notifications rerouted. Resources
   * it no longer declares are kept (logged), as a stack keeps a retained resource.
   */
  rebind(config: HubConfig): Promise<HubConfig>;
  /** Stops SNS deliveries and bucket notifications (intake). Idempotent. */
  disconnect(): Promise<void>;
  /** Stops the emulators. Idempotent. */
  stop(): Promise<void>;
  /**
   * A forced stop, synchronous (a second Ctrl-C; the process exits right after): the emulators write
   * what they hold only in memory (the SQS/SNS snapshot), so what they answered is kept.
   */
  kill(): void;
}

const EMULATOR_NAMES: Record<CloudService, string> = { sqs: 'fauxqs', sns: 'fauxqs', s3: 's3rver', kinesis: 'kinesalite', dynamodb: 'DynamoDB Local' };

/** The services a project needs: its resources', SQS and SNS for deliveries from topics to functions, and its buckets' notification targets'. */
export function neededServices(project: ProjectModel): Set<CloudService> {
  const services = new Set<CloudService>(project.resources.map((r) => r.kind));
  if (project.subscriptions.length) services.add('sns');
  if (project.subscriptions.some((s) => s.protocol === 'lambda')) services.add('sqs');
  for (const r of project.resources) if (r.kind === 's3') for (const n of r.notifications) services.add(n.target.kind);
  return services;
}

const resourceKey = (r: CloudResource) => `${r.kind} ${r.name}`;
const subscriptionKey = (s: Subscription) => `${s.protocol} ${s.topicArn} ${s.endpoint}`;

export async function startLocalCloud(config: HubConfig, logger: Logger): Promise<LocalCloud | undefined> {
  if (!config.project || config.localCloud === false) return undefined;
  let project = config.project;
  const log = logger.child({ component: 'cloud' });
  const emulators: Emulator[] = [];
  const endpoints = new Map<CloudService, CloudEndpoint>();
  let count: (target: string, outcome: Outcome) => void = () => {};
  const outbox = new NotificationOutbox(path.join(config.dataDir, 'cloud', 's3-notifications.jsonl'), log, (target, outcome) => count(target, outcome));
  let notifications: S3Notifications | undefined;
  let clients: CloudClients = cloudClients(endpoints, config.region);
  // Clients replaced when a reload adds a service: pollers may still hold them.
  const replaced: CloudClients[] = [];
  /** Set once an embedded emulator runs: <dataDir>/cloud is this hub's until stop (dir-lock.ts). */
  let releaseDir: (() => void) | undefined;
  const stopEmulators = async () => {
    for (const old of [...replaced, clients]) old.destroy();
    for (const emulator of emulators.reverse()) await emulator.stop().catch((err: unknown) => log.warn({ event: 'cloud_stop_failed', err }, 'an emulator did not stop cleanly'));
    emulators.length = 0;
    releaseDir?.();
    releaseDir = undefined;
  };
  /** Endpoints of the services `model` needs that the cloud does not serve yet. */
  const serve = async (model: ProjectModel) => {
    if (model.subscriptions.length && Boolean(config.endpoints.sqs) !== Boolean(config.endpoints.sns)) {
      throw new HubError('TH_ERR_CLOUD_START_FAILED', 'the project subscribes queues or functions to topics, so its SQS and SNS must be one cloud: set both endpoints.sqs and endpoints.sns (LocalStack: the same URL) or neither (the embedded SNS delivers only to the embedded SQS)');
    }
    const missing = [...neededServices(model)].filter((service) => !endpoints.has(service));
    for (const service of missing) {
      const given = config.endpoints[service];
      if (!given) releaseDir ??= claimCloudDir(path.join(config.dataDir, 'cloud'));
      const onS3Event = (event: { Records: S3rverRecord[] }) => notifications?.onEvent(event);
      endpoints.set(service, given ? { url: given, embedded: false } : { url: await embedded(service, config, emulators, endpoints, onS3Event, log), embedded: true });
      log.info({ event: 'cloud_endpoint', service, url: endpoints.get(service)!.url, embedded: !given },
        `${service.toUpperCase()} ${endpoints.get(service)!.url} (${given ? 'configured endpoint' : `embedded ${EMULATOR_NAMES[service]}`})`);
    }
    if (!missing.length) return;
    if ([...endpoints.values()].some((e) => e.embedded)) {
      // The hub's own pollers and senders use the SDK's credential chain; the emulators take any key.
      process.env.AWS_ACCESS_KEY_ID ??= CLOUD_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY ??= CLOUD_CREDENTIALS.secretAccessKey;
    }
    replaced.push(clients);
    clients = cloudClients(endpoints, config.region);
  };
  try {
    await serve(project);
    config = withEmulatorArns(config, endpoints);
    project = config.project!;
    await createResources(clients, project.resources, project.subscriptions, log);
    notifications = new S3Notifications(config, outbox, path.join(config.dataDir, 'cloud', 's3-notification-configs.json'));
  } catch (err) {
    await stopEmulators();
    throw err instanceof HubError ? err : new HubError('TH_ERR_CLOUD_START_FAILED', `local cloud: ${(err as Error).message}`, { cause: err });
  }
  const bridge = new SnsBridge(() => clients, log);
  const bridged = new Set<string>();
  let enqueue: Enqueue | undefined;
  const bridgeNew = async (subscriptions: readonly Subscription[]) => {
    const fresh = subscriptions.filter((s) => s.protocol === 'lambda' && !bridged.has(subscriptionKey(s)));
    for (const s of fresh) bridged.add(subscriptionKey(s));
    if (enqueue) await bridge.start(fresh, enqueue);
  };
  writeState(config, project, endpoints);
  // What the template declared last (resources it dropped since are retained, not declared).
  let declared = new Set(project.resources.map(resourceKey));
  let disconnecting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    config: bindConfig(config, project, endpoints),
    endpoints,
    rebind: async (loaded) => {
      if (!loaded.project) return loaded;
      const existing = new Set(project.resources.map(resourceKey));
      const known = new Set(project.subscriptions.map(subscriptionKey));
      let next: HubConfig;
      let model: ProjectModel;
      try {
        await serve(loaded.project);
        next = withEmulatorArns(loaded, endpoints);
        model = next.project!;
        await createResources(clients, model.resources.filter((r) => !existing.has(resourceKey(r))), model.subscriptions.filter((s) => !known.has(subscriptionKey(s))), log);
      } catch (err) {
        throw err instanceof HubError ? err : new HubError('TH_ERR_CLOUD_START_FAILED', `local cloud: ${(err as Error).message}`, { cause: err });
      }
      const after = new Set(model.resources.map(resourceKey));
      const retained = [...declared].filter((key) => !after.has(key));
      declared = after;
      if (retained.length) log.info({ event: 'cloud_resources_retained', resources: retained }, `no longer declared, kept until the hub stops: ${retained.join(', ')}`);
      // Resources the template dropped stay known: their notifications and ARNs keep working.
      project = { ...model, resources: [...model.resources, ...project.resources.filter((r) => !after.has(resourceKey(r)))] };
      notifications!.update(next);
      await bridgeNew(model.subscriptions);
      writeState(config, project, endpoints);
      return bindConfig(next, model, endpoints);
    },
    connect: async (hub) => {
      count = hub.onNotification ?? count;
      enqueue = hub.enqueue;
      notifications!.connect({ post: hub.post, clients: () => clients, endpoints });
      await bridgeNew(project.subscriptions);
    },
    disconnect: () => (disconnecting ??= Promise.all([bridge.stop(), outbox.stop()]).then(() => undefined)),
    stop: () => (stopping ??= stopEmulators().then(() => rmSync(cloudStateFile(config), { force: true }))),
    kill: () => {
      for (const emulator of emulators) emulator.kill();
    },
  };
}

async function embedded(service: CloudService, config: HubConfig, emulators: Emulator[], endpoints: ReadonlyMap<CloudService, CloudEndpoint>, onS3Event: (event: { Records: S3rverRecord[] }) => void, log: Logger): Promise<string> {
  const dir = (name: string) => path.join(config.dataDir, 'cloud', name);
  // One fauxqs serves SQS and SNS.
  const shared = service === 'sns' ? endpoints.get('sqs') : service === 'sqs' ? endpoints.get('sns') : undefined;
  if (shared?.embedded) return shared.url;
  if (service === 's3') {
    const s3 = await startS3rver(dir('s3'));
    s3.onEvent(onS3Event);
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
