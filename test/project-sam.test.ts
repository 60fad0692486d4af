import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { neededServices } from '../src/cloud/local-cloud.js';
import { functionConfiguration } from '../src/server/function-configuration.js';
import { projectConfig, projectDir } from './helpers/template-project.js';

const QUEUE_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
    Runtime: nodejs20.x
    MemorySize: 256
    Environment:
      Variables: { LOG_LEVEL: info, TABLE: global }
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: !GetAtt OrdersDLQ.Arn, maxReceiveCount: 3 }
  OrdersDLQ:
    Type: AWS::SQS::Queue
  Failures:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{ Protocol: sqs, Endpoint: !GetAtt OrdersDLQ.Arn }]
  ProcessOrders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/processor/
      Handler: index.handler
      Timeout: 30
      ReservedConcurrentExecutions: 5
      Architectures: [arm64]
      Environment:
        Variables: { TABLE: orders }
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        MaximumEventAgeInSeconds: 600
        DestinationConfig:
          OnSuccess: { Type: Lambda, Destination: !GetAtt Audit.Arn }
          OnFailure: { Type: SNS, Destination: !Ref Failures }
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt OrdersQueue.Arn
            BatchSize: 20
            MaximumBatchingWindowInSeconds: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig: { MaximumConcurrency: 4 }
        Nightly:
          Type: Schedule
          Properties: { Schedule: cron(0 3 * * ? *), Input: '{"job":"nightly"}' }
        Every5:
          Type: ScheduleV2
          Properties: { ScheduleExpression: rate(5 minutes), ScheduleExpressionTimezone: Europe/Berlin, State: DISABLED }
  Audit:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/audit/
      Handler: index.handler
      DeadLetterQueue: { Type: SQS, TargetArn: !GetAtt OrdersDLQ.Arn }
      Events:
        Topic: { Type: SNS, Properties: { Topic: !Ref Failures, FilterPolicy: { kind: [order] } } }
        Viaqueue: { Type: SNS, Properties: { Topic: !Ref Failures, SqsSubscription: true } }
        Api: { Type: HttpApi, Properties: { Path: '/audit/{id}', Method: get } }
        Any: { Type: HttpApi }
`;

function load(template: string, handlers: string[], raw: Record<string, unknown> = {}) {
  const dir = projectDir({ 'app/template.yaml': template }, handlers.map((h) => `app/${h}`));
  return { dir: `${dir}/app`, config: projectConfig(`${dir}/app`, { template: 'template.yaml', ...raw }) };
}

describe('SAM template loader', () => {
  it('maps function properties, Globals and events onto the hub model', () => {
    const { dir, config } = load(QUEUE_TEMPLATE, ['src/processor/index.mjs', 'src/audit/index.mjs']);
    const fn = config.functions.ProcessOrders;
    expect(fn).toMatchObject({
      handler: 'index.handler', runtime: 'nodejs20.x', timeout: 30, memorySize: 256, reservedConcurrency: 5,
      environment: { LOG_LEVEL: 'info', TABLE: 'orders' },
      taskRoot: `${dir}/src/processor`, handlerFile: `${dir}/src/processor/index.mjs`,
      maximumRetryAttempts: 1, maximumEventAgeInSeconds: 600,
      destinations: { onSuccess: 'arn:aws:lambda:us-east-1:000000000000:function:Audit', onFailure: 'arn:aws:sns:us-east-1:000000000000:app-Failures' },
    });
    expect(fn.events).toEqual([
      { sqs: expect.objectContaining({ queue: 'arn:aws:sqs:us-east-1:000000000000:app-OrdersQueue', batchSize: 20, maximumBatchingWindowInSeconds: 2, functionResponseTypes: ['ReportBatchItemFailures'], maximumConcurrency: 4 }) },
      { schedule: expect.objectContaining({ expression: 'cron(0 3 * * ? *)', enabled: true, input: { job: 'nightly' }, timezone: 'UTC' }) },
      { schedule: expect.objectContaining({ expression: 'rate(5 minutes)', enabled: false, timezone: 'Europe/Berlin' }) },
    ]);
    const audit = config.functions.Audit;
    expect(audit.timeout).toBe(10);
    // A dead-letter queue stays one (it gets the event itself); it is not the on-failure destination.
    expect(audit.destinations).toEqual({});
    expect(audit.deadLetterQueue).toBe('arn:aws:sqs:us-east-1:000000000000:app-OrdersDLQ');
    expect(audit.events).toEqual([
      { sns: expect.objectContaining({ topic: 'arn:aws:sns:us-east-1:000000000000:app-Failures' }) },
      { sqs: expect.objectContaining({ queue: 'arn:aws:sqs:us-east-1:000000000000:app-AuditViaqueueQueue' }) },
      { http: expect.objectContaining({ path: '/audit/{id}', methods: ['GET'] }) },
      { http: expect.objectContaining({ path: '$default', methods: ['ANY'] }) },
    ]);
  });

  it('applies a function\'s LoggingConfig (Globals too) and says SystemLogLevel is not applied', () => {
    const template = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    LoggingConfig: { LogFormat: JSON }
Resources:
  Plain:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src, Handler: index.handler, Runtime: nodejs20.x }
  Debug:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: index.handler
      Runtime: python3.12
      LoggingConfig: { LogFormat: JSON, ApplicationLogLevel: DEBUG, SystemLogLevel: WARN, LogGroup: /custom/debug }
`;
    const { config } = load(template, ['src/index.mjs', 'src/index.py']);
    expect(config.functions.Plain.loggingConfig).toEqual({ logFormat: 'JSON' });
    expect(config.functions.Debug.loggingConfig).toEqual({ logFormat: 'JSON', applicationLogLevel: 'DEBUG', logGroup: '/custom/debug' });
    expect(config.project!.warnings).toContain('Resources.Debug.Properties.LoggingConfig.SystemLogLevel not applied locally');
    expect(config.project!.warnings.join('\n')).not.toMatch(/LoggingConfig not applied/);
  });

  it('declares the resources the local cloud creates, with redrive policies and subscriptions', () => {
    const { config } = load(QUEUE_TEMPLATE, ['src/processor/index.mjs', 'src/audit/index.mjs']);
    const project = config.project!;
    expect(project.resources.map((r) => `${r.kind}:${r.name}`)).toEqual([
      'sqs:app-OrdersQueue', 'sqs:app-OrdersDLQ', 'sns:app-Failures', 'sqs:app-AuditViaqueueQueue',
    ]);
    expect(project.resources[0]).toMatchObject({
      attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:app-OrdersDLQ', maxReceiveCount: 3 }) },
    });
    expect(project.subscriptions).toEqual([
      { topicArn: 'arn:aws:sns:us-east-1:000000000000:app-Failures', protocol: 'sqs', endpoint: 'arn:aws:sqs:us-east-1:000000000000:app-OrdersDLQ', rawMessageDelivery: false },
      expect.objectContaining({ protocol: 'lambda', endpoint: 'Audit', filterPolicy: { kind: ['order'] } }),
      expect.objectContaining({ protocol: 'sqs', endpoint: 'arn:aws:sqs:us-east-1:000000000000:app-AuditViaqueueQueue' }),
    ]);
    expect(project.warnings).toEqual([]);
  });

  it("REST API events carry the stage of their RestApiId (SAM implicit API: Prod) and its BinaryMediaTypes (Globals.Api's first, ~1 read as /)", () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Globals:
  Api: { BinaryMediaTypes: ['image~1png'] }
Resources:
  Api: { Type: AWS::Serverless::Api, Properties: { StageName: v1, BinaryMediaTypes: ['application~1pdf', '*~1*'] } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Staged: { Type: Api, Properties: { Path: /items, Method: post, RestApiId: !Ref Api } }
        Implicit: { Type: Api, Properties: { Path: /hello, Method: get } }
`, ['app.mjs']);
    expect(config.functions.Fn.events).toEqual([
      { api: expect.objectContaining({ path: '/items', method: ['POST'], stage: 'v1', binaryMediaTypes: ['image/png', 'application/pdf', '*/*'] }) },
      { api: expect.objectContaining({ path: '/hello', method: ['GET'], stage: 'Prod', binaryMediaTypes: ['image/png'] }) },
    ]);
  });

  it('a function whose runtime does not run here (java21, from Globals too) is left out with a warning; the rest runs', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: java21 }
Resources:
  Report: { Type: AWS::Serverless::Function, Properties: { CodeUri: ., Handler: 'report.App::handleRequest' } }
  Fn: { Type: AWS::Serverless::Function, Properties: { CodeUri: ., Handler: app.handler, Runtime: nodejs20.x } }
`, ['app.mjs']);
    expect(Object.keys(config.functions)).toEqual(['Fn']);
    expect(config.project!.warnings).toEqual([expect.stringMatching(/^Resources\.Report: not loaded: runtime java21 does not run here/)]);
  });

  it('Api and HttpApi events carry their TimeoutInMillis (a Number parameter too) as the route\'s integration timeout', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Parameters:
  Patience: { Type: Number, Default: 5000 }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Rest: { Type: Api, Properties: { Path: /items, Method: get, TimeoutInMillis: 12000 } }
        Http: { Type: HttpApi, Properties: { Path: /h, Method: get, TimeoutInMillis: !Ref Patience } }
        Default: { Type: HttpApi, Properties: { Path: /d, Method: get } }
`, ['app.mjs']);
    expect(config.functions.Fn.events).toEqual([
      { api: expect.objectContaining({ path: '/items', timeoutInMillis: 12_000 }) },
      { http: expect.objectContaining({ path: '/h', timeoutInMillis: 5000 }) },
      { http: expect.objectContaining({ path: '/d', timeoutInMillis: 30_000 }) },
    ]);
  });

  it('attaches event source mappings, invoke configs, schedule rules, topic subscriptions and bucket notifications', () => {
    const { config } = load(`Resources:
  Stream: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 1 } }
  Dlq: { Type: AWS::SQS::Queue }
  Topic:
    Type: AWS::SNS::Topic
    Properties: { Subscription: [{ Protocol: lambda, Endpoint: !GetAtt Worker.Arn }] }
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: uploads-bucket
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Worker.Arn
            Filter: { S3Key: { Rules: [{ Name: prefix, Value: in/ }, { Name: suffix, Value: .jpg }] } }
  Worker:
    Type: AWS::Lambda::Function
    Properties: { Code: ./worker, Handler: index.handler, Runtime: nodejs20.x, Role: !GetAtt Role.Arn }
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Stream.Arn
      StartingPosition: TRIM_HORIZON
      BisectBatchOnFunctionError: true
      MaximumRetryAttempts: 3
      DestinationConfig: { OnFailure: { Destination: !GetAtt Dlq.Arn } }
  InvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties: { FunctionName: !Ref Worker, Qualifier: $LATEST, MaximumRetryAttempts: 0 }
  Tick:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets: [{ Id: w, Arn: !GetAtt Worker.Arn, Input: '{"tick":true}' }]
