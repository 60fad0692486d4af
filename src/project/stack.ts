import { HubError } from '../errors.js';
import { AttributeFromAws, NO_VALUE, Resolver, ValueFromAws, type StackScope } from './intrinsics.js';
import { conditionFunctions } from './conditions.js';
import { attributeValue, generatedName, LAYER_TYPES, modelledType, nameProblem, nameProperty, refValue, type StackIdentity } from './physical.js';
import { samReference } from './sam-references.js';
import { checkParameter } from './parameter-constraints.js';
import { isObject } from '../own.js';

/**
 * A template's stack: parameters (defaults, overrides, pseudo parameters), mappings, conditions,
 * and the resources whose condition holds, each with its physical name. Feeds the one resolver.
 */
export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
  /** The resource's Metadata (SAM's `BuildMethod`), never resolved. */
  Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Globals?: Record<string, unknown>;
  Resources?: Record<string, unknown>;
}

export interface StackOptions extends StackIdentity {
  file: string;
  parameters: ReadonlyMap<string, string>;
  imports: ReadonlyMap<string, string>;
}

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::Serverless::SimpleTable']);


/**
 * A key of Resources that a transform expands on AWS (`Fn::ForEach::Name` of AWS::LanguageExtensions,
 * `Fn::Transform` of AWS::Include): the hub applies neither, so it says so and what to do, instead
 * of taking the key for a resource without a Type.
 */
function unappliedMacro(key: string, value: unknown): string | undefined {
  if (key.startsWith('Fn::ForEach::')) {
    return 'Fn::ForEach is not supported locally: it is expanded by the AWS::LanguageExtensions transform, which the hub does not apply: write out the resources the loop makes, one per item';
  }
  if (key === 'Fn::Transform') {
    const name = isObject(value) && typeof value.Name === 'string' ? value.Name : 'a macro';
    return `Fn::Transform (${name}) is not applied locally: copy the resources it includes (AWS::Include's snippet) into the template's Resources`;
  }
  return undefined;
}

const ownMap = (value: unknown): Map<string, unknown> => new Map(isObject(value) ? Object.entries(value) : []);

export class Stack {
  readonly resolver: Resolver;
  readonly identity: StackIdentity;
  /** SAM's `Globals` sections (Function, HttpApi, ...), by name. */
  readonly globals: ReadonlyMap<string, unknown>;
  /** Declared resources whose Condition holds, by logical id (template order). */
  readonly resources = new Map<string, TemplateResource>();
  private readonly conditions: Map<string, unknown>;
  private readonly conditionValues = new Map<string, boolean | 'evaluating'>();
  private readonly names = new Map<string, string | 'resolving'>();
  private readonly allResources: Map<string, unknown>;

