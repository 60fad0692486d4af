import { spawnSync } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal as startEmulator } from '../../src/cloud/emulators.js';
import { tempDir } from './paths.js';

/**
 * DynamoDB Local (the official jar shipped in amplify-dynamodb-simulator, started as the local
 * cloud starts it: one database whatever the credentials and region, `-sharedDb`) on a free
 * loopback port: start one per test file (about 3 s), stop it in afterAll. Needs Java (Debian's
 * default-jre-headless; scripts/test.sh installs it).
 */
export interface DynamoDbLocal {
  endpoint: string;
  dynamodb: DynamoDBClient;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Why DynamoDB Local cannot run here (no Java), or undefined. */
export function dynamoDbLocalUnavailable(): string | undefined {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return java.status === 0 ? undefined : 'DynamoDB Local needs Java: apt-get install default-jre-headless (scripts/test.sh does)';
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  // The hub's clients use the SDK's standard credential chain.
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const emulator = await startEmulator(tempDir('th-dynamodb-local-'));
  const dynamodb = new DynamoDBClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  return {
    endpoint: emulator.endpoint,
    dynamodb,
    stop: async () => {
      dynamodb.destroy();
      await emulator.stop();
    },
  };
}
