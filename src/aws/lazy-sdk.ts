/**
 * The AWS SDK clients and MinIO's client, loaded on first use. Together they are about 40 MB of
 * RSS; a hub whose config has no SQS, SNS, Kinesis, S3 or DynamoDB source, no SQS or SNS destination and no local cloud never
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
export const loadDynamodb = once(() => import('@aws-sdk/client-dynamodb'));
export const loadDynamodbStreams = once(() => import('@aws-sdk/client-dynamodb-streams'));
export const loadMinio = once(() => import('minio'));
export const loadHttpHandler = once(() => import('@smithy/node-http-handler'));
/** SigV4 signing, for function URLs with `authType: AWS_IAM` only. */
export const loadSignatureV4 = once(() => import('@smithy/signature-v4'));
