import type { Stack } from './stack.js';

/**
 * What SAM's translator accepts, so that a misspelled name (`Enviroment`, `Timout`, `Globals.Functions`)
 * is an error, as SAM refuses the template, instead of a warning while the function runs without it.
 */

/** AWS::Serverless::Function's properties (the SAM specification's list). */
const FUNCTION_PROPERTIES = new Set([
  'Architectures', 'AssumeRolePolicyDocument', 'AutoPublishAlias', 'AutoPublishAliasAllProperties', 'AutoPublishCodeSha256',
  'CapacityProviderConfig', 'CodeSigningConfigArn', 'CodeUri', 'DeadLetterQueue', 'DeploymentPreference', 'Description',
  'DurableConfig', 'Environment', 'EphemeralStorage', 'EventInvokeConfig', 'Events', 'FileSystemConfigs', 'FunctionName',
  'FunctionScalingConfig', 'FunctionUrlConfig', 'Handler', 'ImageConfig', 'ImageUri', 'InlineCode', 'KmsKeyArn', 'Layers',
  'LoggingConfig', 'MemorySize', 'PackageType', 'PermissionsBoundary', 'Policies', 'PropagateTags',
  'ProvisionedConcurrencyConfig', 'PublishToLatestPublished', 'RecursiveLoop', 'ReservedConcurrentExecutions', 'Role',
  'RolePath', 'Runtime', 'RuntimeManagementConfig', 'SnapStart', 'SourceKMSKeyArn', 'Tags', 'TenancyConfig', 'Timeout',
  'Tracing', 'VersionDeletionPolicy', 'VersionDescription', 'VpcConfig',
]);

/**
 * The sections of SAM's Globals (its "Globals section of the template"; the last three are in the
 * newest documentation only, accepted so a template valid there is not refused).
 */
const GLOBALS_SECTIONS = new Set([
  'Function', 'Api', 'HttpApi', 'SimpleTable', 'StateMachine', 'LayerVersion', 'CapacityProvider',
  'MicrovmImage', 'NetworkConnector', 'WebFunction',
]);

/** A property of an AWS::Serverless::Function (or of Globals.Function) SAM does not define: an error naming it. */
export function refuseUnknownFunctionProperties(stack: Stack, props: Record<string, unknown>, at: string): void {
  for (const name of Object.keys(props)) {
    if (FUNCTION_PROPERTIES.has(name)) continue;
    const like = likely(name, FUNCTION_PROPERTIES);
    throw stack.resolver.error(`${at}.${name}`, `is not a property of AWS::Serverless::Function, so SAM refuses the template (property ${name} not defined for resource of type AWS::Serverless::Function): ${like ? `did you mean ${like}?` : 'check its spelling against the SAM specification, or remove it'}`);
  }
}

/** A Globals section SAM does not have (`Functions`): an error naming it, as SAM refuses it. */
export function refuseUnknownGlobalsSection(stack: Stack, section: string): void {
  if (GLOBALS_SECTIONS.has(section)) return;
  const like = likely(section, GLOBALS_SECTIONS);
  throw stack.resolver.error(`Globals.${section}`, `'${section}' is not supported in Globals, so SAM refuses the template: ${like ? `did you mean ${like}? ` : ''}the sections are ${[...GLOBALS_SECTIONS].join(', ')}`);
}

/** The known name a misspelling most likely stands for: the same but for case, or one letter. */
function likely(name: string, known: ReadonlySet<string>): string | undefined {
  return [...known].find((candidate) => close(candidate.toLowerCase(), name.toLowerCase()));
}

/** Equal, or one letter added, dropped or changed, or two neighbours swapped (Enviroment, Timout, Runtmie). */
function close(x: string, y: string): boolean {
  if (Math.abs(x.length - y.length) > 1) return false;
  let start = 0;
  while (start < x.length && x[start] === y[start]) start += 1;
  const rest = (s: string, skip: number) => s.slice(start + skip);
  return rest(x, 1) === rest(y, 1) || rest(x, 1) === rest(y, 0) || rest(x, 0) === rest(y, 1)
    || (x[start] === y[start + 1] && x[start + 1] === y[start] && rest(x, 2) === rest(y, 2));
}
