import { z } from 'zod';

/**
 * Config keys that point the hub at a project (a SAM/CloudFormation template or a serverless.yml)
 * and say where its resources live. Part of the hub schema; read by src/project/load.ts.
 */
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }).transform(String);
const endpoint = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:4566' });

export const CLOUD_SERVICES = ['sqs', 'sns', 's3', 'kinesis', 'dynamodb'] as const;
type CloudService = (typeof CLOUD_SERVICES)[number];

/** Each service without an endpoint of its own gets `default`, when one is given. */
function withDefaultEndpoint(given: Partial<Record<CloudService | 'default', string>>): Partial<Record<CloudService | 'default', string>> {
  if (given.default === undefined) return given;
  const filled: Partial<Record<CloudService | 'default', string>> = { ...given };
  for (const service of CLOUD_SERVICES) filled[service] ??= given.default;
  return filled;
}

export const projectSettingsShape = {
  /** A SAM / CloudFormation template (YAML or JSON), relative to the config file. */
  template: z.string().min(1, { error: 'must not be empty' }).optional(),
  /** A serverless.yml, relative to the config file. */
  serverless: z.string().min(1, { error: 'must not be empty' }).optional(),
  /** Template parameter values (`--parameter-overrides` wins); serverless.yml `${param:...}` values. */
  parameters: z.record(z.string(), scalar).default({}),
  /** Values of `Fn::ImportValue` exports, by export name. */
  importValues: z.record(z.string(), z.string()).default({}),
  /** `AWS::StackName`; default the template's directory name (serverless: `<service>-<stage>`). */
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'must be a CloudFormation stack name (letters, digits, -)' }).optional(),
  /** serverless.yml stage (`--stage` wins); default provider.stage, else dev. */
  stage: z.string().regex(/^[\w-]+$/, { error: 'may hold letters, digits, _ and - only' }).optional(),
  /**
   * Where declared resources live, per service, or `default` for all (LocalStack's one gateway URL;
   * handlers also get it as AWS_ENDPOINT_URL); a service with neither runs as an embedded emulator.
   */
  endpoints: z.strictObject({
    ...Object.fromEntries(CLOUD_SERVICES.map((s) => [s, endpoint.optional()])) as Record<CloudService, z.ZodOptional<typeof endpoint>>,
    default: endpoint.optional(),
  }).default({}).transform(withDefaultEndpoint),
  /** Run the local cloud (emulators / resource creation): default on when a project declares resources or events that need them. */
  localCloud: z.boolean({ error: 'must be true or false' }).optional(),
};
