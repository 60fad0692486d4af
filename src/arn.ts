import { HubError } from './errors.js';
import { Violations } from './validation.js';

/** The partition a region belongs to: `aws-cn` (China), `aws-us-gov` (GovCloud), else `aws`. */
export const partitionOf = (region: string): string => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** An ARN in the region's partition: `arnOf('cn-north-1', 'sqs', '123456789012', 'jobs')` is `arn:aws-cn:sqs:cn-north-1:123456789012:jobs`. */
export function arnOf(region: string, service: string, accountId: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}:${region}:${accountId}:${resource}`;
}

/** The ARN of a global resource, which names no region but is in the region's partition: `arn:aws-cn:iam::123456789012:root`, `arn:aws-cn:s3:::bucket` (no account). */
export function globalArnOf(region: string, service: string, accountId: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}::${accountId}:${resource}`;
}

/**
 * An ARN a server returned, with the partition of the region it names: emulators (fauxqs,
 * kinesalite) write `arn:aws:` in every region, AWS never does. Without a region, as it is.
 */
export function inRegionPartition(arn: string): string {
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || !parts[3]) return arn;
  parts[1] = partitionOf(parts[3]);
  return parts.join(':');
}

/** `arn:aws:lambda:us-east-1:000000000000:function:hello` (`arn:aws-cn:…` in a China region). */
export function functionArn(region: string, accountId: string, name: string): string {
  return arnOf(region, 'lambda', accountId, `function:${name}`);
}

/** A function reference taken apart: the partition, region and account only when an ARN names them. */
export interface FunctionRef { name: string; qualifier?: string; partition?: string; region?: string; accountId?: string }

/**
 * Lambda's FunctionName pattern with its groups named: each part is optional, and a reference is
 * read as the pattern matches it, as Lambda reads it (`function:fn` and `us-east-1:fn` are `fn`;
 * `arn:aws:lambda:us-east-1:123456789012:function`, with no name after `function`, names a
 * function called `function`).
 */
