import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import type { StatusReport } from '../src/stats/status.js';
import { runCli } from './helpers/cli.js';
import { FIXTURES, tempDir, waitFor } from './helpers/hub.js';
import { events, failureRecords, kinesisCase, putRecords, startKinesalite, type Kinesalite } from './helpers/kinesalite.js';

let k: Kinesalite;
let hub: Hub | undefined;
beforeAll(async () => { k = await startKinesalite(); });
afterAll(async () => { await k.close(); });
afterEach(async () => { await hub?.stop(); hub = undefined; });

describe('mapping metrics and `sources explain`', () => {
  it('counts polled, filtered-out, invoked, failed and dropped records, and explains each record', async () => {
    const c = await kinesisCase(k);
    const configPath = path.join(tempDir('th-explain-'), 'triggerhub.json');
    writeFileSync(configPath, JSON.stringify({
      redis: inject('redisUrl'), queuePrefix: c.prefix, server: { port: 0 }, shutdownTimeoutSeconds: 5,
      functions: {
        worker: {
          handler: path.join(FIXTURES, '../kinesis/worker.handler'), environment: { CALLS_FILE: c.callsFile },
          events: [{ kinesis: {
            stream: c.stream, startingPosition: 'TRIM_HORIZON', endpoint: k.endpoint, region: 'us-east-1', batchSize: 10,
            maximumRetryAttempts: 1, destinations: { onFailure: 'failures' },
            filterCriteria: { filters: [{ pattern: { data: { skip: [{ exists: false }] } } }] },
          } }],
        },
        failures: { handler: path.join(FIXTURES, 'record.handler'), environment: { CALLS_FILE: c.failuresFile } },
      },
    }));
    const [ok, skipped, poison] = await putRecords(k, c, [{ n: 1 }, { skip: true }, { cmd: 'throw' }]);
    hub = await startHub(loadConfigFile(configPath), { logger: silentLogger() });
    await waitFor(() => failureRecords(c), 15_000, 'the on-failure record');
    expect(events(c.callsFile).map((event) => event.Records.length)).toEqual([2, 2]);

    const counted = (text: string, outcome: string) => Number(new RegExp(`triggerhub_mapping_records_total\\{function="worker",source="kinesis:worker:0",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1]);
    await waitFor(async () => counted(await (await fetch(`${hub!.url}/metrics`)).text(), 'dropped') === 2, 5000, 'the dropped count in /metrics');
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect([counted(metrics, 'polled'), counted(metrics, 'filtered_out'), counted(metrics, 'invoked'), counted(metrics, 'failed'), counted(metrics, 'dropped')])
      .toEqual([3, 1, 4, 4, 2]);

    const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);
    const status = await waitFor(async () => {
      const report = JSON.parse((await cli('status', '--json')).stdout) as StatusReport;
      return report.sources.find((s) => s.source === 'kinesis:worker:0' && s.counts?.dropped === 2);
    }, 5000, 'the counts in status');
    expect(status.counts).toEqual({ polled: 3, filteredOut: 1, invoked: 4, failed: 4, dropped: 2 });
    expect((await cli('status')).stdout).toMatch(/MAPPING\s+POLLED\s+FILTERED OUT\s+INVOKED\s+FAILED\s+DROPPED\s+ITERATOR AGE\n.*kinesis:worker:0\s+3\s+1\s+4\s+4\s+2/);

    const explained = await cli('sources', 'explain', 'worker', '--json');
    expect(explained.code, explained.stderr).toBe(0);
    const stories = JSON.parse(explained.stdout) as Array<{ sequence: string; outcome: string; steps: Array<{ outcome: string; reason: string }> }>;
    const story = (sequence: string) => stories.find((s) => s.sequence === sequence)!;
    expect(story(skipped.sequenceNumber)).toMatchObject({ outcome: 'filtered', steps: [{ outcome: 'filtered', reason: 'matched no filter' }] });
    expect(story(ok.sequenceNumber).outcome).toBe('on-failure');
    expect(story(poison.sequenceNumber).steps.map((step) => step.outcome)).toEqual(['failed', 'failed', 'on-failure']);
    expect(story(poison.sequenceNumber).steps[0].reason).toMatch(/^Error: poison record/);
    expect(story(poison.sequenceNumber).steps[2].reason).toBe('RetryAttemptsExhausted');
    const text = (await cli('sources', 'explain', 'worker', '--last', '2')).stdout;
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(text).toContain('failed ×2 (Error: poison record');
    expect(text).toContain('then sent to the on-failure destination (RetryAttemptsExhausted)');
    const unknown = await cli('sources', 'explain', 'ghost');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no function "ghost" in the config');
  }, 120_000); // five CLI runs, a few seconds each on a loaded machine
});
