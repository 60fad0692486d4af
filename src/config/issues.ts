import type { z } from 'zod';

/** One issue's message in the words the README documents (`unknown field "x"`, ...). */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return unknownFieldError(issue)!;
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => inner.message).join('; ');
  return issue.message;
}

/** `functions.resize.timeout`, `events[0].sqs.batchSize`. */
export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** `functions.resize.timeout: must be between 1 and 900`, one line per issue. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issueMessage(issue)}`).join('\n');
}

/**
 * For `z.strictObject(shape, { error: unknownFieldError })`: says "unknown field" in the config's
 * words even where a schema is parsed on its own, outside the hub config.
 */
export function unknownFieldError(issue: { code?: string; keys?: readonly string[] }): string | undefined {
  return issue.code === 'unrecognized_keys' && issue.keys ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : undefined;
}