  constructor(template: CfnTemplate, options: StackOptions) {
    this.identity = { stackName: options.stackName, region: options.region, accountId: options.accountId, partition: options.partition };
    this.conditions = ownMap(template.Conditions);
    this.globals = ownMap(template.Globals);
    this.allResources = ownMap(template.Resources);
    const scope: StackScope = {
      file: options.file,
      parameters: this.parameters(template.Parameters, options),
      mappings: ownMap(template.Mappings),
      imports: options.imports,
      ref: (logicalId) => {
        const resource = this.resources.get(logicalId);
        if (!resource) return samReference(this, logicalId);
        return refValue(resource.Type, this.name(logicalId), this.identity, LAYER_TYPES.has(resource.Type) ? this.layerVersion(logicalId) : undefined);
      },
      attribute: (logicalId, attribute, at) => {
        const resource = this.resources.get(logicalId);
        if (!resource) return undefined;
        const generated = resource.Type.startsWith('AWS::Serverless::') ? samReference(this, `${logicalId}.${attribute}`) : undefined;
        if (generated !== undefined) return generated;
        // CloudFormation has no StreamArn for a table without a stream: the template fails, not a poller later.
        // (SAM's SimpleTable has no StreamSpecification at all.)
        if (attribute === 'StreamArn' && TABLE_TYPES.has(resource.Type) && resource.Properties.StreamSpecification === undefined) {
          throw this.resolver.error(at, `${logicalId} has no StreamSpecification, so no StreamArn (enable its stream: StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES })`);
        }
        // An enhanced fan-out consumer's ARN, as Kinesis forms it (the creation time: 1); mappings read its stream.
        if (resource.Type === 'AWS::Kinesis::StreamConsumer' && attribute === 'ConsumerARN') {
          const props = resource.Properties;
          return `${this.resolver.string(props.StreamARN, `Resources.${logicalId}.Properties.StreamARN`)}/consumer/${this.resolver.string(props.ConsumerName, `Resources.${logicalId}.Properties.ConsumerName`)}:1`;
        }
        const property = (key: string) => (resource.Properties[key] === undefined
          ? undefined : this.resolver.string(resource.Properties[key], `Resources.${logicalId}.Properties.${key}`));
        const value = attributeValue(resource.Type, attribute, this.name(logicalId), this.identity, property);
        if (value === undefined) {
          // An attribute the modelled type lacks is a mistake; one of a type the hub does not model only AWS knows.
          throw this.resolver.error(at, `${resource.Type} attribute ${attribute} (of ${logicalId}) is not supported locally`, modelledType(resource.Type) ? HubError : AttributeFromAws);
        }
        return value;
      },
      condition: (name, at) => this.condition(name, at),
      leftOutBy: (logicalId) => {
        const declared = this.resources.has(logicalId) ? undefined : this.allResources.get(logicalId);
        return isObject(declared) && typeof declared.Condition === 'string' ? declared.Condition : undefined;
      },
    };
    this.resolver = new Resolver(scope);
    for (const [logicalId, value] of this.allResources) {
      const at = `Resources.${logicalId}`;
      const macro = unappliedMacro(logicalId, value);
      if (macro) throw this.resolver.error(at, macro);
      if (!isObject(value) || typeof value.Type !== 'string') throw this.resolver.error(at, 'must be an object with a Type');
      if (value.Properties !== undefined && !isObject(value.Properties)) throw this.resolver.error(`${at}.Properties`, 'must be an object');
      const condition = value.Condition;
      if (condition !== undefined && typeof condition !== 'string') throw this.resolver.error(`${at}.Condition`, 'must name a condition');
      const metadata = isObject(value.Metadata) ? value.Metadata : undefined;
      this.resources.set(logicalId, { Type: value.Type, Properties: (value.Properties ?? {}) as Record<string, unknown>, Condition: condition, Metadata: metadata });
    }
    for (const [logicalId, resource] of [...this.resources]) {
      if (resource.Condition && !this.condition(resource.Condition, `Resources.${logicalId}.Condition`)) this.resources.delete(logicalId);
    }
  }

