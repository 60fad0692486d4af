import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { FIXTURES, REPO_ROOT, tempDir } from './helpers/hub.js';

const CONFIG = path.join(REPO_ROOT, 'test/fixtures/schedule/triggerhub.yaml');

describe('triggerhub schedules', () => {
  it('lists the next fire times of each schedule in its time zone and in UTC, from the config only', async () => {
    const result = await runCli(['--config', CONFIG, 'schedules', '--from', '2026-03-07T00:00:00Z', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows[0]).toEqual({
      function: 'report',
      rule: 'arn:aws:events:us-east-1:000000000000:rule/report-schedule-0',
      expression: 'cron(30 2 * * ? *)',
      timezone: 'America/New_York',
      enabled: true,
      catchUp: 'none',
      next: [ // 2026-03-08 02:30 does not exist in New York (spring forward)
        { local: '2026-03-07T02:30:00-05:00', utc: '2026-03-07T07:30:00Z' },
        { local: '2026-03-09T02:30:00-04:00', utc: '2026-03-09T06:30:00Z' },
        { local: '2026-03-10T02:30:00-04:00', utc: '2026-03-10T06:30:00Z' },
      ],
    });
    expect(rows.map((r: { function: string; enabled: boolean }) => [r.function, r.enabled])).toEqual([['report', true], ['report', false], ['cleanup', true]]);
  });

  it('prints a table with --next N rows per schedule', async () => {
    const result = await runCli(['--config', CONFIG, 'schedules', '--next', '2', '--from', '2026-01-01T00:00:00Z']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^FUNCTION\s+EXPRESSION\s+TIMEZONE\s+ENABLED\s+NEXT \(LOCAL\)\s+NEXT \(UTC\)$/);
    expect(lines).toHaveLength(1 + 3 * 2);
    expect(lines[5]).toMatch(/^cleanup\s+0 0 1 \* \*\s+UTC\s+yes\s+2026-02-01T00:00:00\+00:00\s+2026-02-01T00:00:00Z$/);
  });

  it('exits 2 naming the field and the reason for an invalid expression', async () => {
    const bad = path.join(tempDir('schedule-cli'), 'bad.yaml');
    writeFileSync(bad, `functions:\n  f:\n    handler: ${path.join(FIXTURES, 'noop.handler')}\n    events:\n      - schedule: { expression: cron(0 12 1 * MON *) }\n`);
    const result = await runCli(['--config', bad, 'schedules']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('functions.f.events[0].schedule.expression: cron day-of-month and day-of-week cannot both be set; use ? in one');
  });
});
