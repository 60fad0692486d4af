import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { HubError } from '../errors.js';

/**
 * `useDotenv: true`: the Framework loads `.env.<stage>`, else `.env`, from the service directory
 * before it resolves `${env:...}`, without overriding variables the environment already has
 * (lib/cli/load-dotenv.js). The file read is returned too, for hot reload to watch.
 */
export function withDotenv(env: NodeJS.ProcessEnv, dir: string, stage: string): { env: NodeJS.ProcessEnv; file?: string } {
  const file = [path.join(dir, `.env.${stage}`), path.join(dir, '.env')].find((candidate) => existsSync(candidate));
  if (!file) return { env };
  let values: Record<string, string>;
  try {
    values = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `cannot read ${file} (useDotenv): ${(cause as Error).message}`, { cause });
  }
  return { env: { ...values, ...env }, file };
}