  /** The physical name: the type's name property, else `<stack>-<LogicalId>`. */
  name(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known === 'resolving') throw this.resolver.error(`Resources.${logicalId}`, 'its name refers to itself');
    if (known !== undefined) return known;
    const resource = this.resources.get(logicalId)!;
    this.names.set(logicalId, 'resolving');
    const property = nameProperty(resource.Type);
    // A name that resolves to AWS::NoValue (`!If [HasName, !Ref Name, !Ref AWS::NoValue]`) is no name: CloudFormation makes one.
    const declared = property && resource.Properties[property] !== undefined
      ? this.resolver.resolve(resource.Properties[property], `Resources.${logicalId}.Properties.${property}`)
      : NO_VALUE;
    const given = declared === NO_VALUE ? undefined : this.resolver.string(declared, `Resources.${logicalId}.Properties.${property}`);
    // A generated FIFO queue or topic name ends in .fifo, as CloudFormation makes it (SQS and SNS require it).
    const fifo = (resource.Type === 'AWS::SQS::Queue' && String(resource.Properties.FifoQueue) === 'true')
      || (resource.Type === 'AWS::SNS::Topic' && String(resource.Properties.FifoTopic) === 'true');
    const problem = given === undefined ? undefined : nameProblem(resource.Type, given, fifo);
    if (problem) throw this.resolver.error(`Resources.${logicalId}.Properties.${property}`, problem);
    const name = given ?? generatedName(resource.Type, logicalId, this.identity, fifo);
    this.names.set(logicalId, name);
    return name;
  }

  /**
   * A layer resource's version: 1, or, when earlier layer resources of the template have the same
   * LayerName, one more than they (CloudFormation publishes each as the next version of that layer;
   * in which order only the deployment says, here in the template's).
   */
  layerVersion(logicalId: string): number {
    const name = this.name(logicalId);
    let version = 0;
    for (const [other, resource] of this.resources) {
      if (LAYER_TYPES.has(resource.Type) && this.name(other) === name) version += 1;
      if (other === logicalId) break;
    }
    return version;
  }

  /**
   * Resolved properties of a resource: all of them, or only the `read` ones (those the hub uses),
   * so an intrinsic it cannot resolve locally elsewhere in the resource (a KMS key's KeyId, an
   * export in a tag) never stops the project.
   */
  properties(logicalId: string, read?: readonly string[]): Record<string, unknown> {
    const all = this.resources.get(logicalId)!.Properties;
    const props = read ? Object.fromEntries(read.filter((name) => Object.hasOwn(all, name)).map((name) => [name, all[name]])) : all;
    return this.resolver.resolve(props, `Resources.${logicalId}.Properties`) as Record<string, unknown>;
  }

  private condition(name: string, at: string): boolean {
    const known = this.conditionValues.get(name);
    if (known === 'evaluating') throw this.resolver.error(at, `condition ${name} refers to itself`);
    if (known !== undefined) return known;
    if (!this.conditions.has(name)) throw this.resolver.error(at, `no condition "${name}" in Conditions`);
    this.conditionValues.set(name, 'evaluating');
    const definition = this.conditions.get(name);
    const [fn] = isObject(definition) ? Object.keys(definition) : [];
    const evaluate = fn === undefined ? undefined : conditionFunctions.get(fn);
    if (!evaluate || !isObject(definition)) throw this.resolver.error(`Conditions.${name}`, 'must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition');
    const value = evaluate(this.resolver, definition[fn], `Conditions.${name}.${fn}`);
    this.conditionValues.set(name, value);
    return value;
  }

  private parameters(declared: unknown, options: StackOptions): Map<string, string | string[] | ValueFromAws> {
    const values = new Map<string, string | string[] | ValueFromAws>([
      ['AWS::Region', options.region],
      ['AWS::AccountId', options.accountId],
      ['AWS::StackName', options.stackName],
      ['AWS::StackId', `arn:${options.partition}:cloudformation:${options.region}:${options.accountId}:stack/${options.stackName}/00000000-0000-0000-0000-000000000000`],
      ['AWS::Partition', options.partition],
      ['AWS::URLSuffix', 'amazonaws.com'],
      ['AWS::NotificationARNs', []],
    ]);
    const definitions = ownMap(declared);
    const fail = (at: string, message: string) => new Resolver({ ...emptyScope, file: options.file }).error(at, message);
    for (const name of options.parameters.keys()) {
      if (!definitions.has(name)) throw fail(`parameters.${name}`, `the template declares no parameter ${name} (it has: ${[...definitions.keys()].join(', ') || 'none'})`);
    }
    for (const [name, definition] of definitions) {
      const at = `Parameters.${name}`;
      if (!isObject(definition)) throw fail(at, 'must be an object with a Type');
      const raw = options.parameters.get(name) ?? (definition.Default === undefined ? undefined : String(definition.Default));
      if (raw === undefined) throw fail(at, `has no Default: pass it with --parameter-overrides ${name}=VALUE or parameters: { ${name}: VALUE }`);
      const type = String(definition.Type ?? 'String');
      if (type.startsWith('AWS::SSM::Parameter::Value<') && !options.parameters.has(name)) {
        // On AWS the value is read from Parameter Store under this name; locally there is none to read.
        values.set(name, new ValueFromAws(`parameter ${name} (${type}) is read from SSM Parameter Store (${raw}) on AWS: pass its value with --parameter-overrides ${name}=VALUE or parameters: { ${name}: VALUE }`));
        continue;
      }
      const list = type.startsWith('List<') || type === 'CommaDelimitedList';
      const value = list ? raw.split(',').map((s) => s.trim()) : raw;
      checkParameter(at, type, definition, value, fail);
      values.set(name, value);
    }
    return values;
  }
}

const emptyScope: Omit<StackScope, 'file'> = {
  parameters: new Map(), mappings: new Map(), imports: new Map(),
  ref: () => undefined, attribute: () => undefined, condition: () => false,
};
