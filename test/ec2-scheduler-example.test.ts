import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import { ScheduleSource } from '../src/sources/schedule.js';
import { scheduleSettingsSchema } from '../src/sources/schedule/settings.js';
import { Ec2QueryFixture } from './fixtures/ec2/query-api.js';
import { ManualClock } from './fixtures/schedule/harness.js';
import { REPO_ROOT } from './helpers/paths.js';
import { waitFor } from './helpers/hub.js';

/**
 * examples/ec2-scheduler as a user runs it, with time driven by a manual clock and EC2 played by
 * a loopback fixture that speaks the Query API: at 22:00 GMT the tagged instances stop, at 05:00
 * GMT they start; the untagged one is left alone.
 */
describe('examples/ec2-scheduler', () => {
  const example = path.join(REPO_ROOT, 'examples/ec2-scheduler');
  const fixture = new Ec2QueryFixture([
    { id: 'i-0a1', state: 'running', tags: { AutoSchedule: 'office-hours', Name: 'web' } },
    { id: 'i-0b2', state: 'running', tags: { AutoSchedule: 'office-hours' } },
    { id: 'i-0c3', state: 'running', tags: { Name: 'database' } },
  ]);
  const clock = new ManualClock(Date.parse('2026-11-23T21:59:00Z'));
  const sources: ScheduleSource[] = [];
  let hub: Hub;

  beforeAll(async () => {
    const endpoint = await fixture.start();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }); // handlers inherit these
    const raw = parseYaml(readFileSync(path.join(example, 'triggerhub.yaml'), 'utf8')) as Record<string, unknown>;
    const config = buildConfig({
      ...raw, redis: inject('redisUrl'), queuePrefix: `ec2-${randomUUID().slice(0, 8)}`, server: { port: 0 },
    }, { baseDir: example, env: { ...process.env, EC2_ENDPOINT: endpoint, SCHEDULES_ENABLED: 'false' } });
    hub = await startHub(config, { logger: silentLogger() });
    const context = {
      config, app: hub.app, redis: hub.redis, logger: silentLogger(),
      enqueue: hub.dispatcher.enqueue.bind(hub.dispatcher),
      invokeSync: hub.dispatcher.invokeSync.bind(hub.dispatcher),
    };
    for (const fn of [config.functions['ec2-stop'], config.functions['ec2-start']]) {
      const settings = scheduleSettingsSchema.parse({ ...(fn.events[0].schedule as object), enabled: true });
      const source = new ScheduleSource(fn, settings, 0, clock);
      await source.start(context);
      sources.push(source);
    }
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await hub?.stop();
    await fixture.stop();
  });

  it('stops the tagged instances at 22:00 GMT and starts them at 05:00 GMT', async () => {
    await clock.advanceTo(Date.parse('2026-11-23T21:59:59Z'), sources.length);
    expect(fixture.calls).toEqual([]);

    await clock.advanceTo(Date.parse('2026-11-23T22:00:01Z'), sources.length);
    await waitFor(() => fixture.state('i-0a1') === 'stopped' && fixture.state('i-0b2') === 'stopped', 15_000, 'the stop schedule');
    expect(fixture.state('i-0c3')).toBe('running');
    expect(fixture.calls).toEqual(['DescribeInstances', 'StopInstances']);

    await clock.advanceTo(Date.parse('2026-11-24T05:00:01Z'), sources.length);
    await waitFor(() => fixture.state('i-0a1') === 'running' && fixture.state('i-0b2') === 'running', 15_000, 'the start schedule');
    expect(fixture.calls).toEqual(['DescribeInstances', 'StopInstances', 'DescribeInstances', 'StartInstances']);
  });
});
