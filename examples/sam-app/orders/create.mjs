import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

// No endpoint in code: the hub sets AWS_ENDPOINT_URL_SQS to its local cloud.
const sqs = new SQSClient({});

/** POST /orders (HTTP API, payload 2.0): queues the order and answers 202 with its id. */
export const handler = async (event) => {
  let order;
  try {
    order = JSON.parse(event.body ?? '');
  } catch {
    return { statusCode: 400, body: JSON.stringify({ message: 'the body must be JSON' }) };
  }
  const id = randomUUID();
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.ORDERS_QUEUE_URL, MessageBody: JSON.stringify({ ...order, id }) }));
  return { statusCode: 202, body: JSON.stringify({ id }) };
};
