import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { arnOf, functionArn, globalArnOf } from '../arn.js';
import { destinationText } from '../destinations/targets.js';
import { logGroupName } from '../runtime/child-env.js';
import { LATEST, PUBLISHED_VERSION, variantEnvironment, type FunctionVariant } from '../config/versions.js';
import { stableUuid } from '../router/envelope.js';

const UNQUALIFIED: FunctionVariant = { version: LATEST };

/**
 * Lambda's FunctionConfiguration shape (ListFunctions, GetFunction, ListVersionsByFunction): of
 * the version or alias a qualifier named, with that alias's environment.
 */
export function functionConfiguration(config: HubConfig, fn: FunctionConfig, variant = UNQUALIFIED): Record<string, unknown> {
  const code = codeInfo(fn.handlerFile);
  const arn = functionArn(config.region, config.accountId, fn.name);
  const configuration: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: variant.qualifier === undefined ? arn : `${arn}:${variant.qualifier}`,
    Runtime: fn.runtime,
    Role: globalArnOf(config.region, 'iam', config.accountId, 'role/triggerhub'),
    Handler: fn.handler,
    CodeSize: code.size,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: code.lastModified,
    CodeSha256: code.sha256,
    Version: variant.version,
    ...environment(variantEnvironment(fn, variant)),
    TracingConfig: { Mode: 'PassThrough' },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: loggingConfig(fn),
    ...(fn.layers.length ? { Layers: fn.layers.map((dir) => layer(config, dir)) } : {}),
    ...(fn.deadLetterQueue ? { DeadLetterConfig: { TargetArn: destinationText(fn.deadLetterQueue) } } : {}),
  };
  // Changes whenever the version's code or any setting above does, as Lambda's does.
  return { ...configuration, RevisionId: stableUuid(JSON.stringify(configuration)) };
}

/** Lambda leaves `Environment` out for a function without variables. */
function environment(variables: Readonly<Record<string, string>>): { Environment?: { Variables: Record<string, string> } } {
  return Object.keys(variables).length ? { Environment: { Variables: { ...variables } } } : {};
}

/**
 * A layer as Lambda reports it: `Arn` is a layer version ARN named after the top-level `layers:`
 * entry (version 1, or the `<n>` of an entry `<name>:<n>`: a project's later layer of one
 * LayerName), else the directory's base name; `CodeSize` is the bytes of its files (Lambda's is
 * the zip archive's), measured on each call as the layer may change under --watch.
 */
function layer(config: HubConfig, dir: string): { Arn: string; CodeSize: number } {
  const named = Object.entries(config.layers).find(([, layerDir]) => layerDir === dir)?.[0];
  const [, base, version] = /^(.*?)(?::([1-9]\d*))?$/s.exec(named ?? path.basename(dir))!;
  const name = base.replace(/[^A-Za-z0-9_-]/g, '-');
  return { Arn: arnOf(config.region, 'lambda', config.accountId, `layer:${name}:${version ?? 1}`), CodeSize: directorySize(dir) };
}

function directorySize(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((total, entry) => total + statSync(path.join(entry.parentPath, entry.name)).size, 0);
  } catch {
    return 0;
  }
}

/** Lambda's LoggingConfig: the format, log group, and for JSON the log levels (INFO unless set). */
function loggingConfig(fn: FunctionConfig): Record<string, string> {
  const config = fn.loggingConfig;
  const group = { LogGroup: config?.logGroup ?? logGroupName(fn.name) };
  if (config?.logFormat !== 'JSON') return { LogFormat: 'Text', ...group };
  return { LogFormat: 'JSON', ApplicationLogLevel: config.applicationLogLevel ?? 'INFO', SystemLogLevel: 'INFO', ...group };
}

export function getFunctionResponse(config: HubConfig, fn: FunctionConfig, variant = UNQUALIFIED): Record<string, unknown> {
  const response: Record<string, unknown> = {
    Configuration: functionConfiguration(config, fn, variant),
    Code: { RepositoryType: 'Local', Location: fn.handlerFile },
  };
  if (fn.reservedConcurrency !== undefined) {
    response.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }
  return response;
}

/** Lambda's AliasConfiguration (GetAlias, ListAliases): every alias points at version 1. */
export function aliasConfiguration(config: HubConfig, fn: FunctionConfig, alias: string): Record<string, unknown> {
  return {
    AliasArn: `${functionArn(config.region, config.accountId, fn.name)}:${alias}`,
    Name: alias,
    FunctionVersion: PUBLISHED_VERSION,
    Description: fn.aliases[alias].description,
    RevisionId: stableUuid(`${fn.name}:${alias}`),
  };
}

function codeInfo(file: string): { size: number; sha256: string; lastModified: string } {
  try {
    const stat = statSync(file);
    return {
      size: stat.size,
      sha256: createHash('sha256').update(readFileSync(file)).digest('base64'),
      lastModified: stat.mtime.toISOString().replace('Z', '+0000'),
    };
  } catch {
    return { size: 0, sha256: '', lastModified: new Date(0).toISOString().replace('Z', '+0000') };
  }
}