`, ['worker/index.mjs']);
    const worker = config.functions.Worker;
    expect(worker.maximumRetryAttempts).toBe(0);
    // Template order of the attaching resources.
    expect(worker.events).toEqual([
      { sns: expect.objectContaining({ topic: 'arn:aws:sns:us-east-1:000000000000:app-Topic' }) },
      { s3: expect.objectContaining({ bucket: 'uploads-bucket', events: ['s3:ObjectCreated:*'], filter: { prefix: 'in/', suffix: '.jpg' } }) },
      { kinesis: expect.objectContaining({ stream: 'app-Stream', startingPosition: 'TRIM_HORIZON', bisectBatchOnFunctionError: true, maximumRetryAttempts: 3, destinations: { onFailure: 'arn:aws:sqs:us-east-1:000000000000:app-Dlq' } }) },
      { schedule: expect.objectContaining({ expression: 'rate(1 hour)', input: { tick: true } }) },
    ]);
  });

  it("an SNS subscription, rule target or destination naming a function ARN of another region, account or partition is an error naming it, not the project's function of that name", () => {
    const template = (arn: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  Worker: { Type: AWS::Serverless::Function, Properties: { Handler: index.handler, Runtime: nodejs20.x } }
  Topic: { Type: AWS::SNS::Topic, Properties: { Subscription: [{ Protocol: lambda, Endpoint: '${arn}' }] } }
`;
    const arn = (home: string) => `arn:${home}:function:Worker`;
    expect(load(template(arn('aws:lambda:us-east-1:000000000000')), ['index.mjs']).config.functions.Worker.events).toEqual([{ sns: expect.anything() }]);
    for (const [home, why] of [
      ['aws:lambda:eu-west-1:000000000000', "region eu-west-1, not the hub's us-east-1"],
      ['aws:lambda:us-east-1:123456789012', "account 123456789012, not the hub's 000000000000"],
      ['aws-us-gov:lambda:us-east-1:000000000000', "partition aws-us-gov, not the hub's aws (region us-east-1)"],
    ]) {
      expect(() => load(template(arn(home)), ['index.mjs'])).toThrow(`Resources.Topic.Properties.Subscription[0].Endpoint: ${arn(home)} is a function of ${why}, not of this project`);
    }
    const rule = `Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      EventInvokeConfig: { DestinationConfig: { OnFailure: { Type: Lambda, Destination: 'arn:aws:lambda:eu-west-1:000000000000:function:Worker' } } }
`;
    expect(() => load(rule, ['index.mjs'])).toThrow('Resources.Worker.Properties.EventInvokeConfig.DestinationConfig (functions.Worker.destinations.onFailure): "arn:aws:lambda:eu-west-1:000000000000:function:Worker" is a function of region eu-west-1');
  });

  it('resolves template layers to their local ContentUri; a published layer ARN (Powertools) is left out with a warning, and the function runs', () => {
    const template = (layer: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  Deps: { Type: AWS::Serverless::LayerVersion, Properties: { ContentUri: layers/deps } }
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Layers: [${layer}] } }
`;
    const { dir, config } = load(template('!Ref Deps'), ['app.mjs', 'layers/deps/nodejs/node_modules/x/index.js']);
    expect(config.functions.Fn.layers).toEqual([`${dir}/layers/deps`]);
    // As serverless-patterns apigw-sqs-lambda-ddb attaches Powertools.
    const published = load(template('!Ref Deps, arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:32'), ['app.mjs', 'layers/deps/nodejs/x.js']);
    expect(published.config.functions.Fn.layers).toEqual([`${published.dir}/layers/deps`]);
    expect(published.config.project!.warnings).toContain('Resources.Fn.Properties.Layers[1]: layer arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:32 is not attached locally (the hub cannot fetch a published layer): install what it provides in the project, or declare it as AWS::Serverless::LayerVersion with a local ContentUri');
  });

  it('reports a template layer\'s ARN with its LayerName, else its logical id (SAM\'s default), not its directory, as its Ref gives it', () => {
    const { dir, config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Utils: { Type: AWS::Serverless::LayerVersion, Properties: { LayerName: shared-utils, ContentUri: layers/common } }
  Deps: { Type: AWS::Serverless::LayerVersion, Properties: { ContentUri: layers/deps } }
  Raw: { Type: AWS::Lambda::LayerVersion, Properties: { LayerName: raw-layer, Content: layers/raw } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Layers: [!Ref Utils, !Ref Deps, !Ref Raw]
      Environment: { Variables: { DEPS_LAYER: !Ref Deps } }
`, ['app.mjs', 'layers/common/nodejs/a.js', 'layers/deps/nodejs/b.js', 'layers/raw/nodejs/c.js']);
    const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:layer:${name}:1`;
    expect(config.functions.Fn.layers).toEqual(['common', 'deps', 'raw'].map((layer) => `${dir}/layers/${layer}`));
    expect(functionConfiguration(config, config.functions.Fn).Layers).toEqual([
      { Arn: arn('shared-utils'), CodeSize: expect.any(Number) },
      { Arn: arn('Deps'), CodeSize: expect.any(Number) },
      { Arn: arn('raw-layer'), CodeSize: expect.any(Number) },
    ]);
    expect(config.functions.Fn.environment.DEPS_LAYER).toBe(arn('Deps'));
    expect(() => load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Utils: { Type: AWS::Serverless::LayerVersion, Properties: { LayerName: shared.utils, ContentUri: layers/common } }
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Layers: [!Ref Utils] } }
`, ['app.mjs', 'layers/common/nodejs/a.js'])).toThrow(/Resources\.Utils\.Properties\.LayerName: "shared\.utils" is not a valid name: letters, digits, - and _/);
  });

  it('layers of one LayerName are versions 1, 2, ... in template order, each with its own content (the second did not take the first\'s)', () => {
    const { dir, config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Old: { Type: AWS::Serverless::LayerVersion, Properties: { LayerName: shared, ContentUri: layers/old } }
  New: { Type: AWS::Lambda::LayerVersion, Properties: { LayerName: shared, Content: layers/new } }
  A: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Layers: [!Ref Old] } }
  B: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Layers: [!Ref New], Environment: { Variables: { LAYER: !Ref New } } } }
