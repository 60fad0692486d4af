import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { waitFor } from './helpers/hub.js';
import { startKinesalite, type Kinesalite } from './helpers/kinesalite.js';
import { handlerJson, startExample, type LogLine } from './fixtures/examples/run.js';

interface Summary { records: number; counts: Record<string, number>; pages: Record<string, string[]> }

/** examples/clickstream against kinesalite: click records aggregated per partition key (user). */
describe('examples/clickstream', () => {
  let kinesis: Kinesalite;
  let hub: Hub;
  let logs: LogLine[];
  const stream = `clickstream-${Date.now()}`;

  beforeAll(async () => {
    kinesis = await startKinesalite();
    await kinesis.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    await waitFor(async () => (await kinesis.client.send(new DescribeStreamSummaryCommand({ StreamName: stream })))
      .StreamDescriptionSummary?.StreamStatus === 'ACTIVE', 5000, 'the stream');
    ({ hub, logs } = await startExample('clickstream', {
      CLICKSTREAM_STREAM: stream, KINESIS_ENDPOINT: kinesis.endpoint, AWS_REGION: 'us-east-1', CLICKSTREAM_WINDOW_SECONDS: '1',
    }));
  });
  afterAll(async () => {
    await hub?.stop();
    await kinesis?.close();
  });

  it('counts the clicks of each partition key, in order per key', async () => {
    const clicks = [
      ['alice', '/'], ['bob', '/'], ['alice', '/pricing'], ['carol', '/docs'], ['alice', '/signup'], ['bob', '/docs'],
    ];
    await kinesis.client.send(new PutRecordsCommand({
      StreamName: stream,
      Records: clicks.map(([user, page]) => ({ PartitionKey: user, Data: Buffer.from(JSON.stringify({ user, page })) })),
    }));
    const summaries = await waitFor(() => {
      const all = handlerJson(logs, 'clickstream').map((l) => l.clickstream as Summary);
      return all.reduce((n, s) => n + s.records, 0) >= clicks.length ? all : undefined;
    }, 15_000, 'every click aggregated');
    const counts: Record<string, number> = {};
    const pages: Record<string, string[]> = {};
    for (const s of summaries) {
      for (const [key, n] of Object.entries(s.counts)) counts[key] = (counts[key] ?? 0) + n;
      for (const [key, list] of Object.entries(s.pages)) (pages[key] ??= []).push(...list);
    }
    expect(counts).toEqual({ alice: 3, bob: 2, carol: 1 });
    expect(pages).toEqual({ alice: ['/', '/pricing', '/signup'], bob: ['/', '/docs'], carol: ['/docs'] });
    // the 1 s batching window gathers more than one record per invocation
    expect(summaries.length).toBeLessThan(clicks.length);
  });
});
