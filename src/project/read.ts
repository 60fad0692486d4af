import { readFileSync } from 'node:fs';
import { requireYamlCfn } from '../aws/lazy-sdk.js';
import { HubError } from '../errors.js';

/**
 * A template or serverless.yml as data: JSON, or YAML with CloudFormation's short tags (`!Ref`,
 * `!GetAtt`, `!Sub` ...) read as their long forms.
 */
export function readProjectFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_NOT_FOUND', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let data: unknown;
  try {
    data = parse(text.replace(/^\uFEFF/, ''), file);
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: not valid YAML or JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: must be a mapping at the top level`);
  }
  return data as Record<string, unknown>;
}

/**
 * JSON when the text starts with `{`, else YAML; like SAM CLI, text that is not JSON is read as
 * YAML (a flow mapping `{ Resources: ... }` is YAML). A byte order mark is no content.
 */
function parse(text: string, file: string): unknown {
  if (!text.trimStart().startsWith('{')) return requireYamlCfn().yamlParse(text);
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    try {
      return requireYamlCfn().yamlParse(text);
    } catch (yamlError) {
      throw file.endsWith('.json') ? jsonError : yamlError;
    }
  }
}
