import { describe, expect, it } from 'vitest';
import { isHubError } from '../src/errors.js';
import { projectConfig, projectDir } from './helpers/template-project.js';

/** A template with one function whose Environment.Variables are `variables` (YAML text, indented 10). */
function withVariables(variables: string, extra = ''): string {
  return `Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Subnets: { Type: CommaDelimitedList, Default: "a,b" }
Mappings:
  Sizes: { dev: { Memory: 256 }, prod: { Memory: 1024 } }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition IsProd, !Condition NotProd]
Resources:
  Orders: { Type: AWS::SQS::Queue }
  Fifo: { Type: AWS::SQS::Queue, Properties: { FifoQueue: true } }
  Named: { Type: AWS::SQS::Queue, Properties: { QueueName: !Sub '\${AWS::StackName}-named' } }
  Topic: { Type: AWS::SNS::Topic }
  Stream: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 2 } }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Bucket: { Type: AWS::S3::Bucket }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
${variables}
${extra}`;
}

function env(variables: string, raw: Record<string, unknown> = {}): Record<string, string> {
  const dir = projectDir({ 'stack-one/template.yaml': withVariables(variables) }, ['stack-one/src/app.mjs']);
  return projectConfig(`${dir}/stack-one`, { template: 'template.yaml', ...raw }).functions.Fn.environment;
}

