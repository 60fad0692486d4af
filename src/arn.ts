/** `arn:aws:lambda:us-east-1:000000000000:function:hello` */
export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/**
 * The function name in an Invoke/GetFunction path: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN. Returns the name and the qualifier, if any.
 */
export function parseFunctionRef(ref: string): { name: string; qualifier?: string } {
  const parts = ref.split(':');
  if (parts[0] === 'arn') return { name: parts[6] ?? '', qualifier: parts[7] };
  if (parts[1] === 'function') return { name: parts[2] ?? '', qualifier: parts[3] };
  return { name: parts[0], qualifier: parts[1] };
}