const FUNCTION_REF = /^(?:arn:(?<partition>aws[a-zA-Z-]*)?:lambda:)?(?:(?<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(?<accountId>\d{12}):)?(?:function:)?(?<name>[a-zA-Z0-9_.-]+)(?::(?<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$/;

/**
 * The function name in an Invoke/GetFunction path: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN. Returns the name and the qualifier, if any, and
 * the partition, region and account an ARN names. A reference outside the pattern (which the API
 * refuses first, checkFunctionRef) is split at its colons.
 */
export function parseFunctionRef(ref: string): FunctionRef {
  const groups = FUNCTION_REF.exec(ref)?.groups;
  if (groups) {
    const { name, qualifier, partition, region, accountId } = groups;
    const isArn = ref.startsWith('arn:');
    return { name, qualifier, partition: isArn ? partition ?? '' : undefined, region, accountId };
  }
  const parts = ref.split(':');
  if (parts[0] === 'arn') return { name: parts[6] ?? '', qualifier: parts[7], partition: parts[1], region: parts[3], accountId: parts[4] };
  if (parts[1] === 'function') return { name: parts[2] ?? '', qualifier: parts[3], accountId: parts[0] };
  return { name: parts[0], qualifier: parts[1] };
}

/**
 * Refuses an ARN of a function in another region or account, as Lambda answers it, rather than
 * taking its name for the hub's own function of that name: another region is 404
 * ResourceNotFoundException (`Functions from '<region>' are not reachable in this region ('<hub's>')`),
 * another account 403 AccessDeniedException, its caller being the hub's account (no resource-based
 * policy grants another account anything here). `action` is the IAM action of the operation. An ARN
 * of another partition than the region's (`arn:aws-cn:lambda:us-east-1:…`, a function no region
 * has) is 404 `Function not found: <that ARN>`.
 */
export function checkFunctionHome(ref: FunctionRef, home: { region: string; accountId: string }, action: string): void {
  if (ref.region !== undefined && ref.region !== home.region) {
    throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `Functions from '${ref.region}' are not reachable in this region ('${home.region}')`);
  }
  if (ref.partition !== undefined && ref.partition !== partitionOf(home.region)) {
    const arn = `arn:${ref.partition}:lambda:${ref.region}:${ref.accountId}:function:${ref.name}` + (ref.qualifier === undefined ? '' : `:${ref.qualifier}`);
    throw new HubError('TH_ERR_FUNCTION_NOT_FOUND', `Function not found: ${arn}`);
  }
  if (ref.accountId !== undefined && ref.accountId !== home.accountId) {
    const resource = functionArn(home.region, ref.accountId, ref.name) + (ref.qualifier === undefined ? '' : `:${ref.qualifier}`);
    throw new HubError('TH_ERR_FUNCTION_ACCESS_DENIED', `User: ${globalArnOf(home.region, 'iam', home.accountId, 'root')} is not authorized to perform: lambda:${action} on resource: ${resource} because no resource-based policy allows the lambda:${action} action`);
  }
}

/** What differs between a function ARN's home and the hub's (the partition, region or account), or undefined. */
export function elsewhereThan(arn: { partition: string; region: string; accountId: string }, home: { region: string; accountId: string }): string | undefined {
  if (arn.partition !== partitionOf(home.region)) return `partition ${arn.partition}, not the hub's ${partitionOf(home.region)} (region ${home.region})`;
  if (arn.region !== home.region) return `region ${arn.region}, not the hub's ${home.region}`;
  if (arn.accountId !== home.accountId) return `account ${arn.accountId}, not the hub's ${home.accountId}`;
  return undefined;
}

/** What differs between the home of a function ARN (`arn:…:lambda:<region>:<account>:function:…`) and the hub's, or undefined. */
export function functionArnElsewhere(arn: string, home: { region: string; accountId: string }): string | undefined {
  const { partition = '', region = '', accountId = '' } = parseFunctionRef(arn);
  return elsewhereThan({ partition, region, accountId }, home);
}

/**
 * The Lambda API's constraints on a FunctionName (a name, partial or full ARN, with a qualifier;
 * the model's NamespacedFunctionName) and a Qualifier (NumericLatestPublishedOrAliasQualifier), in
 * the words Lambda's ValidationException uses for them today (`eusc-` regions, `$LATEST.PUBLISHED`).
 */
const FUNCTION_NAME = {
  pattern: '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?',
  test: FUNCTION_REF,
  max: 256,
};
const QUALIFIER = { pattern: '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+', test: /^(?:\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_$-]+)$/, max: 128 };

/**
 * Refuses a function reference or Qualifier parameter the Lambda API's own validation would, with
 * its 400 ValidationException and wording, before any lookup (an unknown but well-formed name is a
 * 404 later).
 */
export function checkFunctionRef(ref: string, qualifier: string | undefined): void {
  const violations = new Violations();
  checkRefMember(violations, 'functionName', ref);
  checkRefMember(violations, 'qualifier', qualifier);
  violations.throwIfAny();
}

/**
 * Notes what is wrong with a FunctionName or Qualifier: its pattern, then its maximum length, each a
 * violation of its own, as AWS lists them; an empty value, its minimum length only.
 */
export function checkRefMember(violations: Violations, member: 'functionName' | 'qualifier', value: string | undefined): void {
  if (value === undefined) return;
  if (value.length === 0) return violations.add(member, value, 'Member must have length greater than or equal to 1');
  const rule = member === 'functionName' ? FUNCTION_NAME : QUALIFIER;
  if (!rule.test.test(value)) violations.add(member, value, `Member must satisfy regular expression pattern: ${rule.pattern}`);
  if (value.length > rule.max) violations.add(member, value, `Member must have length less than or equal to ${rule.max}`);
}
