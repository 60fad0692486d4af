import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { silentLogger } from '../src/log.js';
import { FunctionStats, statsKeys } from '../src/stats/function-stats.js';
import { flowNode, readRecent, RECENT_MAX, SERIES_BUCKET_MS, seriesBucket } from '../src/stats/series.js';

describe('FunctionStats', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(() => redis.disconnect());

  /** A FunctionStats on a fresh prefix: `inFirst` runs in one 10 s bucket, `inSecond` in the next; flushed on return. */
  async function acrossTwoBuckets(inFirst: (stats: FunctionStats) => void, inSecond: (stats: FunctionStats) => void): Promise<{ prefix: string; first: number }> {
    const prefix = `fs-${randomUUID().slice(0, 8)}`;
    const stats = new FunctionStats(redis, prefix, silentLogger());
    const first = seriesBucket(Date.now()) + SERIES_BUCKET_MS;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(first + 1);
      inFirst(stats);
      vi.setSystemTime(first + SERIES_BUCKET_MS + 1);
      inSecond(stats);
    } finally {
      vi.useRealTimers();
    }
    await stats.close();
    return { prefix, first };
  }

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

  it('counts each invocation in the 10 s series bucket it ended in, per function, with its duration bucket', async () => {
    const { prefix, first } = await acrossTwoBuckets((stats) => {
      stats.record('a', { status: 'success', durationMs: 0.5, billedDurationMs: 1, memorySizeMB: 128 });
      stats.record('b', { status: 'error', durationMs: 3, billedDurationMs: 3, memorySizeMB: 256 });
    }, (stats) => {
      stats.record('a', { status: 'success', durationMs: 3, billedDurationMs: 3, memorySizeMB: 128 });
      stats.throttled('a');
    });
    const series = (fn: string, bucket: number) => redis.hgetall(statsKeys.series(prefix, fn, bucket));
    expect(await series('a', first)).toEqual({ invocations: '1', 'h:0': '1' });
    expect(await series('b', first)).toEqual({ invocations: '1', errors: '1', 'h:7': '1' });
    expect(await series('a', first + SERIES_BUCKET_MS)).toEqual({ invocations: '1', 'h:7': '1', throttles: '1' });
    expect(await redis.hgetall(statsKeys.fn(prefix, 'a'))).toEqual({ invocations: '2', 'h:0': '1', 'h:7': '1', billedMs: '4', mbMs: '512', throttles: '1' });
  });

  it('counts flow edges per 10 s bucket and per pair of nodes', async () => {
    const { prefix, first } = await acrossTwoBuckets((stats) => {
      stats.edge(flowNode.source('triggerhub:invoke'), flowNode.fn('a'));
      stats.edge(flowNode.source('triggerhub:invoke'), flowNode.fn('a'));
      stats.edge(flowNode.source('arn:aws:lambda:us-east-1:000000000000:function:a'), flowNode.fn('b'));
    }, (stats) => {
      stats.edge(flowNode.source('triggerhub:invoke'), flowNode.fn('a'));
      stats.edge(flowNode.fn('b'), flowNode.dlq);
    });
    expect(await redis.hgetall(statsKeys.flow(prefix, first))).toEqual({ 'source:triggerhub:invoke\tfn:a': '2', 'fn:a\tfn:b': '1' });
    expect(await redis.hgetall(statsKeys.flow(prefix, first + SERIES_BUCKET_MS))).toEqual({ 'source:triggerhub:invoke\tfn:a': '1', 'fn:b\tdlq': '1' });
  });
});