`, ['app.mjs', 'layers/old/nodejs/a.js', 'layers/new/nodejs/b.js']);
    const arn = (version: number) => `arn:aws:lambda:us-east-1:000000000000:layer:shared:${version}`;
    expect(config.functions.A.layers).toEqual([`${dir}/layers/old`]);
    expect(config.functions.B.layers).toEqual([`${dir}/layers/new`]);
    expect(config.functions.B.environment.LAYER).toBe(arn(2));
    expect(functionConfiguration(config, config.functions.A).Layers).toEqual([{ Arn: arn(1), CodeSize: expect.any(Number) }]);
    expect(functionConfiguration(config, config.functions.B).Layers).toEqual([{ Arn: arn(2), CodeSize: expect.any(Number) }]);
  });

  it("a layer name in both the config's layers: and the template is an error naming both, unless both name one directory", () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Utils: { Type: AWS::Serverless::LayerVersion, Properties: { LayerName: shared-utils, ContentUri: layers/common } }
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Layers: [!Ref Utils] } }
`;
    const files = ['app.mjs', 'layers/common/nodejs/a.js', 'vendor/nodejs/b.js'];
    // Else the config's entry took the name and the template's layer was reported under its directory's (common).
    expect(() => load(template, files, { layers: { 'shared-utils': 'vendor' } }))
      .toThrow(/^layers\.shared-utils: declared in the config \("vendor"\) and also by \S+\/app\/template\.yaml \(\S+\/app\/layers\/common\); rename one$/);
    const { dir, config } = load(template, files, { layers: { 'shared-utils': './layers/common/' } });
    expect(functionConfiguration(config, config.functions.Fn).Layers).toEqual([{ Arn: 'arn:aws:lambda:us-east-1:000000000000:layer:shared-utils:1', CodeSize: expect.any(Number) }]);
    expect(config.layers['shared-utils']).toBe(`${dir}/layers/common`);
  });

  it('skips functions without local code and events with no local trigger, saying so', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Inline: { Type: AWS::Lambda::Function, Properties: { Handler: index.handler, Runtime: nodejs20.x, Code: { ZipFile: 'exports.handler = 1' } } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Bus: { Type: EventBridgeRule, Properties: { Pattern: { source: [x] } } }
        Iot: { Type: IoTRule, Properties: { Sql: select } }
`, ['app.mjs']);
    expect(Object.keys(config.functions)).toEqual(['Fn']);
    expect(config.functions.Fn.events).toEqual([]);
    expect(config.project!.warnings).toEqual([
      expect.stringMatching(/^Resources\.Inline: not loaded: only functions with local code run/),
      expect.stringMatching(/Events\.Bus\.Properties: EventBridgeRule \(event patterns on a bus\) events are not supported locally/),
      expect.stringMatching(/Events\.Iot\.Properties: IoTRule events are not supported locally/),
    ]);
  });

  it('state machines, nested stacks, API Gateway routes declared as resources and Pipes, which call functions on AWS, are one warning per type naming them', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
  Trading:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/trader.asl.json
      DefinitionSubstitutions: { FnArn: !GetAtt Fn.Arn }
      Events: { Hourly: { Type: Schedule, Properties: { Schedule: rate(1 hour) } } }
  Shared: { Type: AWS::Serverless::Application, Properties: { Location: ./shared/template.yaml } }
  GetItems: { Type: AWS::ApiGateway::Method, Properties: { HttpMethod: GET } }
  PutItems: { Type: AWS::ApiGateway::Method, Properties: { HttpMethod: PUT } }
  Pipe: { Type: AWS::Pipes::Pipe, Properties: { Target: !GetAtt Fn.Arn } }
  Role: { Type: AWS::IAM::Role, Properties: {} }
`, ['app.mjs']);
    expect(config.functions.Fn.events).toEqual([]);
    expect(config.project!.warnings).toEqual([
      'Resources.Trading (AWS::Serverless::StateMachine): state machines are not run locally: the functions they call run only when invoked directly',
      'Resources.Shared (AWS::Serverless::Application): nested stacks are not loaded: their functions and resources do not run locally',
      "Resources.GetItems, Resources.PutItems (AWS::ApiGateway::Method): API Gateway routes declared as resources are not served locally (a function's Api and HttpApi events are)",
      'Resources.Pipe (AWS::Pipes::Pipe): EventBridge Pipes are not run locally: their targets get no events',
    ]);
  });

  it('an esbuild function (Metadata.BuildMethod esbuild) runs the EntryPoints source its Handler names, as sam build bundles it', () => {
    // Reduced from aws-samples/serverless-patterns dynamodb-streams-lambda-eventbridge-sam-node.
    const esbuild = (entries: string) => `{ BuildMethod: esbuild, BuildProperties: { Minify: true, EntryPoints: ${entries} } }`;
    const { dir, config } = load(`Transform: AWS::Serverless-2016-10-31
Globals: { Function: { Runtime: nodejs22.x } }
Resources:
  Stream: { Type: AWS::Serverless::Function, Metadata: ${esbuild('[src/handler.ts]')}, Properties: { Handler: handler.handler } }
  Orders: { Type: AWS::Serverless::Function, Metadata: ${esbuild('[src/orders/index.ts, src/users/index.ts]')}, Properties: { Handler: orders/index.handler } }
  Plain: { Type: AWS::Serverless::Function, Metadata: ${esbuild('[app.ts]')}, Properties: { CodeUri: hello, Handler: app.lambdaHandler } }
  Module: { Type: AWS::Serverless::Function, Metadata: ${esbuild('[index.mts]')}, Properties: { CodeUri: mts, Handler: index.handler } }
`, ['src/handler.ts', 'src/orders/index.ts', 'src/users/index.ts', 'hello/app.ts', 'mts/index.mts']);
    expect(config.functions.Stream.handlerFile).toBe(`${dir}/src/handler.ts`);
    expect(config.functions.Orders.handlerFile).toBe(`${dir}/src/orders/index.ts`);
    expect(config.functions.Plain.handlerFile).toBe(`${dir}/hello/app.ts`);
    // serverless-patterns appsync-bedrock-streaming-sam: an .mts entry point.
    expect(config.functions.Module.handlerFile).toBe(`${dir}/mts/index.mts`);
  });

  it('a key given twice in one mapping takes the last value, as SAM CLI (PyYAML) reads and deploys the template, with a warning naming the line', () => {
    // Reduced from aws-samples/serverless-patterns lambda-streaming-sdk-sam (Outputs) and cognito-sns-sms-origination-id-sam.
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Timeout: 3
      Timeout: 9
Outputs:
  Fn: { Value: !GetAtt Fn.Arn }
  Fn: { Value: !GetAtt FnRole.Arn }
`, ['app.mjs']);
    expect(config.functions.Fn.timeout).toBe(9);
    expect(config.project!.warnings).toEqual(['line 9: a mapping key given twice (the first of them): the last value is used, as SAM CLI reads the template']);
  });

  it('a Kinesis event on an enhanced fan-out consumer (!GetAtt Consumer.ConsumerARN) reads the consumer\'s stream', () => {
    // Reduced from aws-samples/serverless-patterns kinesis-lambda-efo.
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  KinesisStream: { Type: AWS::Kinesis::Stream, Properties: { ShardCount: 1 } }
  ApplicationConsumer: { Type: AWS::Kinesis::StreamConsumer, Properties: { StreamARN: !GetAtt KinesisStream.Arn, ConsumerName: ApplicationConsumer } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Environment: { Variables: { CONSUMER: !GetAtt ApplicationConsumer.ConsumerARN } }
      Events: { Stream: { Type: Kinesis, Properties: { Stream: !GetAtt ApplicationConsumer.ConsumerARN, StartingPosition: LATEST, BatchSize: 100 } } }
`, ['app.mjs']);
    expect(config.functions.Fn.environment.CONSUMER).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/app-KinesisStream/consumer/ApplicationConsumer:1');
    expect(config.functions.Fn.events).toEqual([{ kinesis: expect.objectContaining({ stream: 'app-KinesisStream', startingPosition: 'LATEST', batchSize: 100 }) }]);
    expect(config.project!.warnings).toEqual([]);
  });

  it('a function whose CodeUri is a local .zip is left out with a warning naming it, and the rest of the template runs', () => {
    // Reduced from aws-samples/serverless-patterns api-sqs-lambda-python (CodeUri: src/index.zip).
    const { dir, config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Zipped: { Type: AWS::Serverless::Function, Properties: { CodeUri: src/index.zip, Handler: index.handler, Runtime: python3.12 } }
  Node: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
`, ['app.mjs', 'src/index.zip']);
    expect(Object.keys(config.functions)).toEqual(['Node']);
    expect(config.project!.warnings).toEqual([
      `Resources.Zipped: not loaded: its code ${dir}/src/index.zip is a file (a .zip archive), not a directory: unzip it and point CodeUri at that directory`,
    ]);
  });

  it('an API whose routes an OpenAPI definition declares (DefinitionBody, Body) is named in a warning, not silently left unserved', () => {
    // Reduced from aws-samples/serverless-patterns apigw-http-api-sqs-lambda-sls (AWS::ApiGatewayV2::Api Body) and SAM DefinitionBody APIs.
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Events: { Get: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /a, Method: get } } } } }
  Api: { Type: AWS::Serverless::Api, Properties: { StageName: v1, DefinitionBody: { openapi: 3.0.1, paths: { /b: { post: {} } } } } }
  Http: { Type: AWS::ApiGatewayV2::Api, Properties: { Body: { openapi: 3.0.1 } } }
  Plain: { Type: AWS::Serverless::HttpApi }
`, ['app.mjs']);
    expect(config.functions.Fn.events).toEqual([{ api: expect.objectContaining({ path: '/a', stage: 'v1' }) }]);
    expect(config.project!.warnings).toEqual([
      "Resources.Api.Properties.DefinitionBody (AWS::Serverless::Api): routes of an OpenAPI definition are not served locally (a function's Api and HttpApi events are)",
      "Resources.Http.Properties.Body (AWS::ApiGatewayV2::Api): routes of an OpenAPI definition are not served locally (a function's Api and HttpApi events are)",
    ]);
  });

  it('a custom-runtime function sam build would build (Metadata.BuildMethod go1.x) without a bootstrap is left out with a warning; built, it runs', () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Go:
    Type: AWS::Serverless::Function
    Metadata: { BuildMethod: go1.x }
    Properties: { CodeUri: hello-world/, Handler: bootstrap, Runtime: provided.al2023 }
  Node: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
`;
    const { dir, config } = load(template, ['app.mjs']);
    expect(Object.keys(config.functions)).toEqual(['Node']);
    expect(config.project!.warnings).toEqual([
      `Resources.Go: not loaded: its bootstrap is built by sam build (Metadata.BuildMethod go1.x) and ${dir}/hello-world has none: build it there, or run sam build and then up --template .aws-sam/build/template.yaml`,
    ]);
    mkdirSync(`${dir}/hello-world`);
    writeFileSync(`${dir}/hello-world/bootstrap`, '#!/bin/sh\n', { mode: 0o755 });
    expect(Object.keys(projectConfig(dir, { template: 'template.yaml' }).functions)).toEqual(['Go', 'Node']);
  });

  it('runs the runtimes current templates name (serverless-patterns: nodejs24.x, python3.14), as it runs nodejs22.x', () => {
    const { config } = load(`Resources:
  Node: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs24.x } }
  Py: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: python3.14 } }
