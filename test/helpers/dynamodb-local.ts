import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/**
 * DynamoDB Local (the official jar shipped in amplify-dynamodb-simulator) on a free loopback
 * port, in memory, one database whatever the credentials and region (-sharedDb): start one per test file (about 3 s), stop it in afterAll. Needs Java
 * (Debian's default-jre-headless; scripts/test.sh installs it).
 */
export interface DynamoDbLocal {
  endpoint: string;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  stop(): Promise<void>;
}

const EMULATOR = path.join(path.dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Why DynamoDB Local cannot run here (no Java), or undefined. */
export function dynamoDbLocalUnavailable(): string | undefined {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return java.status === 0 ? undefined : 'DynamoDB Local needs Java: apt-get install default-jre-headless (scripts/test.sh does)';
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const port = await freePort();
  const child = spawn('java', ['-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-inMemory', '-sharedDb', '-port', String(port)], {
    cwd: EMULATOR, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
  const endpoint = `http://127.0.0.1:${port}`;
  const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  const stop = async () => {
    dynamodb.destroy();
    streams.destroy();
    await kill(child);
  };
  try {
    await ready(dynamodb, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, dynamodb, streams, stop };
}

async function ready(client: DynamoDBClient, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr()}`);
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 30 s: ${(err as Error).message} ${stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}
