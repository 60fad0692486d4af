/** Entries a memo map holds at most before it starts over. */
const MEMO_MAX = 10_000;

/**
 * The value kept in `cache` under `key`, made by `make` the first time. For strings built per
 * event from a few names (stream keys, flow node and edge names): made once, they are the same
 * string objects every time, so Map lookups on them hash nothing new. The names are few, but they
 * come from configuration and events: the map starts over once it holds MEMO_MAX entries instead of
 * growing without bound.
 */
export function memo<K, V>(cache: Map<K, V>, key: K, make: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MEMO_MAX) cache.clear();
    value = make(key);
    cache.set(key, value);
  }
  return value;
}
