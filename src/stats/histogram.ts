/**
 * Duration histogram with fixed log-scale buckets, so that counts written by several hubs add up
 * in one Redis hash: bucket `i` holds durations in (2^((i-1)/4), 2^(i/4)] ms (bucket 0: up to
 * 1 ms). Four buckets per doubling: a percentile read from it is at most 19 % above the truth.
 */
const BUCKETS_PER_DOUBLING = 4;

export function bucketOf(durationMs: number): number {
  if (!(durationMs > 1)) return 0;
  return Math.ceil(Math.log2(durationMs) * BUCKETS_PER_DOUBLING - 1e-9);
}

/** The upper bound (ms) of bucket `i`. */
export function bucketUpperMs(i: number): number {
  return 2 ** (i / BUCKETS_PER_DOUBLING);
}

/** The lower bound (ms, exclusive) of bucket `i`. */
export function bucketLowerMs(i: number): number {
  return i === 0 ? 0 : bucketUpperMs(i - 1);
}

/** The `h:<bucket>` fields of a counters hash (as FunctionStats writes them) as a histogram. */
export function histogramOf(hash: Record<string, string>): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const [field, n] of Object.entries(hash)) if (field.startsWith('h:')) buckets.set(Number(field.slice(2)), Number(n));
  return buckets;
}

/**
 * The `p` quantile (0–1] of a histogram (bucket index → count), as the upper bound of the bucket
 * holding the ⌈p·n⌉-th smallest duration; undefined when empty.
 */
export function quantileMs(buckets: ReadonlyMap<number, number>, p: number): number | undefined {
  const total = [...buckets.values()].reduce((sum, n) => sum + n, 0);
  if (!total) return undefined;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const i of [...buckets.keys()].sort((a, b) => a - b)) {
    seen += buckets.get(i)!;
    if (seen >= rank) return bucketUpperMs(i);
  }
  return undefined;
}