`, ['app.mjs', 'app.py']);
    expect(Object.fromEntries(Object.entries(config.functions).map(([name, fn]) => [name, fn.runtime]))).toEqual({ Node: 'nodejs24.x', Py: 'python3.14' });
  });

  it('an event source the project does not declare (a queue, stream or table of another stack) is a warning naming the event: the local cloud does not create it', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs: { Type: AWS::SQS::Queue }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      { Handler: app.handler, Runtime: nodejs20.x, Events: {
        Own: { Type: SQS, Properties: { Queue: !GetAtt Jobs.Arn } },
        Shared: { Type: SQS, Properties: { Queue: 'arn:aws:sqs:us-east-1:123456789012:shared-jobs' } },
        Clicks: { Type: Kinesis, Properties: { Stream: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks', StartingPosition: LATEST } } } }
  Mapping: { Type: AWS::Lambda::EventSourceMapping, Properties: { FunctionName: !Ref Fn, EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000, StartingPosition: LATEST } }
`, ['app.mjs']);
    expect(config.functions.Fn.events).toHaveLength(4);
    expect(config.project!.warnings).toEqual([
      'Resources.Fn.Properties.Events.Shared.Properties: arn:aws:sqs:us-east-1:123456789012:shared-jobs is not declared in this project, so the local cloud does not create it: declare it, or set endpoints.sqs to where it lives',
      'Resources.Fn.Properties.Events.Clicks.Properties: arn:aws:kinesis:us-east-1:123456789012:stream/clicks is not declared in this project, so the local cloud does not create it: declare it, or set endpoints.kinesis to where it lives',
      'Resources.Mapping.Properties: arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000 is not declared in this project, so the local cloud does not create it: declare it, or set endpoints.dynamodb to where it lives',
    ]);
  });

  it('what only AWS can run or knows leaves its part out with a warning, and the rest of the template runs (reduced from aws-samples/serverless-patterns)', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Parameters:
  BucketName: { Type: String, Default: '' }
Conditions:
  HasBucketName: !Not [!Equals [!Ref BucketName, '']]
Resources:
  Payments: { Type: AWS::Serverless::Function, Properties: { CodeUri: java/, Handler: com.example.Handler::handleRequest, Runtime: java21 } }
  Node: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{ Protocol: lambda, Endpoint: !GetAtt Payments.Arn }, { Protocol: lambda, Endpoint: !GetAtt Node.Arn }]
  PaymentsUrl: { Type: AWS::Lambda::Url, Properties: { TargetFunctionArn: !GetAtt Payments.Arn, AuthType: NONE } }
  Graph: { Type: AWS::AppSync::GraphQLApi, Properties: { Name: g, AuthenticationType: API_KEY } }
  ToGraph:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: { source: [orders] }
      Targets: [{ Id: graph, Arn: !GetAtt Graph.GraphQLEndpointArn }]
  Association: { Type: AWS::SSM::Association, Properties: { Name: AWS-RunShellScript } }
  Nightly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: rate(5 minute)
      FlexibleTimeWindow: { Mode: 'OFF' }
      Target: { Arn: !GetAtt Node.Arn, RoleArn: arn:aws:iam::000000000000:role/r, Input: !Sub ['{"id":"\${id}"}', { id: !GetAtt Association.AssociationId }] }
  Hourly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: rate(1 hours)
      FlexibleTimeWindow: { Mode: 'OFF' }
      Target: { Arn: !GetAtt Node.Arn, RoleArn: arn:aws:iam::000000000000:role/r }
  Zipped: { Type: Custom::Zip, Properties: { ServiceToken: !GetAtt Node.Arn } }
  Deps: { Type: AWS::Serverless::LayerVersion, Properties: { ContentUri: { Bucket: !GetAtt Zipped.Bucket, Key: deps.zip } } }
  Uploads: { Type: AWS::S3::Bucket, Properties: { BucketName: !If [HasBucketName, !Ref BucketName, !Ref AWS::NoValue] } }
