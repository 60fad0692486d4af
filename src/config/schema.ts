import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { EventMapping } from '../sources/registry.js';
import { intBetween, namedRecord, regionSchema } from '../sources/kit/settings.js';
import { deadLetterSchema, destinationSchema, successDestinationSchema } from '../destinations/targets.js';
import { projectSettingsShape } from '../project/settings.js';
import { functionUrlSchema, iamSettingsSchema } from '../sources/http/url-settings.js';

/** The CPUs Node.js may use: the default for runtime.cpuBoundEnvironments. */
const CPUS = Math.min(1000, availableParallelism());

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** A layer's name, or `<name>:<version>` for a version after the first (a project's second layer of one LayerName). */
const LAYER_NAME = /^[a-zA-Z0-9_-]{1,140}(:[1-9][0-9]{0,8})?$/;

/** Lambda environment values are strings; YAML numbers and booleans are stringified as SAM does. */
const envValue = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' })
  .transform(String)
  .refine((value) => !value.includes('\0'), { error: 'must not contain a NUL character' });

/**
 * 12 digits. Unquoted in YAML (`accountId: 123456789012`, or a `${VAR}` that holds one) it is a
 * number: taken when it still has 12 digits; one that lost its leading zeros must be quoted.
 */
const accountIdSchema = z.preprocess(
  (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 1e11 && value < 1e12 ? String(value) : value),
  z.string({ error: 'must be 12 digits, quoted when it starts with 0 (YAML reads 012345678901 as a number)' })
    .regex(/^\d{12}$/, { error: 'must be 12 digits' }),
);

/** Lambda's limit on a function's environment variables, names and values together. */
const ENV_LIMIT_BYTES = 4096;
const envBytes = (env: Record<string, string>) =>
  Object.entries(env).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);

export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
/** Run by src/runtime/python/bootstrap.py through the Runtime API. */
export const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'] as const;
/** Custom runtimes: the function directory's executable `bootstrap`, through the Runtime API. */
export const PROVIDED_RUNTIMES = ['provided', 'provided.al2', 'provided.al2023'] as const;
export const RUNTIMES = [...NODE_RUNTIMES, ...PYTHON_RUNTIMES, ...PROVIDED_RUNTIMES] as const;
export type RuntimeName = (typeof RUNTIMES)[number];
export type RuntimeFamily = 'node' | 'python' | 'provided';

export function runtimeFamily(runtime: RuntimeName): RuntimeFamily {
  if (runtime.startsWith('python')) return 'python';
  return runtime.startsWith('provided') ? 'provided' : 'node';
}

/** Where a Node.js execution environment runs: its own process (default) or a worker thread in the hub's. */
export const ISOLATIONS = ['process', 'thread'] as const;
export type Isolation = (typeof ISOLATIONS)[number];
const isolationSchema = z.enum(ISOLATIONS, { error: "must be 'process' or 'thread'" });
/** Lambda's LoggingConfig: the runtime reads it as AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL (see child-env.ts). */
const loggingConfigSchema = z.object({
  logFormat: z.enum(['Text', 'JSON'], { error: "must be 'Text' or 'JSON'" }).default('Text'),
  applicationLogLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'], { error: 'must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL' }).optional(),
  logGroup: z.string().min(1, { error: 'must not be empty' }).optional(),
}).strict().refine((config) => config.applicationLogLevel === undefined || config.logFormat === 'JSON', {
  path: ['applicationLogLevel'], error: 'needs logFormat JSON, as on Lambda',
});

/**
 * Variables Lambda sets itself and refuses in a function's configuration ("reserved keys"; `_HANDLER`
 * and `_X_AMZN_TRACE_ID` are no valid names anyway). The credentials it also reserves are left
 * out: the hub lets a function set its own (see README).
 */
