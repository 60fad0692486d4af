/**
 * Name lookups on user-given keys. A plain object answers `toString`, `constructor`, `__proto__`
 * with Object.prototype's members; these helpers only ever see the record's own properties.
 */

/** The value under `key` when the record itself has it, else undefined. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty record without a prototype: `record[key] = …` stores any key, even `__proto__`. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
