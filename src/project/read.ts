import { readFileSync, statSync } from 'node:fs';
import { requireJsYaml, requireYamlCfn } from '../aws/lazy-sdk.js';
import { HubError } from '../errors.js';

/** How SAM CLI reads a template, where that differs from the Serverless Framework. */
export interface SamCliReading {
  /** A key given twice in one mapping: the last value wins, this is told (else it is an error). */
  onDuplicateKey: (message: string) => void;
}

/**
 * A template or serverless.yml as data: JSON, or YAML with CloudFormation's short tags (`!Ref`,
 * `!GetAtt`, `!Sub` ...) read as their long forms; read as SAM CLI reads it when `samCli` is given.
 */
export function readProjectFile(file: string, samCli?: SamCliReading): Record<string, unknown> {
  let text: string;
  try {
    const { size } = statSync(file);
    // CloudFormation's limit on a template (uploaded to S3; 51,200 bytes inline): a larger one never deploys, and is not read into memory here.
    if (size > MAX_BYTES) throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: is ${(size / 1048576).toFixed(1)} MB: CloudFormation takes templates up to 1 MB, and so does the hub`);
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if (cause instanceof HubError) throw cause;
    throw new HubError('TH_ERR_CONFIG_NOT_FOUND', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let data: unknown;
  try {
    data = parse(text.replace(/^\uFEFF/, ''), file, samCli);
  } catch (cause) {
    // The YAML reader recurses once per level: thousands of levels exhaust the stack.
    const reason = cause instanceof RangeError ? 'it nests too deeply to read (thousands of levels)' : (cause as Error).message;
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: not valid YAML or JSON: ${reason}`, { cause });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: must be a mapping at the top level`);
  }
  refuseExpansion(data, file);
  return data as Record<string, unknown>;
}

const MAX_BYTES = 1024 * 1024;

/** More values than any real template or service holds (a 1 MB template has under a hundred thousand). */
const MAX_VALUES = 2_000_000;

/**
 * YAML aliases (`*name`) share a node instead of copying it, so a few lines can stand for billions
 * of values (nine aliases of nine aliases of ...), which every later walk (intrinsics, variables)
 * would expand: counted here as those walks would see them, and refused past MAX_VALUES.
 */
function refuseExpansion(data: object, file: string): void {
  const pending: unknown[] = [data];
  for (let seen = 0; pending.length > 0; seen += 1) {
    if (seen > MAX_VALUES) {
      throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: holds more than ${MAX_VALUES} values once its YAML aliases (*name) are expanded: refused`);
    }
    const value = pending.pop();
    if (typeof value === 'object' && value !== null) for (const child of Object.values(value)) pending.push(child);
  }
}

/**
 * JSON when the text starts with `{`, else YAML; like SAM CLI, text that is not JSON is read as
 * YAML (a flow mapping `{ Resources: ... }` is YAML). A byte order mark is no content.
 */
function parse(text: string, file: string, samCli?: SamCliReading): unknown {
  if (!text.trimStart().startsWith('{')) return yaml(text, samCli);
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    try {
      return yaml(text, samCli);
    } catch (yamlError) {
      throw file.endsWith('.json') ? jsonError : yamlError;
    }
  }
}

/**
 * YAML with CloudFormation's tags. A key given twice in one mapping is an error, unless read as
 * SAM CLI reads (with PyYAML, where the last value wins, and deploys the template so): then the
 * last value is used, and the first duplicate reported.
 */
function yaml(text: string, samCli?: SamCliReading): unknown {
  const jsYaml = requireJsYaml();
  const schema = samCli ? samCliSchema() : requireYamlCfn().schema;
  try {
    return jsYaml.load(text, { schema });
  } catch (error) {
    if (!samCli || !(error instanceof jsYaml.YAMLException) || error.reason !== 'duplicated mapping key') throw error;
    const data = jsYaml.load(text, { schema, json: true });
    samCli.onDuplicateKey(`line ${error.mark.line + 1}: a mapping key given twice (the first of them): the last value is used, as SAM CLI reads the template`);
    return data;
  }
}

let samCliTags: import('js-yaml').Schema | undefined;

/**
 * yaml-cfn's tags, and any other `!X` as `{ "Fn::X": value }` (scalar, list or mapping), as SAM
 * CLI's loader reads every short tag: `!ToJsonString`, `!Length` (AWS::LanguageExtensions) load,
 * and an intrinsic the hub lacks is an error only where the hub reads that property. (The
 * Serverless Framework knows a fixed list of tags, yaml-cfn's, and refuses others.)
 */
function samCliSchema(): import('js-yaml').Schema {
  if (samCliTags) return samCliTags;
  const jsYaml = requireJsYaml();
  const anyTag = (['scalar', 'sequence', 'mapping'] as const).map((kind) => new jsYaml.Type('!', {
    kind,
    multi: true,
    construct: (data: unknown, tag?: string) => ({ [`Fn::${tag!.slice(1)}`]: data }),
  }));
  samCliTags = requireYamlCfn().schema.extend({ explicit: anyTag });
  return samCliTags;
}
