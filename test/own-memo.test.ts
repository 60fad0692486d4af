import { describe, expect, it } from 'vitest';
import { memo } from '../src/memo.js';
import { copyWith, setOwn } from '../src/own.js';

describe('object helpers of the hot paths', () => {
  it('copyWith is { ...record, [key]: value }: the value wins, the record is left as it was', () => {
    const without = { a: 1, b: 'x' };
    expect(copyWith(without, 'c', 3)).toEqual({ a: 1, b: 'x', c: 3 });
    const withKey = { a: 1, traceparent: 'old' };
    const copy = copyWith(withKey, 'traceparent', 'new');
    expect(copy).toEqual({ ...withKey, traceparent: 'new' });
    expect(withKey.traceparent).toBe('old');
    expect(copy).not.toBe(withKey);
  });

  it('setOwn stores any key as an own, enumerable property, __proto__ included, and keeps the prototype', () => {
    const record: Record<string, string> = {};
    for (const key of ['__proto__', 'constructor', 'toString', 'x']) setOwn(record, key, `v-${key}`);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor', 'toString', 'x']);
    expect(JSON.parse(JSON.stringify(record))).toEqual(JSON.parse('{"__proto__":"v-__proto__","constructor":"v-constructor","toString":"v-toString","x":"v-x"}'));
  });

  it('memo makes each value once, and starts over instead of growing past its bound', () => {
    const cache = new Map<number, string>();
    let made = 0;
    const make = (key: number) => { made += 1; return `v${key}`; };
    expect(memo(cache, 1, make)).toBe('v1');
    expect(memo(cache, 1, make)).toBe('v1');
    expect(made).toBe(1);
    for (let key = 2; key <= 10_000; key += 1) memo(cache, key, make);
    expect(cache.size).toBe(10_000);
    expect(memo(cache, 10_001, make)).toBe('v10001');
    expect(cache.size).toBe(1);
    expect(memo(cache, 1, make)).toBe('v1');
    expect(made).toBe(10_002);
  });
});
