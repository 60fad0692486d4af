/**
 * SQS consumer with partial batch responses: an order without items fails alone and goes back to
 * the queue; after maxReceiveCount receives the queue's redrive policy moves it to the DLQ.
 */
export const processOrders = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (!Array.isArray(order.items) || order.items.length === 0) {
      console.error(`order ${order.id} has no items`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    console.log(JSON.stringify({ processed: order.id, items: order.items.length }));
  }
  return { batchItemFailures };
};
