/**
 * A template parameter's value checked as CloudFormation checks it: AllowedValues,
 * AllowedPattern, MinLength / MaxLength, a Number's text and MinValue / MaxValue. A list's
 * (CommaDelimitedList, List<...>) constraints apply to each of its values.
 */
type Definition = Record<string, unknown>;
type Fail = (at: string, message: string) => Error;

export function checkParameter(at: string, type: string, definition: Definition, value: string | string[], fail: Fail): void {
  const allowed = Array.isArray(definition.AllowedValues) ? definition.AllowedValues.map(String) : undefined;
  const pattern = typeof definition.AllowedPattern === 'string' ? allowedPattern(definition.AllowedPattern, `${at}.AllowedPattern`, fail) : undefined;
  const numeric = type === 'Number' || type === 'List<Number>';
  const [minLength, maxLength, minValue, maxValue] = ['MinLength', 'MaxLength', 'MinValue', 'MaxValue'].map((key) => bound(definition[key]));
  for (const item of [value].flat()) {
    if (allowed && !allowed.includes(item)) throw fail(at, `"${item}" is not one of its AllowedValues (${allowed.join(', ')})`);
    if (pattern && !pattern.test(item)) throw fail(at, `"${item}" does not match its AllowedPattern ${definition.AllowedPattern}`);
    if (minLength !== undefined && item.length < minLength) throw fail(at, `"${item}" is shorter than its MinLength ${minLength}`);
    if (maxLength !== undefined && item.length > maxLength) throw fail(at, `"${item}" is longer than its MaxLength ${maxLength}`);
    if (!numeric) continue;
    const number = item.trim() === '' ? Number.NaN : Number(item);
    if (Number.isNaN(number)) throw fail(at, `"${item}" is not a number (Type ${type})`);
    if (minValue !== undefined && number < minValue) throw fail(at, `${item} is below its MinValue ${minValue}`);
    if (maxValue !== undefined && number > maxValue) throw fail(at, `${item} is above its MaxValue ${maxValue}`);
  }
}

const bound = (value: unknown) => (value === undefined || Number.isNaN(Number(value)) ? undefined : Number(value));

function allowedPattern(pattern: string, at: string, fail: Fail): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (cause) {
    throw fail(at, `is not a valid regular expression: ${(cause as Error).message}`);
  }
}
