import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { FunctionConfig, HubConfig } from '../config/load.js';
import { functionArn } from '../arn.js';

/** Lambda's FunctionConfiguration shape (ListFunctions, GetFunction). */
export function functionConfiguration(config: HubConfig, fn: FunctionConfig): Record<string, unknown> {
  const code = codeInfo(fn.handlerFile);
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(config.region, config.accountId, fn.name),
    Runtime: fn.runtime,
    Role: `arn:aws:iam::${config.accountId}:role/triggerhub`,
    Handler: fn.handler,
    CodeSize: code.size,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: code.lastModified,
    CodeSha256: code.sha256,
    Version: '$LATEST',
    Environment: { Variables: { ...fn.environment } },
    TracingConfig: { Mode: 'PassThrough' },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}

export function getFunctionResponse(config: HubConfig, fn: FunctionConfig): Record<string, unknown> {
  const response: Record<string, unknown> = {
    Configuration: functionConfiguration(config, fn),
    Code: { RepositoryType: 'Local', Location: fn.handlerFile },
  };
  if (fn.reservedConcurrency !== undefined) {
    response.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }
  return response;
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
