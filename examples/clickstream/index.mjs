// Kinesis batch handler: counts click events per partition key (e.g. per user) in each batch,
// logs the counts and returns them. Runs unchanged on AWS Lambda (nodejs20.x).
export const handler = async (event) => {
  const counts = {};
  const pages = {};
  for (const record of event.Records) {
    const key = record.kinesis.partitionKey;
    counts[key] = (counts[key] ?? 0) + 1;
    try {
      const click = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
      if (click.page) (pages[key] ??= []).push(click.page);
    } catch {
      // not JSON: counted, no page
    }
  }
  const summary = { records: event.Records.length, counts, pages };
  console.log(JSON.stringify({ clickstream: summary }));
  return summary;
};
