import { existsSync, readFileSync } from 'node:fs';
import { cloudStateFile } from '../cloud/state-file.js';
import type { CloudService } from '../project/model.js';
import { loadConfig, print, type GlobalOptions } from './context.js';
import { table } from './functions.js';
import { processRunning } from '../pid.js';

/**
 * `triggerhub resources`: the queues, topics, buckets, streams and tables the project declares,
 * with where they live: the running hub's local cloud (its endpoints file), else the configured
 * endpoints. No hub needed.
 */
export function resourcesCommand(options: GlobalOptions & { json?: boolean }): void {
  const config = loadConfig(options);
  const running = runningEndpoints(config);
  const rows = (config.project?.resources ?? []).map((resource) => {
    const endpoint = running?.[resource.kind]?.url ?? config.endpoints[resource.kind] ?? null;
    return {
      kind: resource.kind,
      name: resource.name,
      logicalId: resource.logicalId,
      arn: resource.arn,
      endpoint,
      ...(resource.kind === 'sqs' && endpoint ? { url: `${endpoint.replace(/\/$/, '')}/${config.accountId}/${resource.name}` } : {}),
    };
  });
  if (options.json) return print(JSON.stringify(rows, null, 2));
  if (!rows.length) return print(config.project ? 'the project declares no resources' : 'no template: or serverless: project in the config');
  print(table(['KIND', 'NAME', 'LOGICAL ID', 'ARN', 'ENDPOINT'], rows.map((r) => [r.kind, r.name, r.logicalId, r.arn, r.endpoint ?? '(local cloud not running)'])));
}

function runningEndpoints(config: Parameters<typeof cloudStateFile>[0]): Partial<Record<CloudService, { url: string }>> | undefined {
  const file = cloudStateFile(config);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; endpoints: Partial<Record<CloudService, { url: string }>> };
    return processRunning(state.pid) ? state.endpoints : undefined;
  } catch {
    return undefined;
  }
}