`, ['app.mjs']);
    expect(Object.keys(config.functions)).toEqual(['Node']);
    expect(config.functions.Node.events).toEqual([
      { sns: expect.objectContaining({ topic: 'arn:aws:sns:us-east-1:000000000000:app-Topic' }) },
      // EventBridge Scheduler deploys rate(5 minute); the unit agrees with the value here.
      { schedule: expect.objectContaining({ expression: 'rate(1 hour)' }) },
    ]);
    // A name that resolves to AWS::NoValue is no name: CloudFormation's generated one.
    expect(config.project!.resources.find((r) => r.logicalId === 'Uploads')?.name).toBe('app-uploads');
    expect(config.project!.warnings).toEqual(expect.arrayContaining([
      'Resources.Topic.Properties.Subscription[0].Endpoint: function Payments (Resources.Payments) is not loaded, so this does not run locally',
      'Resources.PaymentsUrl.Properties.TargetFunctionArn: function Payments (Resources.Payments) is not loaded, so this does not run locally',
      'Resources.ToGraph.Properties.Targets[0].Arn.Fn::GetAtt: AWS::AppSync::GraphQLApi attribute GraphQLEndpointArn (of Graph) is not supported locally: Resources.ToGraph is not attached locally',
      expect.stringMatching(/^Resources\.Nightly\.Properties\.Target\.Input\.Fn::Sub\[1\]\.id\.Fn::GetAtt: AWS::SSM::Association attribute AssociationId .*: Resources\.Nightly is not attached locally$/),
    ]));
  });

  it('AWS_LAMBDA_EXEC_WRAPPER is not run: a warning, and a function whose handler is the wrapper\'s script (the Lambda Web Adapter\'s run.sh) is left out', () => {
    // Reduced from aws-samples/serverless-patterns apigw-rest-api-lambda-python-response-streaming.
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: run.sh, Runtime: python3.12, Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap, PORT: 8080 } } }
  Traced:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-handler } } }
`, ['app.mjs', 'src/run.sh']);
    expect(Object.keys(config.functions)).toEqual(['Traced']);
    expect(config.project!.warnings).toEqual(expect.arrayContaining([
      "Resources.Web: not loaded: its handler run.sh is a script its AWS_LAMBDA_EXEC_WRAPPER (/opt/bootstrap, such as the Lambda Web Adapter's) starts, and the hub runs no wrapper scripts",
      'Resources.Traced.Properties.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER: wrapper scripts are not run locally: the handler runs without /opt/otel-handler',
    ]));
  });

  it('reports a bad function setting where the template has it, with its hub path and the template named', () => {
    expect(() => load(`Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs16.x } }
`, ['app.mjs'])).toThrow(/with .*template\.yaml:\nResources\.Fn\.Properties\.Runtime \(functions\.Fn\.runtime\): must be one of/);
    expect(() => load(`Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: missing.handler, Runtime: nodejs20.x } }
`, ['app.mjs'])).toThrow(/with .*template\.yaml:\nResources\.Fn\.Properties\.Handler \(functions\.Fn\.handler\): no module missing/);
    // Every problem at once, each at the property, event or resource it came from (a named function too).
    expect(() => load(`Resources:
  Jobs: { Type: AWS::SQS::Queue }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-fn
      Handler: app.handler
      Runtime: nodejs20.x
      Timeout: 99999
      Events:
        Jobs: { Type: SQS, Properties: { Queue: !GetAtt Jobs.Arn, BatchSize: 20000, MaximumBatchingWindowInSeconds: 1 } }
  Mapping: { Type: AWS::Lambda::EventSourceMapping, Properties: { FunctionName: !Ref Fn, EventSourceArn: !GetAtt Jobs.Arn, BatchSize: 0 } }
`, ['app.mjs'])).toThrow(new RegExp([
      'Resources\\.Fn\\.Properties\\.Timeout \\(functions\\.orders-fn\\.timeout\\): must be between 1 and 900',
      'Resources\\.Fn\\.Properties\\.Events\\.Jobs \\(functions\\.orders-fn\\.events\\[0\\]\\.sqs\\.batchSize\\): must be between 1 and 10000',
      'Resources\\.Mapping\\.Properties \\(functions\\.orders-fn\\.events\\[1\\]\\.sqs\\.batchSize\\): must be between 1 and 10000',
    ].join('\n')));
    expect(() => load(`Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Events: { Get: { Type: Api, Properties: { Method: get } } } } }
`, ['app.mjs'])).toThrow(/template\.yaml: Resources\.Fn\.Properties\.Events\.Get\.Properties\.Path: must be the resource path/);
  });

  it('a property that resolves to AWS::NoValue is absent, and Number/Boolean parameters feed integer and boolean mapping properties', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev }
  Batch: { Type: Number, Default: 5 }
  Bisect: { Type: String, Default: 'true', AllowedValues: ['true', 'false'] }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function: { Runtime: nodejs20.x, Timeout: 10, MemorySize: 256 }
Resources:
  Q: { Type: AWS::SQS::Queue }
  S: { Type: AWS::Kinesis::Stream }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Timeout: !If [IsProd, 30, !Ref AWS::NoValue]
      ReservedConcurrentExecutions: !Ref AWS::NoValue
      Events:
        Q: { Type: SQS, Properties: { Queue: !GetAtt Q.Arn, BatchSize: !Ref Batch, ScalingConfig: { MaximumConcurrency: !Ref Batch } } }
        K:
          Type: Kinesis
          Properties: { Stream: !GetAtt S.Arn, StartingPosition: LATEST, BatchSize: !Ref Batch, BisectBatchOnFunctionError: !Ref Bisect, MaximumRetryAttempts: !Ref Batch }
`, ['app.mjs']);
    // SAM merges Globals first, then CloudFormation drops the property: Lambda's default, not the global 10.
    expect(config.functions.Fn).toMatchObject({ timeout: 3, memorySize: 256 });
    expect(config.functions.Fn.reservedConcurrency).toBeUndefined();
    expect(config.functions.Fn.events[0]).toMatchObject({ sqs: { batchSize: 5, maximumConcurrency: 5 } });
    expect(config.functions.Fn.events[1]).toMatchObject({ kinesis: { batchSize: 5, bisectBatchOnFunctionError: true, maximumRetryAttempts: 5 } });
  });

  it('an AWS::Scheduler::Schedule invoking a function is its schedule event; one with another target is a warning', () => {
    const { config } = load(`Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
  Nightly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: cron(0 3 * * ? *)
      ScheduleExpressionTimezone: Europe/Berlin
      FlexibleTimeWindow: { Mode: 'OFF' }
      Target: { Arn: !GetAtt Fn.Arn, RoleArn: arn:aws:iam::000000000000:role/scheduler, Input: '{"job":"nightly"}' }
  Paused:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: rate(1 hour)
      State: DISABLED
      FlexibleTimeWindow: { Mode: 'OFF' }
      Target: { Arn: !GetAtt Fn.Arn, RoleArn: arn:aws:iam::000000000000:role/scheduler }
  ToQueue:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: rate(1 hour)
      FlexibleTimeWindow: { Mode: 'OFF' }
      Target: { Arn: arn:aws:sqs:us-east-1:000000000000:q, RoleArn: arn:aws:iam::000000000000:role/scheduler }
`, ['app.mjs']);
    expect(config.functions.Fn.events).toEqual([
      { schedule: expect.objectContaining({ expression: 'cron(0 3 * * ? *)', timezone: 'Europe/Berlin', enabled: true, input: { job: 'nightly' } }) },
      { schedule: expect.objectContaining({ expression: 'rate(1 hour)', timezone: 'UTC', enabled: false }) },
    ]);
    expect(config.project!.warnings).toEqual(['Resources.ToQueue.Properties.Target.Arn: only schedules that invoke a function of this project run locally']);
    // ScheduleV2's one-time schedules (EventBridge Scheduler's at()) load and run once.
    const once = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Once: { Type: ScheduleV2, Properties: { ScheduleExpression: 'at(2030-01-01T09:00:00)', ScheduleExpressionTimezone: Europe/Berlin } }
`, ['app.mjs']);
    expect(once.config.functions.Fn.events).toEqual([{ schedule: expect.objectContaining({ expression: 'at(2030-01-01T09:00:00)', timezone: 'Europe/Berlin' }) }]);
  });

  it('two functions with one name (FunctionName, or a FunctionName that is another\'s logical id) are an error, not one lost', () => {
    const twice = (second: string) => () => load(`Resources:
  A: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, FunctionName: orders } }
  B: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, FunctionName: ${second} } }
`, ['app.mjs']);
    expect(twice('orders')).toThrow(/template\.yaml: Resources\.B: function name orders is already the name of another function/);
    expect(twice('A')).not.toThrow();
    expect(() => load(`Resources:
  C: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, FunctionName: D } }
  D: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
`, ['app.mjs'])).toThrow(/Resources\.D: function name D is already the name of another function/);
  });

  it('!Ref MyFunction.Alias / .Version and the generated MyFunctionAlias<alias> give the alias and version ARNs, as SAM resolves them', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Q: { Type: AWS::SQS::Queue }
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, AutoPublishAlias: live } }
  Mapping: { Type: AWS::Lambda::EventSourceMapping, Properties: { FunctionName: !Ref Fn.Alias, EventSourceArn: !GetAtt Q.Arn } }
  Caller:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Environment: { Variables: { ALIAS: !Ref Fn.Alias, VERSION: !Ref Fn.Version, BY_ID: !Ref FnAliaslive, IN_SUB: !Sub '\${Fn.Alias}' } }
`, ['app.mjs']);
    const alias = 'arn:aws:lambda:us-east-1:000000000000:function:Fn:live';
    expect(config.functions.Caller.environment).toEqual({ ALIAS: alias, VERSION: 'arn:aws:lambda:us-east-1:000000000000:function:Fn:1', BY_ID: alias, IN_SUB: alias });
    expect(config.functions.Fn.events).toEqual([{ sqs: expect.objectContaining({ queue: 'arn:aws:sqs:us-east-1:000000000000:app-Q' }) }]);
  });

  it('!Ref MyApi.Stage (also ${MyApi.Stage} in Fn::Sub) gives the API\'s StageName, and SAM\'s implicit ServerlessRestApi / ServerlessHttpApi can be referenced', () => {
    // Reduced from aws-samples/serverless-patterns apigw-lambda-sns-monitoring-sam.
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi: { Type: AWS::Serverless::Api, Properties: { StageName: s1 } }
  Http: { Type: AWS::Serverless::HttpApi }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
          API_URL: !Sub 'https://\${RestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${RestApi.Stage}'
          HTTP_STAGE: !Ref Http.Stage
          IMPLICIT: !Sub 'https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/'
      Events:
        Get: { Type: Api, Properties: { Path: /x, Method: get } }
`, ['app.mjs']);
    expect(config.functions.Fn.environment).toEqual({
      API_URL: 'https://app-RestApi.execute-api.us-east-1.amazonaws.com/s1',
      HTTP_STAGE: '$default',
      IMPLICIT: 'https://ServerlessRestApi.execute-api.us-east-1.amazonaws.com/Prod/',
    });
    // No HttpApi event without an ApiId: SAM makes no ServerlessHttpApi.
    expect(() => load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { X: !Ref ServerlessHttpApi } } } }
