import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CloudService } from '../project/model.js';
import { CLOUD_CREDENTIALS } from './credentials.js';

/**
 * SDK clients for the local cloud's endpoints. Embedded emulators get the test credentials; a
 * user's endpoint (LocalStack, MinIO, AWS) the SDK's own credential chain.
 */
export interface CloudEndpoint {
  url: string;
  embedded: boolean;
}

export interface CloudClients {
  sqs?: SQSClient;
  sns?: SNSClient;
  s3?: S3Client;
  kinesis?: KinesisClient;
  dynamodb?: DynamoDBClient;
  destroy(): void;
}

export function cloudClients(endpoints: ReadonlyMap<CloudService, CloudEndpoint>, region: string): CloudClients {
  const options = (service: CloudService) => {
    const endpoint = endpoints.get(service);
    return endpoint && { endpoint: endpoint.url, region, ...(endpoint.embedded ? { credentials: CLOUD_CREDENTIALS } : {}) };
  };
  const sqs = options('sqs');
  const sns = options('sns');
  const s3 = options('s3');
  const kinesis = options('kinesis');
  const dynamodb = options('dynamodb');
  const clients = {
    sqs: sqs && new SQSClient(sqs),
    sns: sns && new SNSClient(sns),
    s3: s3 && new S3Client({ ...s3, forcePathStyle: true }),
    // kinesalite speaks HTTP/1.1 only (the SDK's default handler is HTTP/2).
    kinesis: kinesis && new KinesisClient({ ...kinesis, requestHandler: new NodeHttpHandler() }),
    dynamodb: dynamodb && new DynamoDBClient(dynamodb),
  };
  return { ...clients, destroy: () => { for (const client of Object.values(clients)) client?.destroy(); } };
}
