import { describe, expect, it } from 'vitest';
import { clfTime, isoTime } from '../src/time.js';

describe('hot-path timestamps', () => {
  it('isoTime is Date#toISOString of that millisecond, repeated or not', () => {
    const base = Date.UTC(2026, 11, 1, 23, 59, 59, 998);
    for (const ms of [base, base, base + 1, base + 2, base + 2, base - 86_400_000, 0]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('clfTime is API Gateway\'s requestContext time of that second, across a second, a day and a year', () => {
    const expected = (ms: number) => {
      const d = new Date(ms);
      const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
      const p = (n: number) => String(n).padStart(2, '0');
      return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
    };
    const base = Date.UTC(2026, 11, 31, 23, 59, 59, 500);
    for (const ms of [base, base + 400, base + 500, base + 501, Date.UTC(2020, 2, 12, 19, 3, 58)]) expect(clfTime(ms)).toBe(expected(ms));
    expect(clfTime(Date.UTC(2020, 2, 12, 19, 3, 58, 999))).toBe('12/Mar/2020:19:03:58 +0000');
    expect(clfTime(base + 500)).toBe('01/Jan/2027:00:00:00 +0000');
  });
});
