/**
 * The AWS SDK clients and MinIO's client, loaded on first use. Together they are about 40 MB of
 * RSS; a hub whose config has no SQS, SNS, Kinesis or S3 source and no SQS or SNS destination never
 * loads them. Each loader imports its package once (the promise is kept).
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export const loadSqs = once(() => import('@aws-sdk/client-sqs'));
export const loadSns = once(() => import('@aws-sdk/client-sns'));
export const loadKinesis = once(() => import('@aws-sdk/client-kinesis'));
export const loadS3 = once(() => import('@aws-sdk/client-s3'));
export const loadMinio = once(() => import('minio'));
export const loadHttpHandler = once(() => import('@smithy/node-http-handler'));
