import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { FunctionStats, statsKeys } from '../src/stats/function-stats.js';
import { readRecent, RECENT_MAX } from '../src/stats/series.js';

describe('FunctionStats', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(() => redis.disconnect());

  it('keeps the newest RECENT_MAX invocations of a flush, newest first, and counts every one', async () => {
    const prefix = `fs-${randomUUID().slice(0, 8)}`;
    const stats = new FunctionStats(redis, prefix, silentLogger());
    const total = RECENT_MAX + 37;
    const before = Date.now();
    for (let i = 0; i < total; i += 1) {
      stats.record('fn', { status: 'success', durationMs: 1, billedDurationMs: 1, memorySizeMB: 128 }, { requestId: `r${i}` });
    }
    await stats.close();
    const recent = await readRecent(redis, prefix, 'fn');
    expect(recent.map((item) => item.requestId)).toEqual(Array.from({ length: RECENT_MAX }, (_, i) => `r${total - 1 - i}`));
    expect(recent[0].endedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(recent[0].endedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(await redis.hget(statsKeys.fn(prefix, 'fn'), 'invocations')).toBe(String(total));
  });
});
