// SQS batch handler with partial batch responses (ReportBatchItemFailures): only the records that
// failed go back to the queue; after maxReceiveCount receives the queue's redrive policy moves
// them to its dead-letter queue. Runs unchanged on AWS Lambda (nodejs20.x).
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      const order = JSON.parse(record.body);
      if (typeof order.id !== 'string' || !Number.isInteger(order.quantity) || order.quantity <= 0) {
        throw new Error(`invalid order: ${record.body}`);
      }
      console.log(JSON.stringify({ processed: order.id, quantity: order.quantity, receiveCount: Number(record.attributes.ApproximateReceiveCount) }));
    } catch (error) {
      console.error(JSON.stringify({ failed: record.messageId, reason: error.message, receiveCount: Number(record.attributes.ApproximateReceiveCount) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
