import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HubError } from '../errors.js';
import { readProjectFile } from './read.js';
import { isObject } from '../own.js';

/**
 * serverless.yml variables: `${self:path}`, `${env:NAME}`, `${opt:stage}`, `${opt:region}`,
 * `${sls:stage}`, `${sls:instanceId}`, `${param:name}`, `${aws:region}`, `${aws:accountId}`, `${file(./x.yml):path}`,
 * with fallbacks (`${env:TABLE, 'orders'}`) and nesting (`${self:custom.${sls:stage}.table}`).
 * A variable that is the whole string keeps its value's type. Sources that need AWS
 * (`cf:`, `ssm:`, `s3:`) are an error naming the property: give a fallback or a param.
 */
export interface VariableSources {
  file: string;
  /** The stage in effect (`${sls:stage}`): --stage, else provider.stage, else dev. */
  stage: string;
  /** The stage given (--stage, or the project's `stage:`): `${opt:stage}` is it alone, as the Framework's CLI option. */
  stageOption?: string;
  region: string;
  accountId: string;
  env: NodeJS.ProcessEnv;
  params: ReadonlyMap<string, unknown>;
  /** Told each `${file(...)}` file read. */
  included?: (file: string) => void;
  /** serverless-lift's `${construct:<id>.<name>}` values (see serverless-lift.ts), filled once the stack is named. */
  constructs?: ReadonlyMap<string, unknown>;
}

const INNERMOST = /\$\{([^${}]+)\}/;
/**
 * Sources the Framework (v3) resolves only once its Service is loaded (`opt`, `sls`, `param`, the AWS
 * ones): a variable with one of them waits for that pass, and by then the Service has filled in
 * `provider.stage: dev` when the file sets none, so `${opt:stage, self:provider.stage}` is `dev`
 * there (a `${self:provider.stage}` alone is resolved before, and fails).
 */
const AFTER_INIT = /^(?:opt|sls|param|aws|cf|ssm|s3):/;
const afterInit = (reference: string) => AFTER_INIT.test(reference);
/** The stage the Framework's Service takes when neither --stage nor provider.stage gives one. */
export const FRAMEWORK_DEFAULT_STAGE = 'dev';

