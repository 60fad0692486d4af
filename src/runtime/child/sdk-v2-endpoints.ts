import { createRequire } from 'node:module';

/** The AWS SDK v2 service identifier of each AWS_ENDPOINT_URL_<SERVICE> variable the hub sets. */
const SERVICES = new Map([
  ['AWS_ENDPOINT_URL_SQS', 'sqs'],
  ['AWS_ENDPOINT_URL_SNS', 'sns'],
  ['AWS_ENDPOINT_URL_S3', 's3'],
  ['AWS_ENDPOINT_URL_KINESIS', 'kinesis'],
  ['AWS_ENDPOINT_URL_DYNAMODB', 'dynamodb'],
  ['AWS_ENDPOINT_URL_DYNAMODB_STREAMS', 'dynamodbstreams'],
]);

interface SdkV2 {
  config: { update(options: Record<string, unknown>): void };
}

/**
 * The AWS SDK for JavaScript v2 (`aws-sdk`, which older projects bundle) reads no
 * AWS_ENDPOINT_URL_<SERVICE> variable: its clients would go to AWS instead of the local cloud (and
 * time out there). When the handler's module resolves `aws-sdk`, its global configuration gets
 * those endpoints per service (S3 path-style, as the emulator addresses buckets) before the
 * handler loads, so clients made at module load (`new AWS.DynamoDB.DocumentClient()`) reach them
 * as SDK v3 clients do. An endpoint the code gives a client itself still wins.
 */
export function bindSdkV2Endpoints(handlerFile: string, env: NodeJS.ProcessEnv = process.env): void {
  const services: Record<string, unknown> = {};
  for (const [variable, service] of SERVICES) {
    const endpoint = env[variable];
    if (endpoint) services[service] = service === 's3' ? { endpoint, s3ForcePathStyle: true } : { endpoint };
  }
  if (env.AWS_ENDPOINT_URL) services.endpoint = env.AWS_ENDPOINT_URL;
  if (Object.keys(services).length === 0) return;
  let sdk: SdkV2;
  try {
    sdk = createRequire(handlerFile)('aws-sdk') as SdkV2;
  } catch {
    return; // Not installed (or it fails to load): the handler's own require reports that.
  }
  sdk.config?.update?.(services);
}
