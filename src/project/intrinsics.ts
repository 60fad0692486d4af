import { HubError } from '../errors.js';
import { conditionFunctions } from './conditions.js';
import { isObject } from '../own.js';

/**
 * The one resolver of CloudFormation intrinsic functions, for SAM templates and the `resources`
 * of serverless.yml. It resolves only what the loaders read (a function's Handler, Environment,
 * Events ...), so an intrinsic in a property that does not matter locally (IAM policies) never
 * stops a project. Every error names the file and the property path.
 */

/** `Ref: AWS::NoValue`: the property (or list item) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface StackScope {
  /** For messages: the template file. */
  file: string;
  /** Parameters and pseudo parameters, by name. Lists are string arrays. */
  parameters: ReadonlyMap<string, string | string[] | ValueFromAws>;
  mappings: ReadonlyMap<string, unknown>;
  /** Fn::ImportValue values (the `importValues:` setting). */
  imports: ReadonlyMap<string, string>;
  /** Ref of a declared resource (undefined: no such resource). */
  ref(logicalId: string): string | undefined;
  /** Fn::GetAtt of a declared resource: undefined when there is no such resource; throws for an unknown attribute. */
  attribute(logicalId: string, attribute: string, at: string): string | undefined;
  /** A named condition's value. */
  condition(name: string, at: string): boolean;
  /** The Condition that left this resource out of the stack (false here), if it is one so left out. */
  leftOutBy?(logicalId: string): string | undefined;
}

/** A parameter whose value only AWS has (an AWS::SSM::Parameter::Value<...> read from Parameter Store): an error where it is used. */
export class ValueFromAws {
  constructor(readonly reason: string) {}
}

/** Fn::GetAtt of an attribute only AWS knows (an AppSync API's GraphQLUrl, a custom resource's output). */
export class AttributeFromAws extends HubError {}

type Fn = (resolver: Resolver, args: unknown, at: string) => unknown;

/** Deeper values (or Ref/GetAtt chains) are hostile or broken: an error, not a stack overflow. */
const MAX_DEPTH = 64;


export class Resolver {
  constructor(readonly scope: StackScope) {}

  error(at: string, message: string, Kind: typeof HubError = HubError): HubError {
    return new Kind('TH_ERR_CONFIG_PROJECT', `${this.scope.file}: ${at}: ${message}`);
  }

  private depth = 0;

  /** The value with every intrinsic resolved; NO_VALUE entries dropped from objects and lists. */
  resolve(value: unknown, at: string): unknown {
    if (this.depth >= MAX_DEPTH) throw this.error(at, `nests deeper than ${MAX_DEPTH} levels`);
    this.depth += 1;
    try {
      return this.resolveValue(value, at);
    } finally {
      this.depth -= 1;
    }
  }

