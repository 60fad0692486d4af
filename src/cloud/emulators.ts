import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import { fauxqsStores } from './fauxqs-stores.js';
import { freePort } from '../ports.js';
import { CLOUD_CREDENTIALS } from './credentials.js';
import { writeObjectsAtomically } from './s3rver-atomic-put.js';
import { sqsSnsPersistence } from './sqs-sns-persistence.js';

/**
 * The embedded, loopback-only emulators of the local cloud, one starter per service: fauxqs
 * (SQS and SNS, in memory, snapshotted to disk), s3rver (S3, objects on disk), kinesalite (Kinesis,
 * LevelDB on disk) and DynamoDB Local (Java, tables on disk). Each keeps its data in the directory
 * it is given (`<dataDir>/cloud/<service>`).
 */
export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
  /**
   * A forced stop, synchronous (the process exits right after): what the emulator holds only in
   * memory is written now. Its requests answered so far are then all kept, as after stop().
   */
  kill(): void;
}

export interface S3Emulator extends Emulator {
  /** s3rver's in-process object events (AWS-shaped records with s3rver's quirks). */
  onEvent(listener: (event: { Records: Array<Record<string, unknown>> }) => void): void;
}

const require = createRequire(import.meta.url);

/** fauxqs serves SQS and SNS (its S3 has no notifications; s3rver serves S3), its state kept under `dir`. */
export async function startFauxqs(dir: string, log: Logger): Promise<Emulator> {
  const { buildApp } = await import('fauxqs');
  const stores = await fauxqsStores();
  const persistence = sqsSnsPersistence(stores, dir, log);
  const app = buildApp({ logger: false, stores });
  persistence.watch(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  persistence.restore(port);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      try {
        await app.close();
      } finally {
        await persistence.close();
      }
    },
    kill: () => persistence.writeNow(),
  };
}

export async function startS3rver(dir: string): Promise<S3Emulator> {
  const { default: S3rver } = await import('s3rver');
  const { default: account } = await import('s3rver/lib/models/account.js');
  // Handlers and tools sign with the local cloud's test credentials.
  (account as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT
    .createKeyPair(CLOUD_CREDENTIALS.accessKeyId, CLOUD_CREDENTIALS.secretAccessKey);
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, resetOnClose: false });
  writeObjectsAtomically(server.store);
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    onEvent: (listener) => { server.on('event', listener); },
    stop: () => server.close(),
    // Each object is on disk before its PUT is answered (s3rver-atomic-put.ts).
    kill: () => undefined,
  };
}

export async function startKinesalite(dir: string): Promise<Emulator> {
  mkdirSync(dir, { recursive: true });
  const kinesalite = (await import('kinesalite')).default as (options: object) => Server;
  const server = kinesalite({ path: dir, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
    // Each record is in LevelDB before its PutRecord is answered.
    kill: () => undefined,
  };
}

const DYNAMODB_READY_MS = 60_000;
/** One readiness probe of DynamoDB Local at most. */
const DYNAMODB_PROBE_MS = 2000;
/** How long Java gets to exit on SIGTERM at stop before it is killed. */
const DYNAMODB_STOP_MS = 10_000;

/**
 * Runs a command ("$@") that goes when the hub goes: it is killed once its stdin (the hub's pipe)
 * closes, which happens on stop and when the hub dies, even by kill -9 (Java does not watch its
 * stdin itself; the hub's environments exit the same way). Exits with the command's code.
 */
const EXIT_WITH_PARENT = 'exec 3<&0; "$@" </dev/null & pid=$!; (read _ <&3; kill $pid 2>/dev/null) & wait $pid';

/** DynamoDB Local (the official jar inside amplify-dynamodb-simulator); needs `java` on PATH. */
export async function startDynamoDbLocal(dir: string): Promise<Emulator> {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) {
    throw new HubError('TH_ERR_CLOUD_START_FAILED', 'the project declares DynamoDB tables, and DynamoDB Local needs Java: install it (Debian: apt-get install default-jre-headless) or set endpoints.dynamodb');
  }
  mkdirSync(dir, { recursive: true });
  const emulatorDir = path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const port = await freePort();
  // Its own process group (detached): a terminal's Ctrl-C reaches the hub only, which stops Java
  // after its sources; and a Java that does not go on SIGTERM can be killed with its wrapper.
  const child: ChildProcess = spawn('sh', ['-c', EXIT_WITH_PARENT, 'sh', 'java', '-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-sharedDb', '-dbPath', dir, '-port', String(port)], {
    cwd: emulatorDir, stdio: ['pipe', 'ignore', 'ignore'], detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.stdin!.end();
    const kill = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch { /* already gone */ }
    }, DYNAMODB_STOP_MS);
    await exited;
    clearTimeout(kill);
  };
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CLOUD_CREDENTIALS, maxAttempts: 1 });
  try {
    for (const until = Date.now() + DYNAMODB_READY_MS; ;) {
      if (child.exitCode !== null) throw new HubError('TH_ERR_CLOUD_START_FAILED', `DynamoDB Local exited with code ${child.exitCode} before it was ready`);
      // Each probe bounded: a JVM still starting may take the connection and not answer yet.
      const ready = await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(DYNAMODB_PROBE_MS) }).then(() => true, () => false);
      if (ready) break;
      if (Date.now() > until) throw new HubError('TH_ERR_CLOUD_START_FAILED', `DynamoDB Local was not ready after ${DYNAMODB_READY_MS / 1000} s`);
      await delay(200);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }
  // Its tables are in its database file; the wrapper stops Java once the exiting hub's pipe closes.
  return { endpoint, stop, kill: () => undefined };
}
