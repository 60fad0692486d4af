import { HubError } from './errors.js';

/**
 * Violations of the Lambda API model's member constraints (length, pattern, enum), collected and
 * reported together as AWS's ValidationException reports them: `2 validation errors detected: Value
 * 'a b' at 'functionName' failed to satisfy constraint: …; Value 'x' at 'invocationType' …`.
 */
export class Violations {
  readonly #found: string[] = [];

  add(member: string, value: string, constraint: string): void {
    this.#found.push(`Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  /** `value` when it is one of `allowed`; else noted, and undefined. */
  enum<T extends string>(value: string, member: string, allowed: readonly T[]): T | undefined {
    if (allowed.includes(value as T)) return value as T;
    this.add(member, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
    return undefined;
  }

  /** Lambda's 400 ValidationException naming every violation noted, if any. */
  throwIfAny(): void {
    const count = this.#found.length;
    if (count) throw new HubError('TH_ERR_REQUEST_VALIDATION', `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#found.join('; ')}`);
  }
}
