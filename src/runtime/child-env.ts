import { functionArn } from '../arn.js';
import { runtimeFamily } from '../config/schema.js';
import { LATEST } from '../config/versions.js';
import { layerEnvironment } from './layer-paths.js';
import type { FunctionConfig, RuntimeOptions } from './types.js';

/** Hub variables a handler may see (so it can reach LocalStack); NODE_OPTIONS is deliberately absent. */
const PASS_THROUGH = new Set(['PATH', 'HOME', 'LANG', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
const PASS_THROUGH_PREFIX = 'AWS_ENDPOINT_URL';

export interface ChildEnvironmentInput {
  fn: FunctionConfig;
  options: RuntimeOptions;
  logStreamName: string;
  /** Directory of the bootstrap (LAMBDA_RUNTIME_DIR). */
  runtimeDir: string;
  hubEnv?: NodeJS.ProcessEnv;
}

/**
 * An execution environment's variables: selected hub variables, `TZ`, its layers' search paths, then
 * the function's own `environment` (which wins over them), then Lambda's reserved variables
 * (which nobody overrides).
 */
export function childEnvironment(input: ChildEnvironmentInput): Record<string, string> {
  const { fn, options } = input;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.hubEnv ?? process.env)) {
    if (value !== undefined && (PASS_THROUGH.has(key) || key.startsWith(PASS_THROUGH_PREFIX))) env[key] = value;
  }
  return {
    ...env,
    // Lambda's value; not reserved there (since 2022), so the function's `environment` may set another zone.
    TZ: ':UTC',
    ...layerEnvironment(fn, env.PATH),
    ...fn.environment,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: versionOf(fn),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.loggingConfig?.logGroup ?? logGroupName(fn.name),
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: fn.taskRoot,
    LAMBDA_RUNTIME_DIR: input.runtimeDir,
    _HANDLER: fn.handler,
    ...loggingVariables(fn),
    // Not defined for OS-only runtimes (the provided family), as on Lambda.
    ...(runtimeFamily(fn.runtime) === 'provided' ? {} : { AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}` }),
  };
}

/**
 * Lambda sets these from LoggingConfig, only for the JSON format (log levels need it): the level is
 * the application log level, INFO when none is given. Without it a function's `environment` may set them.
 */
function loggingVariables(fn: FunctionConfig): Record<string, string> {
  const config = fn.loggingConfig;
  if (config?.logFormat !== 'JSON') return {};
  return { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: config.applicationLogLevel ?? 'INFO' };
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** The ARN the handler sees as `invokedFunctionArn`: qualified when the caller gave a qualifier. */
export function invokedFunctionArn(fn: FunctionConfig, options: RuntimeOptions, qualifier: string | undefined): string {
  const arn = functionArn(options.region, options.accountId, fn.name);
  return qualifier === undefined ? arn : `${arn}:${qualifier}`;
}

export function versionOf(fn: FunctionConfig): string {
  return fn.version ?? LATEST;
}

/** `YYYY/MM/DD/[<version>]<32 hex>`, one per environment. */
export function logStreamName(fn: FunctionConfig, environmentId: string, now = new Date()): string {
  return `${now.toISOString().slice(0, 10).replaceAll('-', '/')}/[${versionOf(fn)}]${environmentId}`;
}
