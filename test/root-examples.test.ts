import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { buildConfig, loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { REPO_ROOT, tempDir, waitFor } from './helpers/hub.js';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  }).on('error', reject);
});

describe('triggerhub.yaml in the repository root (what `npm start` runs)', () => {
  it('is valid and holds the walkthrough functions', () => {
    const config = loadConfigFile(path.join(REPO_ROOT, 'triggerhub.yaml'), { PATH: process.env.PATH });
    expect(Object.keys(config.functions).sort()).toEqual(['audit', 'counter', 'hello', 'picky', 'thumbnail']);
    expect(config.functions.thumbnail.environment.S3_ENDPOINT).toBe('http://127.0.0.1:9100');
  });
});

/**
 * `npm start`'s local S3 (scripts/local-s3.ts) with the root config: an upload reaches the
 * thumbnail function through the MinIO-format webhook, also when it was made before the hub listened.
 */
describe('scripts/local-s3.ts with the root config', () => {
  let s3: ChildProcess;
  let hub: Hub | undefined;
  let client: S3Client;
  let hubPort: number;
  let s3Port: number;

  beforeAll(async () => {
    [hubPort, s3Port] = [await freePort(), await freePort()];
    s3 = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-s3.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOCAL_S3_PORT: String(s3Port), LOCAL_S3_DIR: tempDir('th-local-s3-'), HUB_URL: `http://127.0.0.1:${hubPort}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    s3.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await waitFor(() => stderr.includes('local-s3: S3 API on'), 20_000, 'local-s3 to listen');
    client = new S3Client({
      endpoint: `http://127.0.0.1:${s3Port}`, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await hub?.stop();
    s3?.kill('SIGTERM');
  });

  const thumbnail = (key: string) => client.send(new GetObjectCommand({ Bucket: 'thumbnails', Key: key }))
    .then(async (out) => out.Body!.transformToByteArray())
    .catch(() => undefined);

  it('delivers an upload made before the hub started, then one made while it runs', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2a6' } }).png().toBuffer();
    await client.send(new PutObjectCommand({ Bucket: 'images', Key: 'uploads/early bird.png', Body: png, ContentType: 'image/png' }));

    const raw = parseYaml(readFileSync(path.join(REPO_ROOT, 'triggerhub.yaml'), 'utf8')) as Record<string, unknown>;
    hub = await startHub(buildConfig({
      ...raw,
      redis: inject('redisUrl'),
      queuePrefix: `root-${randomUUID().slice(0, 8)}`,
      server: { port: hubPort, host: '127.0.0.1' },
      shutdownTimeoutSeconds: 5,
    }, { baseDir: REPO_ROOT, env: { ...process.env, S3_ENDPOINT: `http://127.0.0.1:${s3Port}` } }), { logger: silentLogger() });

    const early = await waitFor(() => thumbnail('uploads/early bird.png'), 30_000, 'the thumbnail of the early upload');
    expect(await sharp(early).metadata()).toMatchObject({ width: 200, height: 150, format: 'png' });

    await client.send(new PutObjectCommand({ Bucket: 'images', Key: 'uploads/later.png', Body: png, ContentType: 'image/png' }));
    const later = await waitFor(() => thumbnail('uploads/later.png'), 30_000, 'the thumbnail of the later upload');
    expect((await sharp(later).metadata()).width).toBe(200);
  }, 60_000);
});