/** A serverless variable starts with its source: `self:`, `env:`, `file(...)` (whole file: no address) ... (not CloudFormation's `AWS::`). */
const SOURCE = /^\s*(?:(self|env|opt|sls|param|aws|cf|ssm|s3|file\([^)]*\)|[a-z][\w.]*)\s*:(?!:)|(?:file|strToBool)\([^)]*\)\s*(?:,|$))/;
/** A fallback that is another source, not a literal (text a nested variable gave, such as an ARN, stays a literal). */
const FALLBACK_SOURCE = /^(?:(?:self|env|opt|sls|param|aws|cf|ssm|s3):|file\()/;
const KEPT = '\u0000';
/** A variable the hub cannot resolve (a source only AWS answers, a JavaScript file): its fallback, if any, is the value. */
class Unresolvable {
  constructor(readonly reason: string) {}
}
const MAX_DEPTH = 20;


/**
 * A boolean setting as the Framework reads it: its schema validation (ajv, `coerceTypes`) turns the
 * strings "true" and "false" (quoted YAML, an `${env:…}` or `${param:…}` value) into the boolean
 * before it compiles the events, as CloudFormation reads "false" as false. Other values are left as they are.
 */
export const frameworkBoolean = (value: unknown): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class Variables {
  private readonly resolving = new Set<string>();
  private instanceId?: string;

  constructor(private readonly root: Record<string, unknown>, private readonly sources: VariableSources) {}

  private error(at: string, message: string): HubError {
    return new HubError('TH_ERR_CONFIG_PROJECT', `${this.sources.file}: ${at}: ${message}`);
  }

  /** The value with every variable in it resolved. */
  resolve(value: unknown, at: string, depth = 0): unknown {
    if (depth > MAX_DEPTH) throw this.error(at, 'variables nest too deeply (or refer to themselves)');
    if (typeof value === 'string') return this.resolveString(value, at, depth);
    if (Array.isArray(value)) return value.map((item, i) => this.resolve(item, `${at}[${i}]`, depth));
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: this.resolve(child, at ? `${at}.${key}` : key, depth), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private resolveString(text: string, at: string, depth: number): unknown {
    let current: unknown = text;
    for (let round = 0; typeof current === 'string' && INNERMOST.test(current); round += 1) {
      if (round > 100) throw this.error(at, 'too many variables in one value');
      const match = INNERMOST.exec(current)!;
      // `${AWS::Region}`, `${MyQueue.Arn}`: Fn::Sub's, left for the CloudFormation resolver.
      const value = SOURCE.test(match[1]) ? this.variable(match[1], at, depth) : `${KEPT}{${match[1]}}`;
      if (match[0] === current) current = value;
      else if (typeof value === 'object' && value !== null) throw this.error(at, `\${${match[1]}} is an object or list inside a string`);
      else current = current.replace(match[0], () => String(value));
    }
    return typeof current === 'string' ? current.replaceAll(`${KEPT}{`, '${') : current;
  }

  /**
   * One `source:address, fallback` expression. As in the Framework, a fallback may be another
   * source (`${opt:stage, self:provider.stage}`, `${env:A, env:B, 'c'}`): the first with a value wins.
   */
  private variable(expression: string, at: string, depth: number): unknown {
    let unresolvable: [string, Unresolvable] | undefined;
    const references: string[] = [];
    for (let rest: string | undefined = expression; rest !== undefined;) {
      const comma = rest.indexOf(',');
      const reference = (comma < 0 ? rest : rest.slice(0, comma)).trim();
      references.push(reference);
      const value = this.lookup(reference, at, depth);
      if (value instanceof Unresolvable) unresolvable ??= [reference, value];
      else if (value !== undefined && value !== null) return value;
      if (reference === 'self:provider.stage' && references.some(afterInit)) return FRAMEWORK_DEFAULT_STAGE;
      rest = comma < 0 ? undefined : rest.slice(comma + 1).trim();
      if (rest !== undefined && !FALLBACK_SOURCE.test(rest)) return literal(rest);
    }
    if (unresolvable) throw this.error(at, `\${${unresolvable[0]}}: ${unresolvable[1].reason} (use a fallback or a param)`);
    const shown = references.join(', ');
    // The Framework (v3) refuses it too: its variables read the file as written; `dev` is filled in after.
    if (references.includes('opt:stage')) throw this.error(at, `\${${shown}} has no value: no --stage was given, and opt:stage is that option alone, as in the Framework (give --stage or the project's stage:, a fallback, or use \${sls:stage}: --stage, else provider.stage, else dev)`);
    if (references.includes('self:provider.stage')) throw this.error(at, `\${${shown}} has no value: provider.stage is not set (use \${sls:stage}: --stage, else provider.stage, else dev)`);
    if (references.includes('self:provider.region')) throw this.error(at, `\${${shown}} has no value: provider.region is not set (use \${aws:region}: the region the service deploys to, here the hub's)`);
    throw this.error(at, `\${${shown}} has no value (give it one, or a fallback: \${${shown}, 'default'})`);
  }

  private lookup(reference: string, at: string, depth: number): unknown {
    const colon = reference.indexOf(':');
    const source = colon < 0 ? reference : reference.slice(0, colon);
    const address = colon < 0 ? '' : reference.slice(colon + 1);
    const { sources } = this;
    if (source === 'self') return this.self(address, at, depth);
    if (source === 'env') return sources.env[address] === '' ? undefined : sources.env[address];
    // The Framework makes a new random id each time the CLI runs: here, each time the file is loaded.
    if (source === 'sls' && address === 'instanceId') return (this.instanceId ??= randomBytes(6).toString('hex'));
    if (source === 'opt' && address === 'stage') return sources.stageOption || undefined;
    if (source === 'opt' || source === 'sls') return address === 'stage' ? sources.stage || undefined : address === 'region' ? sources.region : undefined;
    if (source === 'param') return sources.params.get(address);
    if (source === 'aws') return address === 'region' ? sources.region : address === 'accountId' ? sources.accountId : undefined;
    const file = /^file\((.+)\)$/.exec(source);
    if (file) return this.fromFile(file[1], address, at, depth);
    const bool = /^strToBool\((.*)\)$/.exec(source);
    if (bool) return this.strToBool(bool[1], at);
    if (source === 'construct' && sources.constructs?.has(address)) return sources.constructs.get(address);
    return new Unresolvable(`the ${source} variable source needs AWS and is not resolved locally`);
  }

  private self(address: string, at: string, depth: number): unknown {
    if (this.resolving.has(address)) throw this.error(at, `\${self:${address}} refers to itself`);
    this.resolving.add(address);
    try {
      return this.resolve(this.walk(address, at, depth), at, depth + 1);
    } finally {
      this.resolving.delete(address);
    }
  }

  /**
   * The value at `address`. A variable met on the way is resolved to walk on, as the Framework
   * does: `${self:custom.config.table}` with `custom.config: ${file(./config.yml)}`. A number
   * indexes a list, as the Framework's path does: `${self:custom.alexa.skills.0.id}`.
   */
  private walk(address: string, at: string, depth: number): unknown {
    let node: unknown = this.root;
    for (const key of address.split('.').filter(Boolean)) {
      if (typeof node === 'string') node = this.resolve(node, at, depth + 1);
      if (Array.isArray(node) && /^\d+$/.test(key)) {
        node = node[Number(key)];
        continue;
      }
      if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
      node = node[key];
    }
    return node;
  }

  /** The Framework's `${strToBool(value)}`: "true" / "1" and "false" / "0" (any case), else an error. */
  private strToBool(param: string, at: string): boolean {
    const text = String(literal(param.trim())).trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw this.error(at, `\${strToBool(${param})}: expected "true", "false", "0" or "1"`);
  }

  private fromFile(relative: string, address: string, at: string, depth: number): unknown {
    const file = path.resolve(path.dirname(this.sources.file), relative.trim());
    // A file that is not there has no value (its fallback, if any, applies), as in the Framework.
    if (!existsSync(file)) return undefined;
    if (/\.[cm]?[jt]s$/.test(file)) return new Unresolvable('JavaScript files are not evaluated locally');
    const data = new Variables(readProjectFile(file), { ...this.sources, file });
    this.sources.included?.(file);
    return data.resolve(data.walk(address, at, depth), at, depth + 1);
  }
}


/** A fallback: 'quoted' / "quoted" text, a number, true/false, else the text as written. */
function literal(text: string): unknown {
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) return quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  // `${env:X, null}`: no value, which takes the property out (the Framework strips null properties).
  if (text === 'null') return null;
  return text;
}