function failure(variables: string): string {
  try {
    env(variables);
  } catch (err) {
    expect(isHubError(err, 'TH_ERR_CONFIG_PROJECT') || isHubError(err, 'TH_ERR_CONFIG_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected the template to be refused');
}

describe('CloudFormation intrinsics', () => {
  it('Ref gives parameters, pseudo parameters and each resource type its physical id', () => {
    expect(env(`          STAGE: !Ref Stage
          REGION: !Ref AWS::Region
          ACCOUNT: !Ref AWS::AccountId
          STACK: !Ref AWS::StackName
          PARTITION: !Ref AWS::Partition
          SUFFIX: !Ref AWS::URLSuffix
          QUEUE: !Ref Orders
          FIFO: !Ref Fifo
          NAMED: !Ref Named
          TOPIC: !Ref Topic
          STREAM: !Ref Stream
          TABLE: !Ref Table
          BUCKET: !Ref Bucket
          SELF: !Ref Fn`, { region: 'eu-west-1', accountId: '123456789012' })).toEqual({
      STAGE: 'dev', REGION: 'eu-west-1', ACCOUNT: '123456789012', STACK: 'stack-one', PARTITION: 'aws', SUFFIX: 'amazonaws.com',
      QUEUE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/stack-one-Orders',
      FIFO: 'https://sqs.eu-west-1.amazonaws.com/123456789012/stack-one-Fifo.fifo',
      NAMED: 'https://sqs.eu-west-1.amazonaws.com/123456789012/stack-one-named',
      TOPIC: 'arn:aws:sns:eu-west-1:123456789012:stack-one-Topic',
      STREAM: 'stack-one-Stream', TABLE: 'stack-one-Table', BUCKET: 'stack-one-bucket', SELF: 'Fn',
    });
  });

  it('Fn::GetAtt gives ARNs, queue names and URLs, stream ARNs (both syntaxes)', () => {
    expect(env(`          QUEUE_ARN: !GetAtt Orders.Arn
          QUEUE_NAME: !GetAtt [Orders, QueueName]
          QUEUE_URL: { "Fn::GetAtt": [Orders, QueueUrl] }
          STREAM_ARN: !GetAtt Stream.Arn
          TABLE_STREAM: !GetAtt Table.StreamArn
          BUCKET_ARN: !GetAtt Bucket.Arn
          FN_ARN: !GetAtt Fn.Arn`)).toEqual({
      QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:stack-one-Orders',
      QUEUE_NAME: 'stack-one-Orders',
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/stack-one-Orders',
      STREAM_ARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/stack-one-Stream',
      TABLE_STREAM: expect.stringMatching(/^arn:aws:dynamodb:us-east-1:000000000000:table\/stack-one-Table\/stream\//),
      BUCKET_ARN: 'arn:aws:s3:::stack-one-bucket',
      FN_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
    });
  });

  it('Fn::Sub in both forms, with attributes, pseudo parameters and ${!Literal}', () => {
    expect(env(`          A: !Sub 'q=\${Orders.QueueName} r=\${AWS::Region} s=\${Stage} \${!Literal}'
          B: !Sub ['\${Name}-\${Stage}', { Name: !GetAtt Orders.QueueName }]`)).toEqual({
      A: 'q=stack-one-Orders r=us-east-1 s=dev ${Literal}',
      B: 'stack-one-Orders-dev',
    });
  });

  it('Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::GetAZs, Fn::Base64, list parameters', () => {
    expect(env(`          JOIN: !Join ['-', [a, !Ref Stage, !Select [2, !Split [',', 'x,y,z']]]]
          MAP: !FindInMap [Sizes, !Ref Stage, Memory]
          AZ: !Select [0, !GetAZs '']
          B64: !Base64 hi
          SUBNET: !Select [1, !Ref Subnets]`)).toEqual({ JOIN: 'a-dev-z', MAP: '256', AZ: 'us-east-1a', B64: 'aGk=', SUBNET: 'b' });
  });

  it('Fn::If with Conditions (Equals, Not, And, Or), AWS::NoValue removes the variable', () => {
    const variables = `          PROD: !If [IsProd, yes, no]
          BOTH: !If [Both, yes, no]
          EITHER: !If [Either, yes, no]
          ONLY_PROD: !If [IsProd, here, !Ref AWS::NoValue]`;
    expect(env(variables)).toEqual({ PROD: 'no', BOTH: 'no', EITHER: 'yes' });
    expect(env(variables, { parameters: { Stage: 'prod' } })).toEqual({ PROD: 'yes', BOTH: 'yes', EITHER: 'yes', ONLY_PROD: 'here' });
  });

  it('Fn::ImportValue reads the importValues map', () => {
    expect(env('          SHARED: !ImportValue shared-bus', { importValues: { 'shared-bus': 'arn:aws:events:us-east-1:000000000000:event-bus/shared' } }))
      .toEqual({ SHARED: 'arn:aws:events:us-east-1:000000000000:event-bus/shared' });
    expect(failure('          SHARED: !ImportValue shared-bus')).toMatch(/Resources\.Fn\.Properties\.Environment\.Variables\.SHARED\.Fn::ImportValue: no export "shared-bus": pass it in the config's importValues/);
  });

  it('an attribute only AWS knows (an AppSync API\'s GraphQLUrl, a custom resource\'s output) holds a placeholder, with a warning; the rest runs', () => {
    // Reduced from aws-samples/serverless-patterns appsync-bedrock-streaming-sam and lambda-iot-sam.
    const dir = projectDir({ 'stack-one/template.yaml': withVariables(`          APP_SYNC_API: !GetAtt Graph.GraphQLUrl
          IOT: !Join ['', ['https://', !GetAtt Endpoint.IotEndpointAddress]]
          QUEUE: !GetAtt Orders.QueueName`, `  Graph: { Type: AWS::Serverless::GraphQLApi, Properties: { Auth: { Type: API_KEY } } }
  Endpoint: { Type: Custom::IotEndpoint, Properties: { ServiceToken: !GetAtt Fn.Arn } }`) }, ['stack-one/src/app.mjs']);
    const config = projectConfig(`${dir}/stack-one`, { template: 'template.yaml' });
    expect(config.functions.Fn.environment).toMatchObject({ APP_SYNC_API: 'unresolved-locally:APP_SYNC_API', IOT: 'unresolved-locally:IOT', QUEUE: 'stack-one-Orders' });
    expect(config.project!.warnings).toEqual(expect.arrayContaining([
      'Resources.Fn.Properties.Environment.Variables.APP_SYNC_API.Fn::GetAtt: AWS::Serverless::GraphQLApi attribute GraphQLUrl (of Graph) is not supported locally: the variable holds a placeholder',
      'Resources.Fn.Properties.Environment.Variables.IOT.Fn::Join[1][1].Fn::GetAtt: Custom::IotEndpoint attribute IotEndpointAddress (of Endpoint) is not supported locally: the variable holds a placeholder',
    ]));
  });

  it('types the hub names but does not run give what AWS gives: Ref of a state machine or secret is its ARN, of a parameter its Name, attributes only AWS knows a placeholder', () => {
    // Reduced from aws-samples/serverless-patterns (sfn, eventbridge, cognito and secrets patterns).
    const resources = `  Param: { Type: AWS::SSM::Parameter, Properties: { Name: /app/config, Type: String, Value: !Sub '\${Stage}-v1' } }
  Bus: { Type: AWS::Events::EventBus, Properties: { Name: orders-bus } }
  Flow: { Type: AWS::Serverless::StateMachine, Properties: { Definition: {} } }
  Machine: { Type: AWS::StepFunctions::StateMachine, Properties: { StateMachineName: checkout, DefinitionString: '{}' } }
  Secret: { Type: AWS::SecretsManager::Secret, Properties: { Name: db-credentials } }
  Pool: { Type: AWS::Cognito::UserPool, Properties: { UserPoolName: users } }
  Client: { Type: AWS::Cognito::UserPoolClient, Properties: { UserPoolId: !Ref Pool } }
  Key: { Type: AWS::KMS::Key }`;
    const dir = projectDir({ 'stack-one/template.yaml': withVariables(`          PARAM: !Ref Param
          PARAM_VALUE: !GetAtt Param.Value
          BUS: !Ref Bus
          BUS_ARN: !GetAtt Bus.Arn
          FLOW: !Ref Flow
          FLOW_NAME: !GetAtt Flow.Name
          MACHINE: !GetAtt Machine.Arn
          SECRET: !Ref Secret
          POOL: !Ref Pool
          POOL_ARN: !GetAtt Pool.Arn
          ISSUER: !GetAtt Pool.ProviderURL
          CLIENT: !Ref Client
          KEY: !Ref Key
          KEY_ARN: !GetAtt Key.Arn
          REVISION: !GetAtt Machine.StateMachineRevisionId`, resources) }, ['stack-one/src/app.mjs']);
    const load = () => projectConfig(`${dir}/stack-one`, { template: 'template.yaml', region: 'eu-west-1', accountId: '123456789012' });
    const config = load();
    const environment = config.functions.Fn.environment;
    expect(environment).toMatchObject({
      PARAM: '/app/config', PARAM_VALUE: 'dev-v1',
      BUS: 'orders-bus', BUS_ARN: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders-bus',
      FLOW: 'arn:aws:states:eu-west-1:123456789012:stateMachine:stack-one-Flow', FLOW_NAME: 'stack-one-Flow',
      MACHINE: 'arn:aws:states:eu-west-1:123456789012:stateMachine:checkout',
      REVISION: 'unresolved-locally:REVISION',
    });
    expect(environment.SECRET).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-credentials-[A-Za-z0-9]{6}$/);
    expect(environment.POOL).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);
    expect(environment.POOL_ARN).toBe(`arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${environment.POOL}`);
    expect(environment.ISSUER).toBe(`https://cognito-idp.eu-west-1.amazonaws.com/${environment.POOL}`);
    expect(environment.CLIENT).toMatch(/^[a-z0-9]{26}$/);
    expect(environment.KEY).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(environment.KEY_ARN).toBe(`arn:aws:kms:eu-west-1:123456789012:key/${environment.KEY}`);
    // The same on every load (a restart gives functions the same ids).
    expect(load().functions.Fn.environment).toEqual(environment);
    expect(config.project!.warnings).toEqual(expect.arrayContaining([
      'Resources.Fn.Properties.Environment.Variables.REVISION.Fn::GetAtt: AWS::StepFunctions::StateMachine attribute StateMachineRevisionId (of Machine) is not supported locally: the variable holds a placeholder',
    ]));
  });

  it('names the resource and property of an unsupported or broken construct', () => {
    expect(failure('          X: !Cidr [10.0.0.0/16, 2, 8]')).toMatch(/template\.yaml: Resources\.Fn\.Properties\.Environment\.Variables\.X: Fn::Cidr is not supported/);
    expect(failure('          X: !Ref Nope')).toMatch(/Variables\.X\.Ref: "Nope" is neither a parameter nor a resource/);
    // A resource its Condition leaves out (IsProd is false for the default stage): CloudFormation refuses the reference too.
    const leftOut = (variables: string) => () => {
      const dir = projectDir({ 'stack-one/template.yaml': withVariables(variables, '  ProdQueue: { Type: AWS::SQS::Queue, Condition: IsProd }') }, ['stack-one/src/app.mjs']);
      return projectConfig(`${dir}/stack-one`, { template: 'template.yaml' }).functions.Fn.environment;
    };
    expect(leftOut('          X: !Ref ProdQueue')).toThrow(/Variables\.X\.Ref: "ProdQueue" is left out of the stack by its Condition IsProd \(false here\)/);
    expect(leftOut('          X: !GetAtt ProdQueue.Arn')).toThrow(/Variables\.X\.Fn::GetAtt: "ProdQueue" is left out of the stack by its Condition IsProd/);
    expect(leftOut('          X: !If [IsProd, !Ref ProdQueue, none]')()).toMatchObject({ X: 'none' });
    expect(failure('          X: !GetAtt Orders.Nope')).toMatch(/Variables\.X\.Fn::GetAtt: AWS::SQS::Queue attribute Nope \(of Orders\) is not supported locally/);
    expect(failure('          X: !FindInMap [Sizes, qa, Memory]')).toMatch(/Variables\.X\.Fn::FindInMap: Mappings has no Sizes\.qa\.Memory/);
    expect(failure('          X: !Select [5, [a]]')).toMatch(/index 5 is outside the list of 1/);
    expect(failure('          X: !If [Missing, a, b]')).toMatch(/no condition "Missing" in Conditions/);
    // As in CloudFormation, a table without a stream has no StreamArn: an error at load, not a poller failing later.
    expect(failure(`          X: !GetAtt Plain.StreamArn
  Plain:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]`)).toMatch(/Variables\.X\.Fn::GetAtt: Plain has no StreamSpecification, so no StreamArn/);
    expect(failure(`          X: !GetAtt Simple.StreamArn
  Simple: { Type: AWS::Serverless::SimpleTable }`)).toMatch(/Variables\.X\.Fn::GetAtt: Simple has no StreamSpecification, so no StreamArn/);
    expect(failure(`          X: !GetAtt Global.StreamArn
  Global:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      Replicas: [{ Region: us-east-1 }]`)).toMatch(/Variables\.X\.Fn::GetAtt: Global has no StreamSpecification, so no StreamArn/);
  });

  it('checks parameter overrides against the template', () => {
    expect(() => env('          S: !Ref Stage', { parameters: { Stage: 'qa' } })).toThrow(/Parameters\.Stage: "qa" is not one of its AllowedValues \(dev, prod\)/);
    expect(() => env('          S: !Ref Stage', { parameters: { Nope: 'x' } })).toThrow(/parameters\.Nope: the template declares no parameter Nope/);
    expect(env('          S: !Ref Stage', { parameters: { Stage: 'prod' } })).toEqual({ S: 'prod' });
  });

  it('checks a list parameter\'s AllowedValues and AllowedPattern against each of its values, and names a bad pattern', () => {
    const template = (constraints: string) => `Parameters:
  Zones: { Type: CommaDelimitedList, Default: "a,b", ${constraints} }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { Z: !Join [':', !Ref Zones] } } }
`;
    const load = (constraints: string, parameters: Record<string, string> = {}) => {
      const dir = projectDir({ 'template.yaml': template(constraints) }, ['app.mjs']);
      return projectConfig(dir, { template: 'template.yaml', parameters }).functions.Fn.environment;
    };
    expect(load('AllowedValues: [a, b, c]')).toEqual({ Z: 'a:b' });
    expect(load('AllowedPattern: "[a-c]"', { Zones: 'c, a' })).toEqual({ Z: 'c:a' });
    expect(() => load('AllowedValues: [a, b]', { Zones: 'a,x' })).toThrow(/Parameters\.Zones: "x" is not one of its AllowedValues \(a, b\)/);
    expect(() => load('AllowedPattern: "[a-c]"', { Zones: 'a,bb' })).toThrow(/Parameters\.Zones: "bb" does not match its AllowedPattern \[a-c\]/);
    expect(() => load('AllowedPattern: "([a-c"')).toThrow(/template\.yaml: Parameters\.Zones\.AllowedPattern: is not a valid regular expression/);
  });

  it('checks MinLength, MaxLength, a Number\'s text, MinValue and MaxValue, as CloudFormation does', () => {
    const load = (parameters: Record<string, string>) => {
      const dir = projectDir({ 'template.yaml': `Parameters:
  Name: { Type: String, Default: orders, MinLength: 3, MaxLength: 8 }
  Size: { Type: Number, Default: 256, MinValue: 128, MaxValue: 10240 }
  Sizes: { Type: List<Number>, Default: "1,2" }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, MemorySize: !Ref Size, Environment: { Variables: { NAME: !Ref Name } } }
` }, ['app.mjs']);
      return projectConfig(dir, { template: 'template.yaml', parameters }).functions.Fn;
    };
    expect(load({})).toMatchObject({ memorySize: 256, environment: { NAME: 'orders' } });
    expect(() => load({ Name: 'ab' })).toThrow(/Parameters\.Name: "ab" is shorter than its MinLength 3/);
    expect(() => load({ Name: 'much-too-long' })).toThrow(/Parameters\.Name: "much-too-long" is longer than its MaxLength 8/);
    expect(() => load({ Size: 'big' })).toThrow(/Parameters\.Size: "big" is not a number \(Type Number\)/);
    expect(() => load({ Size: '64' })).toThrow(/Parameters\.Size: 64 is below its MinValue 128/);
    expect(() => load({ Size: '20000' })).toThrow(/Parameters\.Size: 20000 is above its MaxValue 10240/);
    expect(() => load({ Sizes: '1,x' })).toThrow(/Parameters\.Sizes: "x" is not a number \(Type List<Number>\)/);
  });

  it('an AWS::SSM::Parameter::Value parameter is an error where it is used, unless given a value; unused, it stops nothing', () => {
    const load = (variables: string, parameters: Record<string, string> = {}) => {
      const dir = projectDir({ 'template.yaml': `Parameters:
  Secret: { Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/secret }
  Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: ${variables} } }
` }, ['app.mjs']);
      return projectConfig(dir, { template: 'template.yaml', parameters }).functions.Fn.environment;
    };
    expect(load('{ PLAIN: x }')).toEqual({ PLAIN: 'x' });
    expect(() => load('{ SECRET: !Ref Secret }')).toThrow(/Variables\.SECRET\.Ref: parameter Secret \(AWS::SSM::Parameter::Value<String>\) is read from SSM Parameter Store \(\/app\/secret\) on AWS: pass its value/);
    expect(() => load("{ SECRET: !Sub 'x-\${Secret}' }")).toThrow(/is read from SSM Parameter Store/);
    expect(load('{ SECRET: !Ref Secret }', { Secret: 's3cr3t' })).toEqual({ SECRET: 's3cr3t' });
  });

  it('never resolves properties that do not apply locally (IAM policies), and says they are ignored', () => {
    const dir = projectDir({
      'template.yaml': withVariables('          A: b', `      Policies:
        - Statement: [{ Effect: Allow, Action: '*', Resource: !GetAtt SomethingUnknown.Arn }]
      Tracing: Active
      VpcConfig: { SubnetIds: !Cidr [x] }`),
    }, ['src/app.mjs']);
    const config = projectConfig(dir, { template: 'template.yaml' });
    expect(config.project!.warnings).toContain('Resources.Fn: Policies, Tracing, VpcConfig not applied locally');
  });

  it('reads every YAML short tag as SAM CLI does (!X is Fn::X): one the hub lacks stops nothing where it is not read, and is named where it is', () => {
    const dir = projectDir({
      'template.yaml': withVariables('          A: b', `  Dashboard:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !ToJsonString { widgets: [{ type: metric, properties: { metrics: [[AWS/SQS, NumberOfMessagesSent, QueueName, !GetAtt Orders.QueueName]] } }] }
      Owners: !Length [a, b]`),
    }, ['src/app.mjs']);
    expect(projectConfig(dir, { template: 'template.yaml' }).functions.Fn.environment).toEqual({ A: 'b' });
    expect(failure('          X: !Length [a, b]')).toMatch(/template\.yaml: Resources\.Fn\.Properties\.Environment\.Variables\.X: Fn::Length is not supported/);
    expect(failure('          X: !ToJsonString { a: b }')).toMatch(/Variables\.X: Fn::ToJsonString is not supported/);
  });

  it('never resolves the properties of queues, topics, buckets, streams and tables the hub does not read (a KMS KeyId, an export in a tag)', () => {
    const unresolvable = "KmsMasterKeyId: !GetAtt Key.KeyId, Tags: [{ Key: owner, Value: !ImportValue team-name }]";
    const dir = projectDir({
      'template.yaml': `Resources:
  Key: { Type: AWS::KMS::Key, Properties: { KeyPolicy: {} } }
  Queue: { Type: AWS::SQS::Queue, Properties: { VisibilityTimeout: 60, ${unresolvable} } }
  Topic: { Type: AWS::SNS::Topic, Properties: { ${unresolvable}, Subscription: [{ Protocol: sqs, Endpoint: !GetAtt Queue.Arn }] } }
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: !GetAtt Key.KeyId } }] }
      NotificationConfiguration: { LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Function: !GetAtt Fn.Arn }] }
  Stream: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 1, StreamEncryption: { EncryptionType: KMS, KeyId: !GetAtt Key.KeyId } } }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: !GetAtt Key.KeyId }
  Sub: { Type: AWS::SNS::Subscription, Properties: { Protocol: sqs, TopicArn: !Ref Topic, Endpoint: !GetAtt Queue.Arn, DeliveryPolicy: !ImportValue policy } }
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
`,
    }, ['app.mjs']);
    const config = projectConfig(dir, { template: 'template.yaml' });
    expect(config.project!.resources.map((r) => r.logicalId)).toEqual(['Queue', 'Topic', 'Bucket', 'Stream', 'Table']);
    expect(config.project!.resources[0]).toMatchObject({ attributes: { VisibilityTimeout: '60' } });
    expect(config.project!.subscriptions).toHaveLength(2);
    expect(config.functions.Fn.events).toHaveLength(1);
  });
});

describe('hostile templates', () => {
  it('refuses deep nesting with an error naming the path, not a crash', () => {
    let nested = '"x"';
    for (let i = 0; i < 200; i += 1) nested = `{ "Fn::Join": ["", [${nested}]] }`;
    expect(failure(`          DEEP: ${nested}`)).toMatch(/Variables\.DEEP\.Fn::Join.*nests deeper than 64 levels/);
  });

  it('refuses YAML aliases that expand to billions of values (SAM and serverless.yml) instead of walking them', () => {
    // Nine aliases of nine aliases, ten levels: 9^10 values from a dozen lines.
    const levels = 'bcdefghij'.split('');
    const anchors = ['  a: &a [x, x, x, x, x, x, x, x, x]', ...levels.map((name, i) => `  ${name}: &${name} [${Array(9).fill(`*${i ? levels[i - 1] : 'a'}`).join(', ')}]`)];
    const sam = projectDir({ 'template.yaml': `Metadata:\n${anchors.join('\n')}
Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { A: *j } } } }
` }, ['app.mjs']);
    expect(() => projectConfig(sam, { template: 'template.yaml' })).toThrow(/template\.yaml: holds more than 2000000 values once its YAML aliases \(\*name\) are expanded/);
    const sls = projectDir({ 'serverless.yml': `service: svc\ncustom:\n${anchors.join('\n')}
provider: { name: aws, runtime: nodejs20.x }
functions:
  fn:
    handler: app.handler
    environment: { A: '\${self:custom.j}' }
` }, ['app.mjs']);
    expect(() => projectConfig(sls, { serverless: 'serverless.yml' })).toThrow(/serverless\.yml: holds more than 2000000 values/);
  });

  it('a template whose Resources is missing, null or a list is an error naming it, not an empty project', () => {
    for (const [text, got] of [['Description: x\n', 'none'], ['Resources:\n', 'null'], ['Resources: [a, b]\n', 'a list']]) {
      const dir = projectDir({ 'template.yaml': text });
      expect(() => projectConfig(dir, { template: 'template.yaml' })).toThrow(`template.yaml: Resources: is required: a mapping of logical ids to resources (got ${got})`);
    }
  });

  it('Globals that is not a mapping, and a function without Handler, are errors naming them (Handler was reported as the hub\'s functions.X.handler)', () => {
    const fn = (props: string) => `  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: ., Runtime: nodejs20.x${props} }\n`;
    const load = (text: string) => () => projectConfig(projectDir({ 'template.yaml': text }, ['app.mjs']), { template: 'template.yaml' });
    expect(load(`Globals: [Function]\nResources:\n${fn(', Handler: app.handler')}`)).toThrow('template.yaml: Globals: must be a mapping of sections');
    expect(load(`Globals:\n  Function: 30\nResources:\n${fn(', Handler: app.handler')}`)).toThrow('template.yaml: Globals.Function: must be a mapping of properties');
    expect(load(`Resources:\n${fn('')}`)).toThrow('template.yaml: Resources.Fn.Properties.Handler: is required');
    expect(load(`Globals:\n  Function: { Handler: app.handler }\nResources:\n${fn('')}`)()).toMatchObject({ functions: { Fn: { handler: 'app.handler' } } });
  });

  it('Fn::ForEach (AWS::LanguageExtensions) and Fn::Transform (AWS::Include) in Resources are errors saying they are not applied and what to do (they were "must be an object with a Type")', () => {
    const load = (resources: string) => () => projectConfig(projectDir({ 'template.yaml': `Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:\n${resources}` }), { template: 'template.yaml' });
    expect(load(`  Fn::ForEach::Queues:
    - Name
    - [Orders, Refunds]
    - \${Name}Queue: { Type: AWS::SQS::Queue }
`)).toThrow('template.yaml: Resources.Fn::ForEach::Queues: Fn::ForEach is not supported locally: it is expanded by the AWS::LanguageExtensions transform, which the hub does not apply: write out the resources the loop makes, one per item');
    expect(load(`  Fn::Transform:
    Name: AWS::Include
    Parameters: { Location: s3://bucket/resources.yaml }
`)).toThrow('template.yaml: Resources.Fn::Transform: Fn::Transform (AWS::Include) is not applied locally: copy the resources it includes (AWS::Include\'s snippet) into the template\'s Resources');
  });

  it('a template over CloudFormation\'s 1 MB is refused with its size, not loaded (a 5 MB one created thousands of topics)', () => {
    const topics = Array.from({ length: 40000 }, (_, i) => `  T${i}: { Type: AWS::SNS::Topic }`).join('\n');
    const dir = projectDir({ 'template.yaml': `Resources:\n${topics}\n` });
    expect(() => projectConfig(dir, { template: 'template.yaml' })).toThrow(/template\.yaml: is 1\.\d MB: CloudFormation takes templates up to 1 MB, and so does the hub/);
  });

  it('a queue, topic, bucket, stream or table name AWS would refuse is an error naming the property, before any emulator starts', () => {
    const refused = (resource: string) => {
      const dir = projectDir({ 'template.yaml': `Resources:\n  R: ${resource}\n` });
      return () => projectConfig(dir, { template: 'template.yaml' });
    };
    expect(refused('{ Type: AWS::SQS::Queue, Properties: { QueueName: "my queue!" } }')).toThrow(/template\.yaml: Resources\.R\.Properties\.QueueName: "my queue!" is not a valid name: letters, digits, - and _/);
    expect(refused('{ Type: AWS::SQS::Queue, Properties: { QueueName: jobs, FifoQueue: true } }')).toThrow(/Resources\.R\.Properties\.QueueName: "jobs": a FIFO name ends in \.fifo/);
    expect(refused(`{ Type: AWS::SNS::Topic, Properties: { TopicName: ${'t'.repeat(257)} } }`)).toThrow(/Resources\.R\.Properties\.TopicName: "t+" is 257 characters: at most 256/);
    expect(refused('{ Type: AWS::S3::Bucket, Properties: { BucketName: My_Bucket } }')).toThrow(/Resources\.R\.Properties\.BucketName: "My_Bucket" is not a valid name: at least 3 of lower-case letters/);
    expect(refused('{ Type: AWS::Kinesis::Stream, Properties: { Name: "a/b" } }')).toThrow(/Resources\.R\.Properties\.Name: "a\/b" is not a valid name/);
    expect(refused('{ Type: AWS::DynamoDB::Table, Properties: { TableName: ab, KeySchema: [{ AttributeName: id, KeyType: HASH }], AttributeDefinitions: [{ AttributeName: id, AttributeType: S }] } }')).toThrow(/Resources\.R\.Properties\.TableName: "ab" is not a valid name: at least 3/);
    expect(refused('{ Type: AWS::DynamoDB::GlobalTable, Properties: { TableName: ab, KeySchema: [{ AttributeName: id, KeyType: HASH }], AttributeDefinitions: [{ AttributeName: id, AttributeType: S }], Replicas: [{ Region: us-east-1 }] } }')).toThrow(/Resources\.R\.Properties\.TableName: "ab" is not a valid name: at least 3/);
    expect(refused('{ Type: AWS::SQS::Queue, Properties: { QueueName: jobs.fifo, FifoQueue: true } }')).not.toThrow();
  });

  it('YAML nested thousands of levels deep is an error naming the file, not a stack overflow', () => {
    const dir = projectDir({ 'template.yaml': `Resources:\n  Q: { Type: AWS::SQS::Queue, Properties: { Tags: ${'['.repeat(5000)}${']'.repeat(5000)} } }\n` });
    expect(() => projectConfig(dir, { template: 'template.yaml' })).toThrow(/template\.yaml: not valid YAML or JSON: it nests too deeply to read/);
  });

  it('treats __proto__ and constructor as plain names', () => {
    const dir = projectDir({
      'template.yaml': `Parameters:
  constructor: { Type: String, Default: c }
Mappings:
  __proto__: { polluted: { yes: "1" } }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
          A: !Ref constructor
          B: !FindInMap [__proto__, polluted, "yes"]
`,
    }, ['app.mjs']);
    expect(projectConfig(dir, { template: 'template.yaml' }).functions.Fn.environment).toEqual({ A: 'c', B: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => projectConfig(dir, { template: 'template.yaml', parameters: { toString: 'x' } })).toThrow(/parameters\.toString: the template declares no parameter toString/);
  });

  it('a function named __proto__ is refused by name, not lost; constructor runs as itself', () => {
    const sam = projectDir({ 'template.yaml': `Resources:
  __proto__: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
  Other: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, FunctionName: constructor } }
` }, ['app.mjs']);
    expect(() => projectConfig(sam, { template: 'template.yaml' })).toThrow(/template\.yaml: function __proto__: this name cannot be used locally/);
    const sls = projectDir({ 'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  constructor: { handler: app.handler }
  __proto__: { handler: app.handler }
` }, ['app.mjs']);
    expect(() => projectConfig(sls, { serverless: 'serverless.yml' })).toThrow(/serverless\.yml: function __proto__: this name cannot be used locally/);
    const ok = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  constructor: { handler: app.handler }\n' }, ['app.mjs']);
    expect(Object.keys(projectConfig(ok, { serverless: 'serverless.yml' }).functions)).toEqual(['constructor']);
  });

  it('an environment variable named __proto__ is refused by name, not dropped (SAM, over Globals too, and serverless.yml)', () => {
    const sam = projectDir({ 'template.yaml': `Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { __proto__: x, OK: y } } } }
` }, ['app.mjs']);
    expect(() => projectConfig(sam, { template: 'template.yaml' })).toThrow(/Resources\.Fn\.Properties\.Environment\.Variables \(functions\.Fn\.environment\.__proto__\): this name cannot be used; rename it/);
    // Merged over Globals' variables too, not dropped by the merge.
    const merged = projectDir({ 'template.yaml': `Globals: { Function: { Environment: { Variables: { A: a } } } }
Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { __proto__: x, OK: y } } } }
` }, ['app.mjs']);
    expect(() => projectConfig(merged, { template: 'template.yaml' })).toThrow(/Resources\.Fn\.Properties\.Environment\.Variables \(functions\.Fn\.environment\.__proto__\): this name cannot be used; rename it/);
    const sls = projectDir({ 'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x, environment: { __proto__: x } }
functions:
  fn: { handler: app.handler }
` }, ['app.mjs']);
    expect(() => projectConfig(sls, { serverless: 'serverless.yml' })).toThrow(/functions\.fn\.environment\.__proto__: this name cannot be used; rename it/);
  });
});
