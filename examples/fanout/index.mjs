// Two independent Lambda handlers subscribed to one SNS topic: each receives its own copy of
// every notification (an SNSEvent with one record). Run unchanged on AWS Lambda (nodejs20.x).
const parse = (record) => {
  try { return JSON.parse(record.Sns.Message); } catch { return { text: record.Sns.Message }; }
};

/** Sends the (pretend) customer e-mail. */
export const email = async (event) => {
  for (const record of event.Records) {
    const order = parse(record);
    console.log(JSON.stringify({ fanout: 'email', messageId: record.Sns.MessageId, to: order.customer ?? 'unknown', subject: record.Sns.Subject }));
  }
};

/** Counts the order for analytics. */
export const analytics = async (event) => {
  for (const record of event.Records) {
    const order = parse(record);
    console.log(JSON.stringify({ fanout: 'analytics', messageId: record.Sns.MessageId, total: order.total ?? 0, topic: record.Sns.TopicArn }));
  }
};