`, ['app.mjs'])).toThrow(/Variables\.X\.Ref: "ServerlessHttpApi" is neither a parameter nor a resource/);
  });

  it('HttpApi events get the CorsConfiguration of their API (ApiId\'s, else Globals.HttpApi\'s); true allows every origin only', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Globals:
  HttpApi:
    CorsConfiguration: { AllowOrigins: [https://app.example], AllowMethods: [GET, POST], AllowHeaders: [content-type], MaxAge: 600 }
Resources:
  Open: { Type: AWS::Serverless::HttpApi, Properties: { CorsConfiguration: true } }
  Plain: { Type: AWS::Serverless::HttpApi }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Implicit: { Type: HttpApi, Properties: { Path: /a, Method: get } }
        OnOpen: { Type: HttpApi, Properties: { Path: /b, Method: get, ApiId: !Ref Open } }
        OnPlain: { Type: HttpApi, Properties: { Path: /c, Method: get, ApiId: !Ref Plain } }
`, ['app.mjs']);
    const globals = { allowOrigins: ['https://app.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type'], exposeHeaders: [], maxAge: 600, allowCredentials: false };
    expect(config.functions.Fn.events.map((e) => (e as { http: { cors?: unknown } }).http.cors)).toEqual([
      globals,
      { allowOrigins: ['*'], allowMethods: [], allowHeaders: [], exposeHeaders: [], maxAge: 0, allowCredentials: false },
      globals,
    ]);
  });

  it('an AWS::ApiGatewayV2::Api quick create (Target: a function ARN or its integration URI) is an HTTP route to it on $default, with the API\'s CorsConfiguration; an HTTP URL target is a warning', () => {
    const { config } = load(`Resources:
  Web: { Type: AWS::Serverless::Function, Properties: { FunctionName: web, Handler: app.handler, Runtime: nodejs20.x } }
  Pets: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
  WebApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: web
      ProtocolType: HTTP
      CorsConfiguration: { AllowOrigins: ['*'], AllowMethods: [GET, POST] }
      Target: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${Web}/invocations
  PetsApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: pets, ProtocolType: HTTP, RouteKey: 'GET /pets/{id}', Target: !GetAtt Pets.Arn }
  ProxyApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: proxy, ProtocolType: HTTP, Target: https://example.com }
`, ['app.mjs']);
    expect(config.functions.web.events).toEqual([{
      http: expect.objectContaining({
        path: '$default', stage: '$default', methods: ['ANY'], payloadFormatVersion: '2.0',
        cors: expect.objectContaining({ allowOrigins: ['*'], allowMethods: ['GET', 'POST'], allowHeaders: [] }),
      }),
    }]);
    expect(config.functions.Pets.events).toEqual([{ http: expect.objectContaining({ path: '/pets/{id}', stage: '$default', methods: ['GET'] }) }]);
    expect(config.project!.warnings).toContain('Resources.ProxyApi.Properties.Target: https://example.com is not a function of this project: only quick-create HTTP APIs that target one are served locally');
  });

  it('HttpApi events are on the StageName of their ApiId (a literal, a !Ref parameter; none, empty or $default, and the implicit API: $default)', () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Parameters:
  StageParam: { Type: String, Default: beta }
Resources:
  Literal: { Type: AWS::Serverless::HttpApi, Properties: { StageName: dev } }
  FromParam: { Type: AWS::Serverless::HttpApi, Properties: { StageName: !Ref StageParam } }
  Default: { Type: AWS::Serverless::HttpApi, Properties: { StageName: $default } }
  Empty: { Type: AWS::Serverless::HttpApi, Properties: { StageName: '' } }
  Plain: { Type: AWS::Serverless::HttpApi }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        OnLiteral: { Type: HttpApi, Properties: { Path: '/items/{id}', Method: get, ApiId: !Ref Literal } }
        OnParam: { Type: HttpApi, Properties: { Path: /b, Method: get, ApiId: !Ref FromParam, PayloadFormatVersion: '1.0' } }
        OnDefault: { Type: HttpApi, Properties: { Path: /c, Method: get, ApiId: !Ref Default } }
        OnEmpty: { Type: HttpApi, Properties: { Path: /d, Method: get, ApiId: !Ref Empty } }
        OnPlain: { Type: HttpApi, Properties: { Path: /e, Method: get, ApiId: !Ref Plain } }
        Implicit: { Type: HttpApi, Properties: { Path: /f, Method: get } }
`;
    const stages = (raw: Record<string, unknown> = {}) => load(template, ['app.mjs'], raw).config.functions.Fn.events.map((e) => (e as { http: { path: string; stage: string } }).http);
    expect(stages()).toEqual([
      expect.objectContaining({ path: '/items/{id}', stage: 'dev' }),
      expect.objectContaining({ path: '/b', stage: 'beta', payloadFormatVersion: '1.0' }),
      expect.objectContaining({ path: '/c', stage: '$default' }),
      expect.objectContaining({ path: '/d', stage: '$default' }),
      expect.objectContaining({ path: '/e', stage: '$default' }),
      expect.objectContaining({ path: '/f', stage: '$default' }),
    ]);
    expect(stages({ parameters: { StageParam: 'qa' } })[1].stage).toBe('qa');
  });

  it('a StageName API Gateway would refuse, and StageName in Globals.HttpApi (SAM refuses it), are errors naming the property', () => {
    const withApi = (stageName: string, globals = '') => `Transform: AWS::Serverless-2016-10-31
Parameters:
  StageParam: { Type: String, Default: 'a/b' }
${globals}Resources:
  Api: { Type: AWS::Serverless::HttpApi, Properties: { StageName: ${stageName} } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Get: { Type: HttpApi, Properties: { Path: /a, Method: get, ApiId: !Ref Api } }
`;
    expect(() => load(withApi('dev stage'), ['app.mjs'])).toThrow(/template\.yaml: Resources\.Api\.Properties\.StageName: must be \$default or 1-128 letters, digits, - and _ .*, not "dev stage"/);
    expect(() => load(withApi('!Ref StageParam'), ['app.mjs'])).toThrow(/Resources\.Api\.Properties\.StageName: must be \$default or 1-128 .*, not "a\/b"/);
    expect(() => load(withApi('__proto__'), ['app.mjs'])).not.toThrow();
    expect(() => load(withApi('dev', 'Globals:\n  HttpApi: { StageName: dev }\n'), ['app.mjs']))
      .toThrow(/template\.yaml: Globals\.HttpApi\.StageName: is not a supported property of Globals\.HttpApi \(SAM refuses it\)/);
    expect(() => load(withApi('dev', 'Globals:\n  Api: { StageName: dev }\n'), ['app.mjs']))
      .toThrow(/template\.yaml: Globals\.Api\.StageName: is not a supported property of Globals\.Api \(SAM refuses it\): set StageName on the AWS::Serverless::Api/);
  });

  it('a property SAM does not define (Enviroment, Globals.Function.Timout) or a Globals section it lacks (Functions) is an error naming it, as SAM refuses the template; a real SAM property the hub ignores (Tracing) stays a warning', () => {
    const template = (props: string, globals = '') => `Transform: AWS::Serverless-2016-10-31
${globals}Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
${props}`;
    expect(() => load(template('      Enviroment: { Variables: { TABLE: orders } }\n'), ['app.mjs']))
      .toThrow('template.yaml: Resources.Fn.Properties.Enviroment: is not a property of AWS::Serverless::Function, so SAM refuses the template (property Enviroment not defined for resource of type AWS::Serverless::Function): did you mean Environment?');
    expect(() => load(template('      Colour: blue\n'), ['app.mjs']))
      .toThrow(/Resources\.Fn\.Properties\.Colour: is not a property of AWS::Serverless::Function, .*: check its spelling against the SAM specification, or remove it/);
    expect(() => load(template('', 'Globals:\n  Function: { Timout: 30 }\n'), ['app.mjs']))
      .toThrow(/template\.yaml: Globals\.Function\.Timout: is not a property of AWS::Serverless::Function, .*did you mean Timeout\?/);
    expect(() => load(template('', 'Globals:\n  Functions: { Timeout: 30 }\n'), ['app.mjs']))
      .toThrow(/template\.yaml: Globals\.Functions: 'Functions' is not supported in Globals, so SAM refuses the template: did you mean Function\? the sections are Function, Api, HttpApi/);
    const { config } = load(template('      Tracing: Active\n', 'Globals:\n  Function: { Timeout: 30, Tags: { team: a } }\n  LayerVersion: { RetentionPolicy: Delete }\n'), ['app.mjs']);
    expect(config.functions.Fn.timeout).toBe(30);
    expect(config.project!.warnings).toContain('Resources.Fn: Tags, Tracing not applied locally');
    // CloudFormation's AWS::Lambda::Function is not SAM's: its properties keep the warning.
    const plain = load(`Resources:\n  Fn: { Type: AWS::Lambda::Function, Properties: { Code: ., Handler: app.handler, Runtime: nodejs20.x, Role: r, TracingConfig: { Mode: Active } } }\n`, ['app.mjs']);
    expect(plain.config.project!.warnings).toContain('Resources.Fn: Role, TracingConfig not applied locally');
  });

  it('a dynamic reference ({{resolve:ssm:...}}) in an environment variable is a warning: locally the variable holds its text', () => {
    const { config } = load(`Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Environment: { Variables: { DB: '{{resolve:ssm:/app/db}}', PASS: !Sub '{{resolve:secretsmanager:\${AWS::StackName}-db:SecretString:password}}', PLAIN: x } }
`, ['app.mjs']);
    expect(config.functions.Fn.environment.DB).toBe('{{resolve:ssm:/app/db}}');
    expect(config.project!.warnings).toEqual([
      'Resources.Fn.Properties.Environment.Variables.DB: {{resolve:ssm:/app/db}} is resolved by CloudFormation from AWS; locally the variable holds that text',
      'Resources.Fn.Properties.Environment.Variables.PASS: {{resolve:secretsmanager:app-db:SecretString:password}} is resolved by CloudFormation from AWS; locally the variable holds that text',
    ]);
  });

  it('a FIFO topic without TopicName gets a generated name ending in .fifo, as CloudFormation makes it', () => {
    const { config } = load(`Resources:
  Events: { Type: AWS::SNS::Topic, Properties: { FifoTopic: true } }
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { TOPIC: !Ref Events } } } }
`, ['app.mjs']);
    expect(config.functions.Fn.environment.TOPIC).toBe('arn:aws:sns:us-east-1:000000000000:app-Events.fifo');
    expect(config.project!.resources).toEqual([expect.objectContaining({ kind: 'sns', name: 'app-Events.fifo' })]);
  });

  it('REST API Cors (Globals.Api\'s for the implicit API, an Api resource\'s merged over it) becomes the api routes\' cors, unquoted', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Globals:
  Api: { Cors: { AllowOrigin: "'https://app.example'", AllowHeaders: "'Content-Type,X-Api-Key'", MaxAge: "'600'" } }
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowOrigin: "'https://shop.example'", AllowMethods: "'GET, POST'", AllowCredentials: true } }
  Text:
    Type: AWS::Serverless::Api
    Properties: { StageName: v2, Cors: "'www.example.com'" }
  Plain: { Type: AWS::ApiGateway::RestApi, Properties: { Name: plain } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Get: { Type: Api, Properties: { Path: /a, Method: get } }
        Post: { Type: Api, Properties: { Path: /a/, Method: post } }
        Shop: { Type: Api, Properties: { Path: /s, Method: get, RestApiId: !Ref Shop } }
        Text: { Type: Api, Properties: { Path: /t, RestApiId: !Ref Text } }
        Plain: { Type: Api, Properties: { Path: /p, Method: get, RestApiId: !Ref Plain } }
        Own: { Type: Api, Properties: { Path: /o, Method: get } }
        OwnOptions: { Type: Api, Properties: { Path: /o, Method: options } }
`, ['app.mjs']);
    const cors = config.functions.Fn.events.map((e) => (e as { api: { cors?: unknown } }).api.cors);
    const implicit = { allowOrigin: 'https://app.example', allowMethods: 'GET,OPTIONS,POST', allowHeaders: 'Content-Type,X-Api-Key', maxAge: 600, allowCredentials: false };
    expect(JSON.parse(JSON.stringify(cors))).toEqual(JSON.parse(JSON.stringify([
      implicit, implicit,
      { allowOrigin: 'https://shop.example', allowMethods: 'GET, POST', allowHeaders: 'Content-Type,X-Api-Key', maxAge: 600, allowCredentials: true },
      { allowOrigin: 'www.example.com', allowMethods: 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT', allowCredentials: false },
      undefined, undefined, undefined,
    ])));
    expect(config.project!.warnings).toEqual([]);
  });

  it('a bad REST API Cors is an error naming it, as SAM refuses it', () => {
    const template = (cors: string) => `Transform: AWS::Serverless-2016-10-31
Globals:
  Api: { Cors: ${cors} }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, Events: { Get: { Type: Api, Properties: { Path: /a, Method: get } } } }
`;
    expect(() => load(template('www.example.com'), ['app.mjs'])).toThrow(/Globals\.Api\.Cors\.AllowOrigin: must be a quoted string such as "'https:\/\/www\.example\.com'"/);
    expect(() => load(template('{ AllowOrigin: "\'*\'", AllowCredentials: true }'), ['app.mjs'])).toThrow(/Globals\.Api\.Cors: AllowCredentials can not be true when AllowOrigin is "'\*'"/);
    expect(() => load(template('{ AllowOrigin: "\'a\'", AllowOrigins: ["b"] }'), ['app.mjs'])).toThrow(/Globals\.Api\.Cors\.AllowOrigins: is not a Cors property/);
    expect(() => load(template('{ AllowOrigin: "\'a\'", MaxAge: "\'ten\'" }'), ['app.mjs'])).toThrow(/Globals\.Api\.Cors\.MaxAge: must be a number of seconds/);
    expect(() => load(template('[a]'), ['app.mjs'])).toThrow(/Globals\.Api\.Cors: must be the allowed origin/);
    expect(() => load(template('"\'https://a.example\\r\'"'), ['app.mjs'])).toThrow(/Resources\.Fn\.Properties\.Events\.Get \(functions\.Fn\.events\[0\]\.api\.cors\.allowOrigin\): must be printable ASCII text/);
  });

  it('reads JSON templates', () => {
    const { config } = load(JSON.stringify({
      Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: '.', Handler: 'app.handler', Runtime: 'nodejs20.x', Environment: { Variables: { A: { 'Fn::Join': ['-', ['x', 'y']] } } } } } },
    }), ['app.mjs']);
    expect(config.functions.Fn.environment).toEqual({ A: 'x-y' });
  });

  it('reads a JSON template saved with a byte order mark, and YAML that starts with a flow mapping', () => {
    const json = JSON.stringify({ Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { Handler: 'app.handler', Runtime: 'nodejs20.x' } } } });
    expect(Object.keys(load(`\uFEFF${json}`, ['app.mjs']).config.functions)).toEqual(['Fn']);
    const flow = '{ Resources: { Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Timeout: !Ref Seconds } } },\n  Parameters: { Seconds: { Type: Number, Default: 7 } } }\n';
    expect(load(flow, ['app.mjs']).config.functions.Fn.timeout).toBe(7);
  });
});