  private resolveValue(value: unknown, at: string): unknown {
    if (Array.isArray(value)) {
      return value.map((item, i) => this.resolve(item, `${at}[${i}]`)).filter((item) => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(keys[0], value[keys[0]], at);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = this.resolve(value[key], `${at}.${key}`);
      if (resolved !== NO_VALUE) Object.defineProperty(out, key, { value: resolved, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** A value that must resolve to a string (names, ARNs, handler paths). */
  string(value: unknown, at: string): string {
    const resolved = this.resolve(value, at);
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    if (typeof resolved !== 'string') throw this.error(at, `must resolve to a string (got ${describe(resolved)})`);
    return resolved;
  }

  /** A value that must resolve to a list (Fn::Join, Fn::Select arguments). */
  list(value: unknown, at: string): unknown[] {
    const resolved = this.resolve(value, at);
    if (!Array.isArray(resolved)) throw this.error(at, `must resolve to a list (got ${describe(resolved)})`);
    return resolved;
  }

  private intrinsic(name: string, args: unknown, at: string): unknown {
    const fn = FUNCTIONS.get(name) ?? conditionFunctions.get(name);
    if (!fn) throw this.error(at, `${name} is not supported (supported: ${[...FUNCTIONS.keys()].join(', ')})`);
    return fn(this, args, `${at}.${name}`);
  }
}

function describe(value: unknown): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

function ref(resolver: Resolver, args: unknown, at: string): unknown {
  if (typeof args !== 'string') throw resolver.error(at, 'must name a parameter or resource');
  if (args === 'AWS::NoValue') return NO_VALUE;
  const { scope } = resolver;
  if (scope.parameters.has(args)) {
    const value = scope.parameters.get(args);
    if (value instanceof ValueFromAws) throw resolver.error(at, value.reason);
    return value;
  }
  const value = scope.ref(args);
  if (value === undefined) throw resolver.error(at, leftOut(resolver, args) ?? `"${args}" is neither a parameter nor a resource of this template`);
  return value;
}

/**
 * Why a Ref or GetAtt of a resource whose Condition is false fails, as it fails on AWS ("Unresolved
 * resource dependencies"), or undefined when the name is not such a resource.
 */
function leftOut(resolver: Resolver, logicalId: string): string | undefined {
  const condition = resolver.scope.leftOutBy?.(logicalId);
  return condition === undefined ? undefined
    : `"${logicalId}" is left out of the stack by its Condition ${condition} (false here), so CloudFormation refuses the reference too; guard it with Fn::If on ${condition}`;
}

function getAtt(resolver: Resolver, args: unknown, at: string): unknown {
  const parts = typeof args === 'string' ? splitAttribute(args) : Array.isArray(args) ? args : undefined;
  if (!parts || parts.length !== 2) throw resolver.error(at, 'must be [LogicalId, Attribute] or "LogicalId.Attribute"');
  const logicalId = resolver.string(parts[0], `${at}[0]`);
  const attribute = resolver.string(parts[1], `${at}[1]`);
  const value = resolver.scope.attribute(logicalId, attribute, at);
  if (value === undefined) throw resolver.error(at, leftOut(resolver, logicalId) ?? `"${logicalId}" is not a resource of this template`);
  return value;
}

function splitAttribute(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

function sub(resolver: Resolver, args: unknown, at: string): string {
  const [template, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) && args.length === 2 ? args : [];
  if (typeof template !== 'string' || !isObject(variables)) throw resolver.error(at, 'must be "text" or ["text", { Name: value }]');
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(variables)) values.set(key, resolver.resolve(value, `${at}[1].${key}`));
  return template.replace(SUB_VARIABLE, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    const value = values.has(name) ? values.get(name)
      : name.includes('.') && !resolver.scope.parameters.has(name) ? getAtt(resolver, name, at) : ref(resolver, name, at);
    if (typeof value !== 'string' && typeof value !== 'number') throw resolver.error(at, `\${${name}} must resolve to a string (got ${describe(value)})`);
    return String(value);
  });
}

function join(resolver: Resolver, args: unknown, at: string): string {
  if (!Array.isArray(args) || args.length !== 2) throw resolver.error(at, 'must be [delimiter, [values]]');
  const delimiter = resolver.string(args[0], `${at}[0]`);
  return resolver.list(args[1], `${at}[1]`).map((item, i) => resolver.string(item, `${at}[1][${i}]`)).join(delimiter);
}

function select(resolver: Resolver, args: unknown, at: string): unknown {
  if (!Array.isArray(args) || args.length !== 2) throw resolver.error(at, 'must be [index, [values]]');
  const index = Number(resolver.resolve(args[0], `${at}[0]`));
  const list = resolver.list(args[1], `${at}[1]`);
  if (!Number.isInteger(index) || index < 0 || index >= list.length) throw resolver.error(at, `index ${args[0]} is outside the list of ${list.length}`);
  return list[index];
}

function split(resolver: Resolver, args: unknown, at: string): string[] {
  if (!Array.isArray(args) || args.length !== 2) throw resolver.error(at, 'must be [delimiter, text]');
  return resolver.string(args[1], `${at}[1]`).split(resolver.string(args[0], `${at}[0]`));
}

function findInMap(resolver: Resolver, args: unknown, at: string): unknown {
  if (!Array.isArray(args) || args.length < 3) throw resolver.error(at, 'must be [MapName, TopLevelKey, SecondLevelKey]');
  const [mapName, top, second] = args.slice(0, 3).map((part, i) => resolver.string(part, `${at}[${i}]`));
  const map = resolver.scope.mappings.get(mapName);
  const level = isObject(map) && Object.hasOwn(map, top) ? map[top] : undefined;
  if (isObject(level) && Object.hasOwn(level, second)) return level[second];
  const fallback = isObject(args[3]) && Object.hasOwn(args[3], 'DefaultValue') ? args[3].DefaultValue : undefined;
  if (fallback !== undefined) return resolver.resolve(fallback, `${at}[3].DefaultValue`);
  throw resolver.error(at, `Mappings has no ${mapName}.${top}.${second}`);
}

function importValue(resolver: Resolver, args: unknown, at: string): string {
  const name = resolver.string(args, at);
  const value = resolver.scope.imports.get(name);
  if (value === undefined) throw resolver.error(at, `no export "${name}": pass it in the config's importValues: { ${name}: ... }`);
  return value;
}

function ifFn(resolver: Resolver, args: unknown, at: string): unknown {
  if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string') throw resolver.error(at, 'must be [ConditionName, valueIfTrue, valueIfFalse]');
  return resolver.scope.condition(args[0], at)
    ? resolver.resolve(args[1], `${at}[1]`)
    : resolver.resolve(args[2], `${at}[2]`);
}

function getAZs(resolver: Resolver, args: unknown, at: string): string[] {
  const region = resolver.string(args, at) || String(resolver.scope.parameters.get('AWS::Region'));
  return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
}

const FUNCTIONS = new Map<string, Fn>([
  ['Ref', ref],
  ['Fn::GetAtt', getAtt],
  ['Fn::Sub', sub],
  ['Fn::Join', join],
  ['Fn::Select', select],
  ['Fn::Split', split],
  ['Fn::If', ifFn],
  ['Fn::FindInMap', findInMap],
  ['Fn::ImportValue', importValue],
  ['Fn::GetAZs', getAZs],
  ['Fn::Base64', (resolver, args, at) => Buffer.from(resolver.string(args, at)).toString('base64')],
]);
