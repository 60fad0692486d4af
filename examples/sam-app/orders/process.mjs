import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({});

/**
 * SQS consumer: one receipt object per order in the receipts bucket. An order without items fails
 * alone (partial batch response) and, after maxReceiveCount receives, lands in the DLQ.
 */
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (!Array.isArray(order.items) || order.items.length === 0) {
      console.error(`order ${order.id}: no items`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    await s3.send(new PutObjectCommand({
      Bucket: process.env.RECEIPTS_BUCKET,
      Key: `receipts/${order.id}.json`,
      Body: JSON.stringify({ id: order.id, items: order.items, stage: process.env.STAGE }),
      ContentType: 'application/json',
    }));
    console.log(`order ${order.id}: receipt written`);
  }
  return { batchItemFailures };
};
