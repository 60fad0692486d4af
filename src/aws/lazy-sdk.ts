import { createRequire } from 'node:module';

/**
 * The AWS SDK clients and MinIO's client, loaded on first use. Together they are about 40 MB of
 * RSS; a hub whose config has no SQS, SNS, Kinesis, S3 or DynamoDB source, no SQS or SNS destination and no local cloud never
 * loads them. Each loader imports its package once (the promise is kept). The same for the other
 * packages only some projects need (SigV4 signing, the event-stream codec, the CloudFormation YAML
 * reader, the file watcher).
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export const loadSqs = once(() => import('@aws-sdk/client-sqs'));
export const loadSns = once(() => import('@aws-sdk/client-sns'));
export const loadKinesis = once(() => import('@aws-sdk/client-kinesis'));
export const loadS3 = once(() => import('@aws-sdk/client-s3'));
export const loadDynamodb = once(() => import('@aws-sdk/client-dynamodb'));
export const loadDynamodbStreams = once(() => import('@aws-sdk/client-dynamodb-streams'));
export const loadMinio = once(() => import('minio'));
export const loadHttpHandler = once(() => import('@smithy/node-http-handler'));
/** SigV4 signing, for function URLs with `authType: AWS_IAM` only. */
export const loadSignatureV4 = once(() => import('@smithy/signature-v4'));
/** chokidar, for `--watch` only. */
export const loadChokidar = once(() => import('chokidar'));

const requireModule = createRequire(import.meta.url);

/** A CommonJS package required on first call, for callers that cannot wait (a template parse, a stream frame). */
function onceSync<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireModule(id) as T);
}

/** yaml-cfn (and js-yaml under it): SAM / CloudFormation templates and serverless.yml. */
export const requireYamlCfn = onceSync<typeof import('yaml-cfn')>('yaml-cfn');
export const requireJsYaml = onceSync<typeof import('js-yaml')>('js-yaml');
/** The `application/vnd.amazon.eventstream` codec: streamed Invoke responses. */
export const requireEventStreamCodec = onceSync<typeof import('@smithy/eventstream-codec')>('@smithy/eventstream-codec');
