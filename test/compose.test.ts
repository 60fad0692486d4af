import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as Minio from 'minio';
import sharp from 'sharp';
import { DockerComposeEnvironment, getContainerRuntimeClient, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, type HubConfig } from '../src/config/load.js';
import { waitFor } from './helpers/hub.js';
import { REPO_ROOT } from './helpers/paths.js';

/**
 * docker-compose.yml, compose/** and the Dockerfile, checked without Docker: the hub's compose
 * config is the hub's real config (loaded as `up` loads it), everything it points at is a service
 * of the mesh with the right port, images are pinned, health checks and the image's user and
 * entry point are right. With a Docker engine, the last block brings the mesh up for real.
 */

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  networks?: Record<string, { aliases?: string[] }>;
}

const compose = parseYaml(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const hubService = services.hub;

/** Compose's own `${VAR:-default}` / `${VAR}` interpolation with an empty shell environment. */
const interpolate = (value: string, env: Record<string, string> = {}) =>
  value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, name: string, fallback?: string) => env[name] || (fallback ?? ''));
const text = (value: string[] | string | undefined) => (Array.isArray(value) ? value.join(' ') : value ?? '');

/** The hub's compose environment, as the container sees it (handlers resolved from this checkout). */
function hubEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(hubService.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
  return { ...env, EXAMPLES_DIR: path.join(REPO_ROOT, 'examples') };
}

function loadHubConfig(): HubConfig {
  return loadConfigFile(path.join(REPO_ROOT, 'compose/triggerhub.yaml'), hubEnv());
}

