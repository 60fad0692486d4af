import { createHash } from 'node:crypto';
// A local table's real stream label is known only once it exists: the dynamodb source reads the
// table's latest stream for an ARN with this label.
import { LATEST_STREAM_LABEL } from '../sources/dynamodb/settings.js';

/**
 * What a declared resource's `Ref` and `Fn::GetAtt` return, per type: its physical name (the
 * type's name property, else a name made from the stack and logical id, as CloudFormation does
 * without its random suffix) and the ARNs / URLs AWS would give it. One table, no switch ladder.
 */
export interface StackIdentity {
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
}

interface TypeSpec {
  /** The property holding the physical name, if the type has one. */
  nameProperty?: string;
  /** AWS's length limit (generated names are cut to it, given ones checked against it). */
  maxLength?: number;
  /** A given name's characters, as AWS checks them, and the rule in words. */
  chars?: [RegExp, string];
  lowerCase?: boolean;
  /** Generated name: the logical id alone (functions: the name `sam local invoke` uses; layers: SAM's default LayerName). */
  logicalIdOnly?: boolean;
  /** The Ref value; default the physical name. `version`: a layer's (see Stack.layerVersion). */
  ref?: (name: string, id: StackIdentity, version: number) => string;
  attributes: Record<string, Attribute>;
  /**
   * A type the hub names but does not run (a state machine, a secret, a user pool): its Ref and the
   * attributes listed are what AWS gives; any other attribute only AWS knows (an environment
   * variable holding one gets a placeholder), not a template mistake.
   */
  namedOnly?: true;
}

/** An attribute's value from the physical name; `property` reads (resolved) one of the resource's properties, if given. */
type Attribute = (name: string, id: StackIdentity, property: (key: string) => string | undefined) => string;

const arn = (service: string, resource: string, id: StackIdentity, regional = true) =>
  `arn:${id.partition}:${service}:${regional ? id.region : ''}:${id.accountId}:${resource}`;

export const queueUrl = (name: string, id: StackIdentity) => `https://sqs.${id.region}.amazonaws.com/${id.accountId}/${name}`;
const functionArn = (name: string, id: StackIdentity) => arn('lambda', `function:${name}`, id);
const tableArn = (name: string, id: StackIdentity) => arn('dynamodb', `table/${name}`, id);

