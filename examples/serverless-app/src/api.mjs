import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

// Unchanged Lambda code: the SDK finds the local cloud through AWS_ENDPOINT_URL_SQS.
const sqs = new SQSClient({});

/** POST /orders: queues the order, 202 with its id. */
export const createOrder = async (event) => {
  let order;
  try {
    order = JSON.parse(event.body ?? '');
  } catch {
    return { statusCode: 400, body: JSON.stringify({ message: 'body must be JSON' }) };
  }
  const id = randomUUID();
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify({ id, ...order }) }));
  return { statusCode: 202, body: JSON.stringify({ id, message: `${process.env.GREETING}, order queued` }) };
};

/** GET /orders/{id}: what REST API events carry (path parameters, stage). */
export const getOrder = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ id: event.pathParameters.id, stage: event.requestContext.stage, resource: event.resource }),
});
