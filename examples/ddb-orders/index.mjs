// Keeps each customer's order total in TOTALS_TABLE from the Orders table's stream: INSERT adds
// the order's amount, REMOVE subtracts it, MODIFY adds the difference. Powertools' batch
// processor reports a failed record by its SequenceNumber (ReportBatchItemFailures), so Lambda
// (or triggerhub) retries from it; the records before it are not applied twice.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const processor = new BatchProcessor(EventType.DynamoDBStreams);
// No endpoint in code: AWS_ENDPOINT_URL_DYNAMODB (set by the hub's local cloud) points the SDK at DynamoDB Local.
const dynamodb = new DynamoDBClient({});

const amountOf = (image) => Number(image?.amount?.N ?? 0);

const recordHandler = async (record) => {
  const { NewImage, OldImage } = record.dynamodb;
  const customerId = (NewImage ?? OldImage).customerId?.S;
  if (!customerId) throw new Error(`order ${record.dynamodb.Keys.orderId.S} has no customerId`);
  const delta = amountOf(NewImage) - amountOf(OldImage);
  const orders = record.eventName === 'INSERT' ? 1 : record.eventName === 'REMOVE' ? -1 : 0;
  await dynamodb.send(new UpdateItemCommand({
    TableName: process.env.TOTALS_TABLE,
    Key: { customerId: { S: customerId } },
    UpdateExpression: 'ADD #total :delta, orders :orders',
    ExpressionAttributeNames: { '#total': 'total' }, // a reserved word
    ExpressionAttributeValues: { ':delta': { N: String(delta) }, ':orders': { N: String(orders) } },
  }));
};

export const handler = async (event, context) => processPartialResponse(event, recordHandler, processor, { context });