const FUNCTION: TypeSpec = { nameProperty: 'FunctionName', maxLength: 64, logicalIdOnly: true, attributes: { Arn: functionArn } };
const TABLE: TypeSpec = {
  nameProperty: 'TableName', maxLength: 255, chars: [/^[\w.-]{3,}$/, 'at least 3 of letters, digits, _, . and -'],
  attributes: { Arn: tableArn, StreamArn: (name, id) => `${tableArn(name, id)}/stream/${LATEST_STREAM_LABEL}` },
};
/** A UUID made from `key`: the same for the same resource, where AWS makes one at random. */
const uuidFrom = (key: string) => {
  const hex = createHash('sha256').update(key).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
};
/** A global table's TableId: a UUID, as DynamoDB's (no local table exists yet when the template is read). */
const tableId = (name: string, id: StackIdentity) => uuidFrom(tableArn(name, id));
const GLOBAL_TABLE: TypeSpec = { ...TABLE, attributes: { ...TABLE.attributes, TableId: tableId } };
/** An id AWS makes at random, made here from the resource's ARN-like key: the same for the same resource. */
const madeId = (key: string, length: number, alphabet: string) => {
  const bytes = createHash('sha256').update(key).digest();
  return Array.from(bytes.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join('');
};
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const stateMachineArn = (name: string, id: StackIdentity) => arn('states', `stateMachine:${name}`, id);
const STATE_MACHINE = (nameProperty: string): TypeSpec => ({
  nameProperty, maxLength: 80, namedOnly: true, ref: stateMachineArn, attributes: { Arn: stateMachineArn, Name: (name) => name },
});
/** Secrets Manager appends a hyphen and 6 random characters to a secret's name in its ARN. */
const secretArn = (name: string, id: StackIdentity) => arn('secretsmanager', `secret:${name}-${madeId(`${id.accountId}/${id.region}/${name}`, 6, ALNUM)}`, id);
/** A user pool's id: `<region>_` and 9 letters and digits. */
const userPoolId = (name: string, id: StackIdentity) => `${id.region}_${madeId(`${id.accountId}/${id.region}/${name}`, 9, ALNUM)}`;
/** An app client's id: 26 lower-case letters and digits. */
const clientId = (name: string, id: StackIdentity) => madeId(`client/${id.accountId}/${id.region}/${name}`, 26, 'abcdefghijklmnopqrstuvwxyz0123456789');
const kmsKeyId = (name: string, id: StackIdentity) => uuidFrom(`kms/${id.accountId}/${id.region}/${name}`);
const LAYER: TypeSpec = {
  nameProperty: 'LayerName', maxLength: 140, logicalIdOnly: true, chars: [/^[\w-]+$/, 'letters, digits, - and _'],
  ref: (name, id, version) => arn('lambda', `layer:${name}:${version}`, id),
  attributes: {},
};

export const TYPES = new Map<string, TypeSpec>([
  ['AWS::SQS::Queue', {
    nameProperty: 'QueueName', maxLength: 80, chars: [/^[\w-]+(\.fifo)?$/, 'letters, digits, - and _ (a FIFO queue\'s ending in .fifo)'], ref: queueUrl,
    attributes: { Arn: (name, id) => arn('sqs', name, id), QueueName: (name) => name, QueueUrl: queueUrl },
  }],
  ['AWS::SNS::Topic', {
    nameProperty: 'TopicName', maxLength: 256, chars: [/^[\w-]+(\.fifo)?$/, 'letters, digits, - and _ (a FIFO topic\'s ending in .fifo)'], ref: (name, id) => arn('sns', name, id),
    attributes: { TopicArn: (name, id) => arn('sns', name, id), TopicName: (name) => name },
  }],
  ['AWS::S3::Bucket', {
    nameProperty: 'BucketName', maxLength: 63, lowerCase: true,
    chars: [/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/, 'at least 3 of lower-case letters, digits, . and -, starting and ending with a letter or digit'],
    attributes: {
      Arn: (name, id) => `arn:${id.partition}:s3:::${name}`,
      DomainName: (name) => `${name}.s3.amazonaws.com`,
      RegionalDomainName: (name, id) => `${name}.s3.${id.region}.amazonaws.com`,
      WebsiteURL: (name, id) => `http://${name}.s3-website-${id.region}.amazonaws.com`,
    },
  }],
  ['AWS::Kinesis::Stream', { nameProperty: 'Name', maxLength: 128, chars: [/^[\w.-]+$/, 'letters, digits, _, . and -'], attributes: { Arn: (name, id) => arn('kinesis', `stream/${name}`, id) } }],
  ['AWS::DynamoDB::Table', TABLE],
  ['AWS::DynamoDB::GlobalTable', GLOBAL_TABLE],
  ['AWS::Serverless::SimpleTable', TABLE],
  ['AWS::Serverless::Function', FUNCTION],
  ['AWS::Lambda::Function', FUNCTION],
  ['AWS::Serverless::LayerVersion', LAYER],
  ['AWS::Lambda::LayerVersion', LAYER],
  ['AWS::Events::Rule', { nameProperty: 'Name', maxLength: 64, attributes: { Arn: (name, id) => arn('events', `rule/${name}`, id) } }],
  ['AWS::IAM::Role', { nameProperty: 'RoleName', maxLength: 64, attributes: { Arn: (name, id) => arn('iam', `role/${name}`, id, false), RoleId: (name) => name } }],
  ['AWS::Logs::LogGroup', { nameProperty: 'LogGroupName', maxLength: 512, attributes: { Arn: (name, id) => arn('logs', `log-group:${name}:*`, id) } }],
  // Named, not run: what a function's environment reads of them is what AWS would give.
  ['AWS::SSM::Parameter', {
    nameProperty: 'Name', maxLength: 2048, namedOnly: true,
    attributes: { Type: (_name, _id, property) => property('Type') ?? 'String', Value: (_name, _id, property) => property('Value') ?? '' },
  }],
  ['AWS::Events::EventBus', {
    nameProperty: 'Name', maxLength: 256, namedOnly: true,
    attributes: { Arn: (name, id) => arn('events', `event-bus/${name}`, id), Name: (name) => name },
  }],
  ['AWS::StepFunctions::StateMachine', STATE_MACHINE('StateMachineName')],
  ['AWS::Serverless::StateMachine', STATE_MACHINE('Name')],
  ['AWS::SecretsManager::Secret', { nameProperty: 'Name', maxLength: 512, namedOnly: true, ref: secretArn, attributes: { Id: secretArn } }],
  ['AWS::Cognito::UserPool', {
    nameProperty: 'UserPoolName', maxLength: 128, namedOnly: true, ref: userPoolId,
    attributes: {
      Arn: (name, id) => arn('cognito-idp', `userpool/${userPoolId(name, id)}`, id),
      UserPoolId: userPoolId,
      ProviderName: (name, id) => `cognito-idp.${id.region}.amazonaws.com/${userPoolId(name, id)}`,
      ProviderURL: (name, id) => `https://cognito-idp.${id.region}.amazonaws.com/${userPoolId(name, id)}`,
    },
  }],
  ['AWS::Cognito::UserPoolClient', {
    nameProperty: 'ClientName', maxLength: 128, namedOnly: true, ref: clientId, attributes: { ClientId: clientId, Name: (name) => name },
  }],
  ['AWS::KMS::Key', { namedOnly: true, ref: kmsKeyId, attributes: { Arn: (name, id) => arn('kms', `key/${kmsKeyId(name, id)}`, id), KeyId: kmsKeyId } }],
  ['AWS::KinesisFirehose::DeliveryStream', {
    nameProperty: 'DeliveryStreamName', maxLength: 64, namedOnly: true,
    attributes: { Arn: (name, id) => arn('firehose', `deliverystream/${name}`, id) },
  }],
]);

export const nameProperty = (type: string): string | undefined => TYPES.get(type)?.nameProperty;

/** Why AWS would refuse this given name for the type (length, characters, a FIFO name's .fifo), or undefined. */
export function nameProblem(type: string, name: string, fifo: boolean): string | undefined {
  const spec = TYPES.get(type);
  if (spec?.maxLength !== undefined && name.length > spec.maxLength) return `"${name}" is ${name.length} characters: at most ${spec.maxLength}`;
  if (spec?.chars && !spec.chars[0].test(name)) return `"${name}" is not a valid name: ${spec.chars[1]}`;
  if (spec?.chars && type !== 'AWS::S3::Bucket' && fifo !== name.endsWith('.fifo')) return `"${name}": ${fifo ? 'a FIFO name ends in .fifo' : 'only a FIFO name ends in .fifo'}`;
  return undefined;
}

/** A name CloudFormation could have generated: `<stack>-<LogicalId>`, within the type's rules. */
export function generatedName(type: string, logicalId: string, id: StackIdentity, fifo = false): string {
  const spec = TYPES.get(type);
  const max = (spec?.maxLength ?? 128) - (fifo ? 5 : 0);
  let name = spec?.logicalIdOnly ? logicalId : `${id.stackName}-${logicalId}`;
  if (spec?.lowerCase) name = name.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return name.slice(0, max) + (fifo ? '.fifo' : '');
}

/** Ref of a resource whose type the table does not know: its logical id (as good as any physical id locally). */
export function refValue(type: string, name: string, id: StackIdentity, version = 1): string {
  const ref = TYPES.get(type)?.ref;
  return ref ? ref(name, id, version) : name;
}

export const LAYER_TYPES: ReadonlySet<string> = new Set(['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion']);

/**
 * Whether the hub models this resource type's attributes (one it lacks is a mistake); of the others
 * (and of a type it only names), attributes but Arn only AWS knows.
 */
export function modelledType(type: string): boolean {
  return TYPES.has(type) && !TYPES.get(type)!.namedOnly;
}

/** The attribute's value, or undefined when this type's attribute is not known here. */
export function attributeValue(
  type: string, attribute: string, name: string, id: StackIdentity, property: (key: string) => string | undefined = () => undefined,
): string | undefined {
  const spec = TYPES.get(type);
  const get = spec && Object.hasOwn(spec.attributes, attribute) ? spec.attributes[attribute] : undefined;
  if (get) return get(name, id, property);
  // Any other type's Arn: a well-formed placeholder (IAM roles, log groups ... only feed ignored properties).
  if (attribute === 'Arn' && !spec) return arn(type.split('::')[1]?.toLowerCase() ?? 'unknown', name, id);
  return undefined;
}
