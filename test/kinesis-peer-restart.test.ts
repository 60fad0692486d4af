import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../src/hub.js';
import { testConfig, waitFor } from './helpers/hub.js';
import { createStream, decoded, events, kinesisCase, putRecords, startKinesalite, type Kinesalite } from './helpers/kinesalite.js';
import { jsonLogLines } from './helpers/log-capture.js';

/** Kinesis (here kinesalite, in memory) restarting empty under a running mapping, its stream created again. */
describe('kinesis mapping across a restart of Kinesis', { timeout: 60_000 }, () => {
  let k: Kinesalite | undefined;
  let hub: Hub | undefined;
  afterEach(async () => { await hub?.stop(); await k?.close(); });

  it('reads the stream created again from its start: records put before the hub noticed are not lost', async () => {
    k = await startKinesalite();
    const c = await kinesisCase(k);
    const { lines, destination } = jsonLogLines();
    hub = await startHub(testConfig({
      queuePrefix: c.prefix,
      functions: {
        worker: {
          handler: '../kinesis/worker.handler',
          environment: { CALLS_FILE: c.callsFile },
          events: [{ kinesis: { stream: c.stream, startingPosition: 'TRIM_HORIZON', endpoint: k.endpoint, region: 'us-east-1' } }],
        },
      },
    }), { logger: pino({ level: 'info' }, destination) });
    const values = () => events(c.callsFile).flatMap((event) => event.Records.map((record: unknown) => decoded(record).v));
    await putRecords(k, c, [{ v: 'a' }, { v: 'b' }]);
    await waitFor(() => values().length === 2, 10_000, 'a and b');

    // A stream is told from the one before it by its creation time, which kinesalite dates 2 s back, in whole seconds.
    const created = (await k.client.send(new DescribeStreamSummaryCommand({ StreamName: c.stream }))).StreamDescriptionSummary!.StreamCreationTimestamp!;
    await waitFor(() => Date.now() - 2000 >= created.getTime() + 1000, 5000, 'a later creation time');
    const port = Number(new URL(k.endpoint).port);
    await k.close();
    await waitFor(() => lines.some((line) => line.event === 'kinesis_poll_error'), 10_000, 'the shard poller to notice');
    k = await startKinesalite(port);
    await createStream(k, c.stream);
    await putRecords(k, c, [{ v: 'c' }, { v: 'd' }]);

    await waitFor(() => values().length === 4, 20_000, 'c and d from the new stream');
    expect(values()).toEqual(['a', 'b', 'c', 'd']);
    expect(lines.filter((line) => line.event === 'kinesis_stream_recreated')).toHaveLength(1);
  });
});