const RESERVED_VARIABLES = new Set(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR']);
const envName = z.string().regex(/^[a-zA-Z]\w*$/, { error: 'must be a valid variable name' })
  .refine((name) => !RESERVED_VARIABLES.has(name), {
    error: (issue) => `is reserved: Lambda sets it${String(issue.input).endsWith('REGION') ? " (from the hub's region setting)" : ''}`,
  });

/** A function's (or an alias's) `environment`: valid names, string values, at most 4 KB as on Lambda. */
const environmentSchema = namedRecord(envName, envValue)
  .refine((env) => envBytes(env) <= ENV_LIMIT_BYTES, { error: `must total at most 4 KB (names and values), as on Lambda` });

/** Lambda's alias names: 1-128 letters, digits, - and _, not all digits (that would be a version). */
const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;

/** `aliases: { live: { environment, description } }`: see README, Versions and aliases. */
const aliasesSchema = namedRecord(
  z.string().regex(ALIAS_NAME, { error: 'alias names hold 1-128 letters, digits, - and _, and are not all digits' }),
  z.object({
    environment: environmentSchema.default({}),
    description: z.string().default(''),
  }).strict().nullish().transform((alias) => alias ?? { environment: {}, description: '' }),
).default({});

export const functionSchema = z.object({
  // Node.js and Python handlers name a module and an export (checked below); a custom runtime's
  // handler is any text its bootstrap reads from _HANDLER (SAM's Go and Rust starters: `bootstrap`).
  handler: z.string({ error: 'is required: path/file.export, e.g. src/index.handler' })
    .regex(/^\S+$/, { error: 'must not be empty or hold spaces' }),
  runtime: z.enum(RUNTIMES, { error: `must be one of ${RUNTIMES.join(', ')}` }).default('nodejs20.x'),
  description: z.string().default(''),
  timeout: intBetween(1, 900).default(3),
  memorySize: intBetween(128, 10240).default(128),
  environment: environmentSchema.default({}),
  reservedConcurrency: intBetween(0, 1000).optional(),
  maximumRetryAttempts: intBetween(0, 2).default(2),
  maximumEventAgeInSeconds: intBetween(60, 21600).default(21600),
  retryBackoffSeconds: z.number({ error: 'must be a number' })
    .positive({ error: 'must be greater than 0' }).max(3600, { error: 'must be at most 3600' }).default(60),
  nonRetryableErrors: z.array(z.string()).default([]),
  destinations: z.object({
    onSuccess: successDestinationSchema.optional(),
    onFailure: destinationSchema.optional(),
  }).strict().default({}),
  /** After the last retry the event itself goes here, with RequestID / ErrorCode / ErrorMessage attributes (Lambda's DLQ). */
  deadLetterQueue: deadLetterSchema.optional(),
  /** Each entry is validated by its source kind in a second pass (config/events.ts). */
  events: z.array(z.custom<EventMapping>(), { error: 'must be a list of event source mappings' }).default([]),
  /** The function URL (`/urls/<fn>`): invoke mode, auth type (NONE or AWS_IAM, SigV4-checked) and CORS. */
  url: functionUrlSchema.default({ invokeMode: 'BUFFERED', authType: 'NONE' }),
  /** Directories laid out like Lambda's /opt, or names from the top-level `layers:` map; at most 5, as on Lambda. */
  layers: z.array(z.string().min(1, { error: 'must not be empty' }))
    .max(5, { error: 'at most 5 layers per function, as on Lambda' }).default([]),
  aliases: aliasesSchema,
  loggingConfig: loggingConfigSchema.optional(),
  /** Overrides `runtime.isolation` for this function (Node.js runtimes only). */
  isolation: isolationSchema.optional(),
  /** Directory the handler path is relative to (the task root), relative to the config; default the config's directory. */
  codeUri: z.string().min(1, { error: 'must not be empty' }).optional(),
}).strict().superRefine((fn, ctx) => {
  if (runtimeFamily(fn.runtime) !== 'provided' && !/^[^\s]+\.[A-Za-z_$][\w$]*$/.test(fn.handler)) {
    ctx.addIssue({ code: 'custom', path: ['handler'], message: 'must look like path/file.export, e.g. src/index.handler' });
  }
});

export const hubSchema = z.object({
  ...projectSettingsShape,
  server: z.object({
    port: intBetween(0, 65535).default(9000),
    host: z.string().default('127.0.0.1'),
    /** How long an async event (Invoke API, push sources) may wait for Redis before the caller gets 503. */
    durableWriteTimeoutMs: intBetween(100, 60_000).default(5000),
    /** How long a client may take to send a whole request (Node's own default; fastify's is none). */
    requestTimeoutMs: intBetween(1000, 3_600_000).default(300_000),
  }).strict().default({ port: 9000, host: '127.0.0.1', durableWriteTimeoutMs: 5000, requestTimeoutMs: 300_000 }),
  redis: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' }).optional(),
  dataDir: z.string().default('.triggerhub'),
  embeddedRedis: z.object({
    appendfsync: z.enum(['always', 'everysec', 'no']).default('everysec'),
  }).strict().default({ appendfsync: 'everysec' }),
  region: regionSchema.default('us-east-1'),
  accountId: accountIdSchema.default('000000000000'),
  /** Credentials AWS_IAM function URLs check SigV4 signatures against (see README, Function URLs). */
  iam: iamSettingsSchema.default({ testCredentials: true, credentials: [] }),
  queuePrefix: z.string().regex(/^[\w-]+$/, { error: 'may hold letters, digits, _ and - only' }).default('triggerhub'),
  runtime: z.object({
    maxEnvironments: intBetween(1, 1000).default(10),
    idleTimeoutSeconds: intBetween(1, 86400).default(300),
    scaleUpDelayMs: intBetween(0, 10000).default(10),
    /** Environments a handler that computes gets at most (default: the CPUs, os.availableParallelism()): see README, Execution environments. */
    cpuBoundEnvironments: intBetween(1, 1000).default(CPUS),
    /** Node.js environments as processes or worker threads: see README, Thread isolation. */
    isolation: isolationSchema.default('process'),
  }).strict().default({ maxEnvironments: 10, idleTimeoutSeconds: 300, scaleUpDelayMs: 10, cpuBoundEnvironments: CPUS, isolation: 'process' }),
  /** Invocation log lines in a Redis stream per function (`triggerhub logs`). */
  logs: z.object({
    maxEntriesPerFunction: intBetween(100, 10_000_000).default(10_000),
    retentionSeconds: intBetween(60, 31_536_000).optional(),
  }).strict().default({ maxEntriesPerFunction: 10_000 }),
  shutdownTimeoutSeconds: intBetween(0, 900).default(30),
  /** Hot reload (also `triggerhub up --watch`): see README, Hot reload. */
  watch: z.boolean({ error: 'must be true or false' }).default(false),
  lockDurationSeconds: intBetween(1, 600).default(30),
  /** Retries of records to SQS, SNS, HTTP and Redis-stream destinations (see README, Destinations). */
  destinationDelivery: z.object({
    baseDelayMs: intBetween(1, 60_000).default(1000),
    maxDelayMs: intBetween(1, 3_600_000).default(300_000),
    maxAgeSeconds: intBetween(1, 604_800).default(86_400),
    timeoutMs: intBetween(100, 300_000).default(10_000),
  }).strict().default({ baseDelayMs: 1000, maxDelayMs: 300_000, maxAgeSeconds: 86_400, timeoutMs: 10_000 }),
  /** The admin HTTP API (`/admin/dlq`); with a token, requests need `Authorization: Bearer <token>`. */
  admin: z.object({
    token: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  }).strict().default({}),
  /** Rates for the estimated AWS Lambda cost in `triggerhub status` (USD; x86, first tier, no free tier). */
  pricing: z.object({
    requestUsdPerMillion: z.number({ error: 'must be a number' }).min(0, { error: 'must be 0 or more' }).default(0.2),
    gbSecondUsd: z.number({ error: 'must be a number' }).min(0, { error: 'must be 0 or more' }).default(0.0000166667),
  }).strict().default({ requestUsdPerMillion: 0.2, gbSecondUsd: 0.0000166667 }),
  /** Layers by name (name → directory), for functions' `layers:` lists. */
  layers: namedRecord(
    z.string().regex(LAYER_NAME, { error: 'layer names hold 1-140 letters, digits, - and _ (and :<version> for a version after 1)' }),
    z.string().min(1, { error: 'must be a directory' }),
  ).default({}),
  functions: namedRecord(
    z.string().regex(FUNCTION_NAME, { error: 'function names hold 1-64 letters, digits, - and _' }),
    functionSchema,
  ).default({}),
}).strict();

export type RawHubConfig = z.infer<typeof hubSchema>;
export type RawFunctionConfig = z.infer<typeof functionSchema>;