describe('SAM settings other parts of the hub run', () => {
  it('AutoPublishAlias is one alias, FunctionUrlConfig the URL invoke mode, DynamoDB events read the table stream', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
      FunctionUrlConfig: { AuthType: AWS_IAM, InvokeMode: RESPONSE_STREAM }
      Events:
        Changes:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST, BatchSize: 50, TumblingWindowInSeconds: 30 }
`, ['app.mjs']);
    const fn = config.functions.Fn;
    expect(Object.keys(fn.aliases)).toEqual(['live']);
    expect(fn.url).toEqual({ invokeMode: 'RESPONSE_STREAM', authType: 'AWS_IAM' });
    expect(fn.events).toEqual([{ dynamodb: expect.objectContaining({ table: 'app-Orders', startingPosition: 'LATEST', batchSize: 50, tumblingWindowInSeconds: 30 }) }]);
    expect(config.project!.resources).toEqual([expect.objectContaining({
      kind: 'dynamodb', name: 'app-Orders',
      definition: expect.objectContaining({ StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } }),
    })]);
    expect(config.project!.warnings).toEqual([]);
  });

  it('AWS::DynamoDB::GlobalTable is a table of the local cloud: its name, Ref and GetAtt values, its stream read by DynamoDB events', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Table: {Type: AWS::DynamoDB::GlobalTable, Properties: {AttributeDefinitions: [{AttributeName: pk, AttributeType: S}], KeySchema: [{AttributeName: pk, KeyType: HASH}], BillingMode: PAY_PER_REQUEST, StreamSpecification: {StreamViewType: NEW_IMAGE}, Replicas: [{Region: us-east-1}]}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: env.handler
      CodeUri: src/
      Runtime: nodejs20.x
      Environment: {Variables: {T: !Ref Table, ARN: !GetAtt Table.Arn, STREAM: !GetAtt Table.StreamArn, ID: !GetAtt Table.TableId}}
      Events: {S: {Type: DynamoDB, Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}}}
`, ['src/env.mjs']);
    const fn = config.functions.Fn;
    expect(fn.environment).toEqual({
      T: 'app-Table', ARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/app-Table',
      STREAM: expect.stringMatching(/^arn:aws:dynamodb:us-east-1:000000000000:table\/app-Table\/stream\//),
      ID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    });
    expect(fn.events).toEqual([{ dynamodb: expect.objectContaining({ table: 'app-Table', startingPosition: 'LATEST' }) }]);
    expect(config.project!.resources).toEqual([{
      kind: 'dynamodb', logicalId: 'Table', name: 'app-Table', arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/app-Table',
      definition: {
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
    }]);
    // The local cloud runs DynamoDB Local for it, so the handler's SDK gets its endpoint.
    expect(neededServices(config.project!)).toEqual(new Set(['dynamodb']));
    expect(config.project!.warnings).toEqual([]);
  });

  it('a GlobalTable takes its TableName, the replica of the hub\'s region, and provisioned capacity as CreateTable\'s ProvisionedThroughput', () => {
    const template = `Resources:
  Table:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      TableName: !Sub '\${AWS::StackName}-orders'
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }, { AttributeName: sk, AttributeType: S }]
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
      BillingMode: PROVISIONED
      WriteProvisionedThroughputSettings:
        WriteCapacityAutoScalingSettings: { MinCapacity: 2, MaxCapacity: 10, SeedCapacity: 3, TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } }
      GlobalSecondaryIndexes:
        - IndexName: bySk
          KeySchema: [{ AttributeName: sk, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
          WriteProvisionedThroughputSettings:
            WriteCapacityAutoScalingSettings: { MinCapacity: 4, MaxCapacity: 10, TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } }
      TimeToLiveSpecification: { AttributeName: expires, Enabled: true }
      SSESpecification: { SSEEnabled: true, SSEType: KMS }
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
      Replicas:
        - Region: eu-west-1
          ReadProvisionedThroughputSettings: { ReadCapacityUnits: 7 }
          GlobalSecondaryIndexes: [{ IndexName: bySk, ReadProvisionedThroughputSettings: { ReadCapacityUnits: 8 } }]
          Tags: [{ Key: team, Value: !Ref OnlyAwsKnows }]
        - Region: us-east-1
          ReadProvisionedThroughputSettings:
            ReadCapacityAutoScalingSettings: { MinCapacity: 5, MaxCapacity: 10, TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } }
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }
          TableClass: STANDARD_INFREQUENT_ACCESS
  Fn:
    Type: AWS::Lambda::Function
    Properties: { Code: ., Handler: app.handler, Runtime: nodejs20.x, Environment: { Variables: { T: !Ref Table } } }
`;
    const { config } = load(template, ['app.mjs']);
    expect(config.functions.Fn.environment).toEqual({ T: 'app-orders' });
    expect(config.project!.resources).toEqual([expect.objectContaining({
      name: 'app-orders',
      definition: {
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
        GlobalSecondaryIndexes: [{
          IndexName: 'bySk', KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 4 },
        }],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      },
    })]);
    expect(config.project!.warnings).toEqual([]);

    // No replica in the hub's region: created all the same, with the first replica's settings, and said.
    const elsewhere = load(template, ['app.mjs'], { region: 'ap-south-1' }).config.project!;
    expect(elsewhere.resources).toEqual([expect.objectContaining({
      name: 'app-orders',
      definition: expect.objectContaining({
        ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
        GlobalSecondaryIndexes: [expect.objectContaining({ ProvisionedThroughput: { ReadCapacityUnits: 8, WriteCapacityUnits: 4 } })],
      }),
    })]);
    expect(elsewhere.warnings).toEqual([
      "Resources.Table.Properties.Replicas: no replica in the hub's region ap-south-1 (replicas: eu-west-1, us-east-1): the table is created locally all the same, with the first replica's settings",
    ]);
  });

  it('event source mapping numbers and booleans given as strings (a !Ref of a Number parameter) are read as CloudFormation reads them', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Parameters:
  Batch: { Type: Number, Default: 5 }
  Retries: { Type: Number, Default: -1 }
Resources:
  Q:
    Type: AWS::SQS::Queue
  S:
    Type: AWS::Kinesis::Stream
    Properties: { ShardCount: 1 }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Jobs:
          Type: SQS
          Properties: { Queue: !GetAtt Q.Arn, BatchSize: !Ref Batch, MaximumBatchingWindowInSeconds: "0", ScalingConfig: { MaximumConcurrency: "3" } }
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt S.Arn
            StartingPosition: TRIM_HORIZON
            BatchSize: "200"
            MaximumRetryAttempts: !Ref Retries
            BisectBatchOnFunctionError: "true"
            ParallelizationFactor: "2"
`, ['app.mjs']);
    expect(config.functions.Fn.events).toEqual([
      { sqs: expect.objectContaining({ batchSize: 5, maximumBatchingWindowInSeconds: 0, maximumConcurrency: 3 }) },
      { kinesis: expect.objectContaining({ batchSize: 200, maximumRetryAttempts: -1, bisectBatchOnFunctionError: true, parallelizationFactor: 2 }) },
    ]);
  });

  it('FunctionUrlConfig.Cors and AWS::Lambda::Url map onto the url settings (absent lists empty, as on AWS)', () => {
    const { config } = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: nodejs20.x
      FunctionUrlConfig:
        AuthType: NONE
        Cors:
          AllowOrigins: [https://app.example.com]
          AllowMethods: [GET, POST]
          AllowHeaders: [content-type, x-custom]
          ExposeHeaders: [x-request-id]
          MaxAge: 300
          AllowCredentials: true
  Signed:
    Type: AWS::Lambda::Function
    Properties: { Code: ., Handler: app.handler, Runtime: nodejs20.x }
  SignedUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Signed.Arn
      AuthType: AWS_IAM
      Cors: { AllowOrigins: ['*'] }
  Unsure:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, FunctionUrlConfig: { Cors: { AllowOrigins: ['*'] } } }
`, ['app.mjs']);
    expect(config.functions.Open.url).toEqual({
      invokeMode: 'BUFFERED', authType: 'NONE',
      cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type', 'x-custom'], exposeHeaders: ['x-request-id'], maxAge: 300, allowCredentials: true },
    });
    expect(config.functions.Signed.url).toEqual({
      invokeMode: 'BUFFERED', authType: 'AWS_IAM',
      cors: { allowOrigins: ['*'], allowMethods: [], allowHeaders: [], exposeHeaders: [], maxAge: 0, allowCredentials: false },
    });
    expect(config.functions.Unsure.url.authType).toBe('NONE');
    expect(config.project!.warnings).toContain('Resources.Unsure.Properties.FunctionUrlConfig.AuthType: missing (SAM requires it); NONE assumed');
  });

  it('a bad AuthType or Cors value is an error naming the setting', () => {
    const template = (url: string) => `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: nodejs20.x, FunctionUrlConfig: ${url} }
`;
    expect(() => load(template('{ AuthType: IAM }'), ['app.mjs'])).toThrow(/Resources\.Fn\.Properties\.FunctionUrlConfig \(functions\.Fn\.url\.authType\): must be 'NONE' or 'AWS_IAM'/);
    expect(() => load(template('{ AuthType: NONE, Cors: { MaxAge: 100000 } }'), ['app.mjs'])).toThrow(/Resources\.Fn\.Properties\.FunctionUrlConfig \(functions\.Fn\.url\.cors\.maxAge\): must be between 0 and 86400/);
    // Set by another resource: named there.
    const elsewhere = () => load(`Resources:
  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x } }
  FnUrl: { Type: AWS::Lambda::Url, Properties: { TargetFunctionArn: !GetAtt Fn.Arn, AuthType: IAM } }
  Retries: { Type: AWS::Lambda::EventInvokeConfig, Properties: { FunctionName: !Ref Fn, Qualifier: $LATEST, MaximumRetryAttempts: 7 } }
`, ['app.mjs']);
    expect(elsewhere).toThrow(/\nResources\.FnUrl\.Properties \(functions\.Fn\.url\.authType\): must be 'NONE' or 'AWS_IAM'/);
    expect(elsewhere).toThrow(/\nResources\.Retries\.Properties \(functions\.Fn\.maximumRetryAttempts\): must be between 0 and 2/);
  });
});