/** host:port of every endpoint URL the hub config names, by the setting that names it. */
function endpoints(config: HubConfig): Array<{ where: string; url: URL }> {
  const out: Array<{ where: string; url: URL }> = [];
  const walk = (value: unknown, where: string) => {
    if (typeof value === 'string' && /^(https?|rediss?):\/\//.test(value)) out.push({ where, url: new URL(value) });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`);
  };
  walk(config.redis, 'redis');
  for (const fn of Object.values(config.functions)) {
    walk(fn.events, `functions.${fn.name}.events`);
    walk(fn.environment, `functions.${fn.name}.environment`);
  }
  return out;
}

/** Stages of the Dockerfile: FROM line and instructions. */
function dockerStages(): Array<{ from: string; lines: string[] }> {
  const lines = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = Object.fromEntries(lines.filter((l) => /^ARG \w+=/.test(l)).map((l) => l.slice(4).split('=') as [string, string]));
  const stages: Array<{ from: string; lines: string[] }> = [];
  for (const line of lines) {
    if (/^FROM /i.test(line)) stages.push({ from: line.replace(/\$\{(\w+)\}/g, (_m, n: string) => args[n] ?? ''), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

describe('docker-compose.yml', () => {
  it('has the mesh: redis, minio + minio-init, localstack and the hub built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['hub', 'localstack', 'minio', 'minio-init', 'redis']);
    expect(hubService.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
  });

  it('pins every image to an exact version (no latest, no missing tag)', () => {
    const images = Object.entries(services).filter(([, s]) => s.image && !s.build).map(([name, s]) => [name, s.image!] as const);
    expect(images.length).toBe(4);
    for (const [name, image] of images) {
      const tag = image.split('/').at(-1)!.split(':')[1];
      expect(tag, `${name}: ${image}`).toBeTruthy();
      expect(tag, `${name}: ${image}`).not.toMatch(/latest|^\d+(\.\d+)?$|\$/);   // no floating 7 / 7.4 / variables
    }
    expect(services.redis.image).toMatch(/^redis:7\.\d+\.\d+(-\w+)?$/);
    expect(services.minio.image).toMatch(/^minio\/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(services['minio-init'].image).toMatch(/^minio\/mc:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(services.localstack.image).toMatch(/^localstack\/localstack:\d+\.\d+\.\d+$/);
  });

  it('runs redis with AOF on, noeviction and a health check', () => {
    const command = text(services.redis.command);
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(text(services.redis.healthcheck?.test)).toMatch(/redis-cli ping/);
  });

  it('gives the hub a /healthz health check and no fixed host port (so --scale hub=3 works)', () => {
    expect(text(hubService.healthcheck?.test)).toMatch(/http:\/\/127\.0\.0\.1:9000\/healthz/);
    expect(hubService.ports).toHaveLength(1);
    const published = interpolate(hubService.ports![0]);                 // HUB_PORT unset
    expect(published).toBe('127.0.0.1::9000');                            // ephemeral host port per replica
    expect(hubService.volumes).toContain('./compose:/config:ro');
    for (const dep of ['redis', 'localstack', 'minio']) expect(hubService.depends_on?.[dep]?.condition).toBe('service_healthy');
  });

  it('starts LocalStack with the services the hub uses and mounts an executable ready.d init script', () => {
    const enabled = String(services.localstack.environment?.SERVICES).split(',');
    expect(enabled.sort()).toEqual(['ec2', 'kinesis', 's3', 'sns', 'sqs']);
    const mount = services.localstack.volumes!.find((v) => v.includes('/etc/localstack/init/ready.d/'))!;
    expect(mount).toMatch(/^\.\/compose\/localstack\/[\w-]+\.sh:\/etc\/localstack\/init\/ready\.d\/[\w-]+\.sh(:ro)?$/);
    accessSync(path.join(REPO_ROOT, mount.split(':')[0]), constants.X_OK);
    expect(text(services.localstack.healthcheck?.test)).toMatch(/_localstack\/init\/ready/);
    // SNS's SigningCertURL / SubscribeURL name localhost.localstack.cloud: inside the mesh it is LocalStack.
    expect(services.localstack.networks?.default?.aliases).toContain('localhost.localstack.cloud');
  });

  it('runs the MinIO init job after MinIO and the hub are healthy, with the hub\'s webhook token', () => {
    const init = services['minio-init'];
    expect(init.depends_on).toEqual({ minio: { condition: 'service_healthy' }, hub: { condition: 'service_healthy' } });
    const mount = init.volumes!.find((v) => v.startsWith('./compose/minio/'))!;
    expect(existsSync(path.join(REPO_ROOT, mount.split(':')[0]))).toBe(true);
    expect(interpolate(init.environment!.MINIO_WEBHOOK_TOKEN)).toBe(interpolate(hubService.environment!.MINIO_WEBHOOK_TOKEN));
    expect(init.environment!.MINIO_ROOT_USER).toBe(services.minio.environment!.MINIO_ROOT_USER);
  });
});

describe('compose/triggerhub.yaml (the hub\'s config in the mesh)', () => {
  it('is a valid hub config: loadConfigFile with the hub container\'s environment', () => {
    const config = loadHubConfig();
    expect(config.server).toEqual({ port: 9000, host: '0.0.0.0', durableWriteTimeoutMs: 5000, requestTimeoutMs: 300_000 });
    expect(config.redis).toBe('redis://redis:6379');
    expect(config.dataDir).toBe('/var/lib/triggerhub');
    const kinds = new Set(Object.values(config.functions).flatMap((fn) => fn.events.map((e) => Object.keys(e)[0])));
    expect([...kinds].sort()).toEqual(['http', 'kinesis', 's3', 'schedule', 'sns', 'sqs']);
  });

  it('points only at services of the mesh, on the ports they listen on', () => {
    const ports: Record<string, number> = { redis: 6379, localstack: 4566, minio: 9000, hub: 9000 };
    const found = endpoints(loadHubConfig());
    expect(found.length).toBeGreaterThan(10);
    for (const { where, url } of found) {
      expect(services[url.hostname], `${where}: ${url.href}`).toBeDefined();
      expect(Number(url.port), `${where}: ${url.href}`).toBe(ports[url.hostname]);
    }
    const urls = found.map((e) => e.url.href);
    expect(urls).toContain('http://localstack:4566/');
    expect(urls).toContain('redis://redis:6379');
  });

  it('uses the real settings of each source kind for LocalStack and MinIO', () => {
    const config = loadHubConfig();
    const event = (fn: string, kind: string) => config.functions[fn].events.find((e) => kind in e)![kind] as Record<string, unknown>;
    expect(event('orders', 'sqs')).toMatchObject({
      queue: 'http://localstack:4566/000000000000/orders', endpoint: 'http://localstack:4566', functionResponseTypes: ['ReportBatchItemFailures'],
    });
    for (const fn of ['email', 'analytics']) {
      expect(event(fn, 'sns')).toMatchObject({
        topic: 'arn:aws:sns:us-east-1:000000000000:orders-events', allowHttp: true, path: `/sns/${fn}`,
        trustedCertHosts: expect.arrayContaining(['localhost.localstack.cloud:4566']),
        subscribe: { endpointUrl: `http://hub:9000/sns/${fn}` }, endpoint: 'http://localstack:4566',
      });
    }
    expect(event('uploads', 's3')).toMatchObject({ bucket: 'uploads', via: { sqs: 'http://localstack:4566/000000000000/uploads-events', endpoint: 'http://localstack:4566' } });
    expect(event('photos', 's3')).toMatchObject({ bucket: 'photos', via: { webhook: { path: '/s3/photos', authToken: hubEnv().MINIO_WEBHOOK_TOKEN } } });
    expect(event('thumbnail', 's3')).toMatchObject({
      bucket: 'images', filter: { prefix: 'uploads/' }, via: { webhook: { path: '/s3/thumbnail', authToken: hubEnv().MINIO_WEBHOOK_TOKEN } },
    });
    // The thumbnail handler imports sharp and the S3 client: it must load from the image's examples/, next to node_modules.
    expect(config.functions.thumbnail.handlerFile).toBe(path.join(REPO_ROOT, 'examples', 'thumbnail', 'index.mjs'));
    expect(config.functions.thumbnail.environment).toMatchObject({
      DEST_BUCKET: 'thumbnails', S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY_ID: interpolate(services.minio.environment!.MINIO_ROOT_USER), S3_SECRET_ACCESS_KEY: interpolate(services.minio.environment!.MINIO_ROOT_PASSWORD),
    });
    expect(event('clickstream', 'kinesis')).toMatchObject({ stream: 'clickstream', endpoint: 'http://localstack:4566' });
    expect(event('ec2-stop', 'schedule')).toMatchObject({ expression: 'cron(0 22 * * ? *)', timezone: 'GMT' });
    expect(config.functions['ec2-stop'].environment.EC2_ENDPOINT).toBe('http://localstack:4566');
  });

  it('has every queue, topic, stream and bucket it reads created by the init jobs', () => {
    const localstack = readFileSync(path.join(REPO_ROOT, 'compose/localstack/init-aws.sh'), 'utf8');
    for (const line of [
      '--queue-name orders-dlq', '--queue-name orders ', 'maxReceiveCount', 'sns create-topic --name orders-events',
      'create-stream --stream-name clickstream', '--queue-name uploads-events', '--bucket uploads',
      'put-bucket-notification-configuration', 'ec2 run-instances', 'Key=AutoSchedule,Value=office-hours',
    ]) expect(localstack, line).toContain(line);
    expect(localstack).toContain('arn:aws:sqs:us-east-1:$ACCOUNT:uploads-events');
    const minio = readFileSync(path.join(REPO_ROOT, 'compose/minio/init.sh'), 'utf8');
    expect(minio).toMatch(/mc mb --ignore-existing local\/photos/);
    expect(minio).toMatch(/mc admin config set local notify_webhook:hub/);
    expect(minio).toMatch(/auth_token="\$MINIO_WEBHOOK_TOKEN"/);
    expect(minio).toMatch(/mc event add local\/photos arn:minio:sqs::hub:webhook/);
    expect(services['minio-init'].environment!.HUB_WEBHOOK_URL).toBe('http://hub:9000/s3/photos');
    // thumbnail: images/uploads/* → its own webhook target; the destination bucket exists and notifies nobody.
    for (const bucket of ['images', 'thumbnails']) expect(minio).toMatch(new RegExp(`mc mb --ignore-existing local/${bucket}\\n`));
    expect(minio).toMatch(/mc admin config set local notify_webhook:thumbnail \\\n\s+endpoint="\$\{THUMBNAIL_WEBHOOK_URL:-http:\/\/hub:9000\/s3\/thumbnail\}" \\\n\s+auth_token="\$MINIO_WEBHOOK_TOKEN"/);
    expect(minio).toMatch(/mc event add local\/images arn:minio:sqs::thumbnail:webhook --event put --prefix uploads\/ /);
    expect(minio).not.toMatch(/mc event add local\/thumbnails/);
    expect(services['minio-init'].environment!.THUMBNAIL_WEBHOOK_URL).toBe('http://hub:9000/s3/thumbnail');
  });
});

describe('Dockerfile', () => {
  const stages = dockerStages();
  const final = stages.at(-1)!;

  it('is multi-stage on a pinned node:20 bookworm-slim: build with devDependencies, runtime with production ones', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^FROM node:20\.\d+\.\d+-bookworm-slim\b/);
    const build = stages[0].lines.join('\n');
    // npm ci: exactly the lockfile, which lists every platform's optional packages.
    expect(build).toMatch(/RUN npm ci\b(?!.*--omit)/);
    expect(build).toMatch(/RUN npm run build/);
    const runtime = final.lines.join('\n');
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).not.toMatch(/npm install/);
    expect(runtime).toMatch(/COPY --from=\w+ \/app\/dist/);
    const deps = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    expect(deps.tsx).toBeDefined();                                       // .ts handlers run in the runtime stage
  });

  it('runs as a non-root user and its entry point is `triggerhub --config /config/triggerhub.yaml up`', () => {
    const user = final.lines.filter((l) => /^USER /.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user!.slice(5).trim()).not.toMatch(/^(root|0)(:|$)/);
    const json = (name: string) => JSON.parse(final.lines.find((l) => l.startsWith(`${name} `))!.slice(name.length + 1)) as string[];
    expect([...json('ENTRYPOINT'), ...json('CMD')]).toEqual(['node', 'bin/triggerhub.js', '--config', '/config/triggerhub.yaml', 'up']);
  });

  it('keeps node_modules, dist, .git and tests out of the build context', () => {
    const ignored = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', 'test', '.triggerhub']) expect(ignored).toContain(entry);
    for (const needed of ['src', 'bin', 'examples', 'package.json', 'package-lock.json', 'tsconfig.json']) expect(ignored).not.toContain(needed);
  });
});

const docker = await getContainerRuntimeClient().then(() => true, () => false);

describe.skipIf(!docker)('docker compose up (Docker engine present)', { timeout: 600_000 }, () => {
  let mesh: StartedDockerComposeEnvironment | undefined;

  beforeAll(async () => {
    mesh = await new DockerComposeEnvironment(REPO_ROOT, 'docker-compose.yml')
      .withBuild()
      .withProjectName(`triggerhub-test-${process.pid}`)
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withWaitStrategy('minio-init-1', Wait.forOneShotStartup())
      .withStartupTimeout(480_000)
      .up();
  }, 600_000);
  afterAll(async () => {
    await mesh?.down({ removeVolumes: true });
  }, 120_000);

  it('brings the mesh up and the hub answers /healthz', async () => {
    const hub = mesh!.getContainer('hub-1');
    const response = await fetch(`http://${hub.getHost()}:${hub.getMappedPort(9000)}/healthz`);
    expect(response.status).toBe(200);
  });

  it('makes a thumbnail through real MinIO: an upload to images/uploads/ becomes a 200 px copy in thumbnails', async () => {
    const minio = mesh!.getContainer('minio-1');
    const client = new Minio.Client({
      endPoint: minio.getHost(), port: minio.getMappedPort(9000), useSSL: false,
      accessKey: interpolate(services.minio.environment!.MINIO_ROOT_USER), secretKey: interpolate(services.minio.environment!.MINIO_ROOT_PASSWORD),
    });
    const key = 'uploads/from compose é (1).png';
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 40, g: 90, b: 200 } } }).png().toBuffer();
    await client.putObject('images', key, png, png.length, { 'Content-Type': 'image/png' });

    const stat = await waitFor(() => client.statObject('thumbnails', key).catch(() => undefined), 60_000, 'the thumbnail in MinIO');
    expect(stat.metaData['content-type']).toBe('image/png');
    const chunks: Buffer[] = [];
    for await (const chunk of await client.getObject('thumbnails', key)) chunks.push(chunk as Buffer);
    expect(await sharp(Buffer.concat(chunks)).metadata()).toMatchObject({ format: 'png', width: 200, height: 150 });
  });
});
