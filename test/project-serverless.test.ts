import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { watchPlan } from '../src/reload/watch-plan.js';
import { functionConfiguration } from '../src/server/function-configuration.js';
import { REPO_ROOT } from './helpers/paths.js';
import { projectConfig, projectDir } from './helpers/template-project.js';

const APP = path.join(REPO_ROOT, 'examples/serverless-app');

describe('serverless.yml loader', () => {
  it('loads examples/serverless-app: provider defaults, params per stage, REST events, an SQS consumer, CloudFormation resources', () => {
    const config = buildConfig({ serverless: 'serverless.yml' }, { baseDir: APP, env: {} });
    expect(Object.keys(config.functions)).toEqual(['createOrder', 'getOrder', 'processOrders']);
    expect(config.functions.createOrder).toMatchObject({
      handler: 'src/api.createOrder', runtime: 'nodejs20.x', memorySize: 256, timeout: 6, taskRoot: APP,
      environment: { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/orders-api-dev-orders', GREETING: 'hello', STAGE: 'dev' },
      events: [{ api: expect.objectContaining({ path: '/orders', method: ['POST'], stage: 'dev' }) }],
    });
    expect(config.functions.getOrder.events).toEqual([{ api: expect.objectContaining({ path: '/orders/{id}', method: ['GET'] }) }]);
    expect(config.functions.processOrders).toMatchObject({
      timeout: 10,
      events: [{ sqs: expect.objectContaining({ queue: 'arn:aws:sqs:us-east-1:000000000000:orders-api-dev-orders', batchSize: 5, functionResponseTypes: ['ReportBatchItemFailures'] }) }],
    });
    expect(config.project).toMatchObject({ format: 'serverless', stackName: 'orders-api-dev' });
    expect(config.project!.resources.map((r) => r.name)).toEqual(['orders-api-dev-orders', 'orders-api-dev-orders-dlq']);
  });

  it('--stage picks the stage params and names', () => {
    const config = buildConfig({ serverless: 'serverless.yml', stage: 'prod' }, { baseDir: APP, env: {} });
    expect(config.functions.createOrder.environment).toMatchObject({ GREETING: 'welcome', STAGE: 'prod', QUEUE_URL: expect.stringMatching(/orders-api-prod-orders$/) });
  });

  it('resolves ${self:}, ${env:}, ${opt:}, ${param:}, ${sls:instanceId}, fallbacks, nesting, file() and v4 stages params', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    FROM_ENV: \${env:TH_TEST_VALUE}
    FALLBACK: \${env:TH_UNSET, 'fallback'}
    NESTED: \${self:custom.tables.\${sls:stage}}
    PARAM: \${param:color}
    FILE: \${file(./extra.yml):value}
    REGION: \${aws:region}
    CFN: !Sub '\${AWS::AccountId}'
    INSTANCE: \${sls:instanceId}
    SAME_INSTANCE: \${sls:instanceId}
stages:
  default: { params: { color: blue } }
  dev: { params: { color: green } }
custom:
  tables: { dev: dev-table }
functions:
  hello:
    handler: handler.handler
    events:
      - httpApi: 'GET /hello'
      - httpApi: '*'
      - schedule: { rate: [rate(1 hour), cron(0 12 * * ? *)], input: { a: 1 } }
      - sns: alerts
      - s3: { bucket: uploads-svc, event: 's3:ObjectCreated:*', rules: [{ prefix: in/ }] }
`,
      'extra.yml': 'value: from-file\n',
    }, ['handler.mjs']);
    const config = buildConfig({ serverless: 'serverless.yml' }, { baseDir: dir, env: { TH_TEST_VALUE: 'from-env' } });
    const fn = config.functions.hello;
    const { INSTANCE, SAME_INSTANCE, ...environment } = fn.environment;
    expect(environment).toEqual({ FROM_ENV: 'from-env', FALLBACK: 'fallback', NESTED: 'dev-table', PARAM: 'green', FILE: 'from-file', REGION: 'us-east-1', CFN: '000000000000' });
    // ${sls:instanceId}: one random id per run of the CLI (here, per load).
    expect(INSTANCE).toMatch(/^[0-9a-f]{12}$/);
    expect(SAME_INSTANCE).toBe(INSTANCE);
    expect(fn.events).toEqual([
      { http: expect.objectContaining({ path: '/hello', methods: ['GET'] }) },
      { http: expect.objectContaining({ path: '$default', methods: ['ANY'] }) },
      { schedule: expect.objectContaining({ expression: 'rate(1 hour)', input: { a: 1 } }) },
      { schedule: expect.objectContaining({ expression: 'cron(0 12 * * ? *)' }) },
      { sns: expect.objectContaining({ topic: 'arn:aws:sns:us-east-1:000000000000:alerts' }) },
      { s3: expect.objectContaining({ bucket: 'uploads-svc', filter: { prefix: 'in/' } }) },
    ]);
    expect(config.project!.resources.map((r) => `${r.kind}:${r.name}`)).toEqual(['sns:alerts', 's3:uploads-svc']);
  });

  it('maps onError to the dead-letter queue, and url: true, url.authorizer: aws_iam and url.cors (true: the Framework defaults; an object: merged over them) onto the url settings', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  open: { handler: handler.handler, url: true, onError: arn:aws:sns:us-east-1:000000000000:failures }
  signed:
    handler: handler.handler
    url: { authorizer: aws_iam, cors: true, invokeMode: RESPONSE_STREAM }
  custom:
    handler: handler.handler
    url:
      cors:
        allowedOrigins: https://app.example.com
        allowedHeaders: null
        exposedResponseHeaders: [x-request-id]
        allowCredentials: true
        maxAge: 600
`,
    }, ['handler.mjs']);
    const { functions } = buildConfig({ serverless: 'serverless.yml' }, { baseDir: dir, env: {} });
    expect(functions.open.url).toEqual({ invokeMode: 'BUFFERED', authType: 'NONE' });
    // onError is the function's dead-letter queue (the event itself goes there), not an on-failure destination.
    expect(functions.open.deadLetterQueue).toBe('arn:aws:sns:us-east-1:000000000000:failures');
    expect(functions.open.destinations).toEqual({});
    expect(functions.signed.url).toEqual({
      invokeMode: 'RESPONSE_STREAM', authType: 'AWS_IAM',
      cors: {
        allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token'],
        exposeHeaders: [], maxAge: 0, allowCredentials: false,
      },
    });
    expect(functions.custom.url).toEqual({
      invokeMode: 'BUFFERED', authType: 'NONE',
      cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['*'], allowHeaders: [], exposeHeaders: ['x-request-id'], maxAge: 600, allowCredentials: true },
    });
  });

  it('a param keeps its YAML type, and integers written as text (env variables, parameters:) are integers, as CloudFormation takes them', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
params:
  default: { batch: 7, timeout: 20 }
provider: { name: aws, runtime: nodejs20.x, memorySize: '\${env:MEMORY, 512}' }
functions:
  f:
    handler: handler.handler
    timeout: \${param:timeout}
    reservedConcurrency: \${param:concurrency}
    events:
      - sqs: { arn: 'arn:aws:sqs:us-east-1:000000000000:q', batchSize: '\${param:batch}', maximumBatchingWindow: '\${env:WINDOW}' }
`,
    }, ['handler.mjs']);
    const fn = buildConfig({ serverless: 'serverless.yml', parameters: { concurrency: 4 } }, { baseDir: dir, env: { MEMORY: '256', WINDOW: '3' } }).functions.f;
    expect(fn).toMatchObject({ timeout: 20, memorySize: 256, reservedConcurrency: 4 });
    expect(fn.events).toEqual([{ sqs: expect.objectContaining({ batchSize: 7, maximumBatchingWindowInSeconds: 3 }) }]);
  });

  it('serverless http cors (true: the Framework\'s defaults; objects merged per path as the Framework does) becomes the api routes\' cors', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f:
    handler: app.handler
    events:
      - http: { path: a, method: get, cors: true }
      - http: { path: /b, method: any, cors: { origins: ['https://*.example.com', 'https://x.example'], headers: X-Token, allowCredentials: true, maxAge: 60, cacheControl: 'max-age=60' } }
      - http: { path: c, method: get }
  g:
    handler: app.handler
    events:
      - http: { path: a/, method: post, cors: { origin: 'https://app.example', headers: [X-One], methods: [PUT] } }
`,
    }, ['app.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    const a = {
      allowOrigin: 'https://app.example',
      allowHeaders: 'X-One,Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id',
      allowMethods: 'PUT,OPTIONS,POST,GET', allowCredentials: false,
    };
    expect(config.functions.f.events.map((e) => (e as { api: { cors?: unknown } }).api.cors)).toEqual([
      expect.objectContaining(a),
      expect.objectContaining({
        allowOrigin: ['https://*.example.com', 'https://x.example'], allowHeaders: 'X-Token', allowMethods: 'OPTIONS,DELETE,GET,HEAD,PATCH,POST,PUT',
        allowCredentials: true, maxAge: 60, cacheControl: 'max-age=60',
      }),
      undefined,
    ]);
    expect(config.functions.g.events).toEqual([{ api: expect.objectContaining({ path: '/a', cors: expect.objectContaining(a) }) }]);
    expect(config.project!.warnings).toEqual([]);
    const commas = projectDir({ 'serverless.yml': "service: svc\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: app.handler, events: [{ http: { path: a, method: get, cors: { origin: 'https://a.example, https://b.example' } } }] }\n" }, ['app.mjs']);
    // provider.apiGateway.binaryMediaTypes: the REST API's, on every http route.
    const binary = projectDir({ 'serverless.yml': "service: svc\nprovider: { name: aws, runtime: nodejs20.x, apiGateway: { binaryMediaTypes: ['image/png', '*/*'] } }\nfunctions:\n  f: { handler: app.handler, events: [{ http: { path: a, method: get } }] }\n" }, ['app.mjs']);
    expect(projectConfig(binary, { serverless: 'serverless.yml' }).functions.f.events).toEqual([{ api: expect.objectContaining({ path: '/a', binaryMediaTypes: ['image/png', '*/*'] }) }]);
    const badBinary = projectDir({ 'serverless.yml': "service: svc\nprovider: { name: aws, runtime: nodejs20.x, apiGateway: { binaryMediaTypes: image/png } }\nfunctions:\n  f: { handler: app.handler }\n" }, ['app.mjs']);
    expect(() => projectConfig(badBinary, { serverless: 'serverless.yml' })).toThrow(/provider\.apiGateway\.binaryMediaTypes: must be a list of media types/);
    expect(projectConfig(commas, { serverless: 'serverless.yml' }).functions.f.events[0]).toEqual({ api: expect.objectContaining({ cors: expect.objectContaining({ allowOrigin: ['https://a.example', 'https://b.example'] }) }) });
    const lambda = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: app.handler, events: [{ http: { path: a, method: get, integration: lambda, cors: true } }] }\n' }, ['app.mjs']);
    expect(projectConfig(lambda, { serverless: 'serverless.yml' }).project!.warnings).toEqual([
      "functions.f.events[0].http.integration: lambda integrations run as lambda-proxy locally (its responses get no Access-Control-Allow-Origin, which the Framework adds to a lambda integration's)",
    ]);
  });

  it('schedule: a string input is the JSON text of the event, and timezone applies with method: scheduler', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f:
    handler: handler.handler
    events:
      - schedule: { rate: rate(1 hour), input: '{"job":"cleanup"}' }
      - schedule: { rate: [cron(0 9 * * ? *)], method: scheduler, roleArn: arn:aws:iam::000000000000:role/r, timezone: Europe/Berlin }
      - schedule: { rate: [cron(0 9 * * ? *)], timezone: Europe/Berlin }
`,
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(config.functions.f.events).toEqual([
      { schedule: expect.objectContaining({ expression: 'rate(1 hour)', input: { job: 'cleanup' } }) },
      { schedule: expect.objectContaining({ expression: 'cron(0 9 * * ? *)', timezone: 'Europe/Berlin' }) },
      { schedule: expect.objectContaining({ expression: 'cron(0 9 * * ? *)', timezone: 'UTC' }) },
    ]);
    expect(config.project!.warnings).toEqual(['functions.f.events[2].schedule.timezone: applies with method: scheduler only; the rule runs in UTC']);
    const bad = projectDir({ 'serverless.yml': `service: svc\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: handler.handler, events: [{ schedule: { rate: rate(1 hour), input: 'not json' } }] }\n` }, ['handler.mjs']);
    expect(() => projectConfig(bad, { serverless: 'serverless.yml' })).toThrow(/functions\.f\.events\[0\]\.schedule\.input: must be JSON text/);
  });

  it('functions, resources and provider.environment may come from files, and functions and resources from lists merged in order', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x, environment: '\${file(./env.yml)}' }
functions:
  - \${file(./functions.yml)}
  - other: { handler: handler.handler }
    empty:
resources:
  - \${file(./resources.yml)}
  - Resources: { Topic: { Type: AWS::SNS::Topic } }
`,
      'env.yml': 'FROM_FILE: yes-file\n',
      'functions.yml': 'hello:\n  handler: handler.handler\n  events:\n    - sqs: !GetAtt Queue.Arn\n',
      'resources.yml': 'Resources:\n  Queue: { Type: AWS::SQS::Queue }\n',
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(Object.keys(config.functions)).toEqual(['hello', 'other']);
    expect(config.functions.hello.environment).toEqual({ FROM_FILE: 'yes-file' });
    expect(config.functions.hello.events).toEqual([{ sqs: expect.objectContaining({ queue: 'arn:aws:sqs:us-east-1:000000000000:svc-dev-Queue' }) }]);
    expect(config.project!.resources.map((r) => `${r.kind}:${r.logicalId}`)).toEqual(['sqs:Queue', 'sns:Topic']);
    // Hot reload loads the project again when one of those files changes, as when serverless.yml does.
    expect(watchPlan(config).configFiles).toEqual(['serverless.yml', 'functions.yml', 'resources.yml', 'env.yml'].map((f) => path.join(dir, f)));
    const bad = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws }\nfunctions: [ "not a mapping" ]\n' }, ['handler.mjs']);
    expect(() => projectConfig(bad, { serverless: 'serverless.yml' })).toThrow(/serverless\.yml: functions\[0\]: must be a mapping/);
  });

  it('httpApi events carry the payload version of provider.httpApi.payload or the function\'s httpApi.payload (default 2.0)', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x, httpApi: { payload: '1.0' } }
functions:
  legacy: { handler: handler.handler, events: [{ httpApi: 'GET /legacy' }] }
  modern: { handler: handler.handler, httpApi: { payload: '2.0' }, events: [{ httpApi: 'GET /modern' }] }
`,
    }, ['handler.mjs']);
    const { functions } = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(functions.legacy.events).toEqual([{ http: expect.objectContaining({ path: '/legacy', payloadFormatVersion: '1.0' }) }]);
    expect(functions.modern.events).toEqual([{ http: expect.objectContaining({ path: '/modern', payloadFormatVersion: '2.0' }) }]);
  });

  it('a fallback may be another source: ${opt:stage, self:custom.defaultStage}, ${env:A, env:B, \'c\'}', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
custom: { defaultStage: qa, queueArn: 'arn:aws:sqs:us-east-1:000000000000:q' }
provider:
  name: aws
  runtime: nodejs20.x
  stage: \${opt:stage, self:custom.defaultStage}
  environment:
    STAGE: \${sls:stage}
    CHAIN: \${env:TH_UNSET_1, env:TH_SET, 'last'}
    LAST: \${env:TH_UNSET_1, env:TH_UNSET_2, 'last'}
    ARN: \${env:TH_UNSET_1, \${self:custom.queueArn}}
functions:
  f: { handler: handler.handler }
`,
    }, ['handler.mjs']);
    const config = buildConfig({ serverless: 'serverless.yml' }, { baseDir: dir, env: { TH_SET: 'from-env' } });
    expect(config.project!.stackName).toBe('svc-qa');
    expect(config.functions.f.environment).toEqual({ STAGE: 'qa', CHAIN: 'from-env', LAST: 'last', ARN: 'arn:aws:sqs:us-east-1:000000000000:q' });
    const none = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws }\nfunctions:\n  f: { handler: handler.handler, environment: { X: "${env:TH_UNSET_1, env:TH_UNSET_2}" } }\n' }, ['handler.mjs']);
    expect(() => projectConfig(none, { serverless: 'serverless.yml' })).toThrow(/functions\.f\.environment\.X: \$\{env:TH_UNSET_1, env:TH_UNSET_2\} has no value/);
  });

  it('${self:provider.stage} without provider.stage is refused as the Framework v3 refuses it, pointing to ${sls:stage} (which is dev)', () => {
    const service = (c: string) => projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f: { handler: handler.handler, environment: { A: "\${sls:stage}", B: "\${self:provider.stage, 'dev'}", C: "${c}" } }
`,
    }, ['handler.mjs']);
    expect(projectConfig(service('c'), { serverless: 'serverless.yml' }).functions.f.environment).toEqual({ A: 'dev', B: 'dev', C: 'c' });
    expect(() => projectConfig(service('\${self:provider.stage}'), { serverless: 'serverless.yml' }))
      .toThrow('functions.f.environment.C: ${self:provider.stage} has no value: provider.stage is not set (use ${sls:stage}: --stage, else provider.stage, else dev)');
    // serverless-patterns apigw-http-api-eventbridge-lambda-sls: the region has no default in the file either.
    expect(() => projectConfig(service('\${self:provider.region}'), { serverless: 'serverless.yml' }))
      .toThrow("functions.f.environment.C: ${self:provider.region} has no value: provider.region is not set (use ${aws:region}: the region the service deploys to, here the hub's)");
    expect(projectConfig(service('\${aws:region}'), { serverless: 'serverless.yml' }).functions.f.environment.C).toBe('us-east-1');
  });

  it('${opt:stage, self:provider.stage} without provider.stage is dev, as the Framework v3 resolves it (after its Service fills in dev); with --stage, that stage', () => {
    // serverless/examples aws-python-rest-api-with-dynamodb: a table named from it, no provider.stage.
    const dir = projectDir({
      'serverless.yml': `service: todos
provider: { name: aws, runtime: nodejs20.x, environment: { DYNAMODB_TABLE: "\${self:service}-\${opt:stage, self:provider.stage}" } }
functions:
  f: { handler: handler.handler, environment: { PARAM: "\${param:stage, self:provider.stage}" } }
resources:
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
        KeySchema: [{ AttributeName: id, KeyType: HASH }]
        TableName: \${self:provider.environment.DYNAMODB_TABLE}
`,
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(config.functions.f.environment).toEqual({ DYNAMODB_TABLE: 'todos-dev', PARAM: 'dev' });
    expect(projectConfig(dir, { serverless: 'serverless.yml', stage: 'qa' }).functions.f.environment).toMatchObject({ DYNAMODB_TABLE: 'todos-qa' });
  });

  it('${opt:stage} is the --stage given (or the project\'s stage:) alone, as the Framework\'s CLI option: without one it is its fallback, else an error pointing to ${sls:stage}', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x, stage: prod }
functions:
  f: { handler: handler.handler, environment: { OPT: "\${opt:stage, 'none'}", SLS: "\${sls:stage}" } }
  g: { handler: handler.handler, environment: { BARE: "\${opt:stage}" } }
`,
    }, ['handler.mjs']);
    const given = projectConfig(dir, { serverless: 'serverless.yml', stage: 'qa' });
    expect([given.functions.f.environment, given.functions.g.environment]).toEqual([{ OPT: 'qa', SLS: 'qa' }, { BARE: 'qa' }]);
    expect(() => projectConfig(dir, { serverless: 'serverless.yml' }))
      .toThrow("functions.g.environment.BARE: ${opt:stage} has no value: no --stage was given, and opt:stage is that option alone, as in the Framework (give --stage or the project's stage:, a fallback, or use ${sls:stage}: --stage, else provider.stage, else dev)");
    const fallback = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws, stage: prod }\nfunctions:\n  f: { handler: handler.handler, environment: { OPT: "${opt:stage, \'none\'}", SLS: "${sls:stage}" } }\n' }, ['handler.mjs']);
    expect(projectConfig(fallback, { serverless: 'serverless.yml' }).functions.f.environment).toEqual({ OPT: 'none', SLS: 'prod' });
    // provider.stage itself: the Framework (v3) refuses a stage that does not resolve instead of taking dev.
    const bareStage = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws, stage: "${opt:stage}" }\nfunctions:\n  f: { handler: handler.handler, environment: { SLS: "${sls:stage}" } }\n' }, ['handler.mjs']);
    expect(() => projectConfig(bareStage, { serverless: 'serverless.yml' })).toThrow('provider.stage: ${opt:stage} has no value: no --stage was given');
    expect(projectConfig(bareStage, { serverless: 'serverless.yml', stage: 'qa' }).functions.f.environment).toEqual({ SLS: 'qa' });
  });

  it('provider.httpApi.cors gives every httpApi route the Framework\'s CORS (true: its defaults, methods from the routes)', () => {
    const service = (cors: string) => projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x, httpApi: { cors: ${cors} } }
functions:
  a: { handler: handler.handler, events: [{ httpApi: 'GET /a' }, { httpApi: { method: post, path: /a } }] }
  b: { handler: handler.handler, events: [{ httpApi: 'DELETE /b' }] }
`,
    }, ['handler.mjs']);
    const corsOf = (cors: string) => projectConfig(service(cors), { serverless: 'serverless.yml' }).functions.b.events[0];
    expect(corsOf('true')).toEqual({ http: expect.objectContaining({ cors: {
      allowOrigins: ['*'], allowMethods: ['OPTIONS', 'GET', 'POST', 'DELETE'],
      allowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent', 'X-Amzn-Trace-Id'],
      exposeHeaders: [], maxAge: 0, allowCredentials: false,
    } }) });
    expect(corsOf('{ allowedOrigins: [https://app.example], allowedMethods: [GET], allowCredentials: true, maxAge: 300 }')).toEqual({ http: expect.objectContaining({ cors: expect.objectContaining({
      allowOrigins: ['https://app.example'], allowMethods: ['GET'], allowCredentials: true, maxAge: 300,
    }) }) });
  });

  it('a variable it cannot resolve locally (${ssm:}, ${cf:}, a JavaScript or missing file) takes its fallback', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    SSM: \${ssm:/path/param, 'from-ssm-fallback'}
    CF: \${cf:other-stack.Output, 'from-cf-fallback'}
    MISSING: \${file(./missing.yml):value, 'from-file-fallback'}
    JS: \${file(./config.js):value, 'from-js-fallback'}
functions:
  f: { handler: handler.handler }
`,
      'config.js': 'module.exports = { value: 1 };\n',
    }, ['handler.mjs']);
    expect(projectConfig(dir, { serverless: 'serverless.yml' }).functions.f.environment).toEqual({
      SSM: 'from-ssm-fallback', CF: 'from-cf-fallback', MISSING: 'from-file-fallback', JS: 'from-js-fallback',
    });
  });

  it('provider.layers apply to every function without layers of its own; a layer is reported under its name, else its key', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x, layers: [{ Ref: DepsLambdaLayer }] }
layers:
  deps: { path: layers/deps }
  tools: { path: layers/bin-tools, name: shared-tools }
functions:
  inherits: { handler: handler.handler }
  own: { handler: handler.handler, layers: [] }
  both: { handler: handler.handler, layers: [{ Ref: DepsLambdaLayer }, { Ref: ToolsLambdaLayer }] }
`,
    }, ['handler.mjs', 'layers/deps/nodejs/node_modules/dep/index.js', 'layers/bin-tools/bin/tool']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    const { functions } = config;
    expect(functions.inherits.layers).toEqual([path.join(dir, 'layers/deps')]);
    expect(functions.own.layers).toEqual([]);
    expect(functionConfiguration(config, functions.both).Layers).toEqual([
      { Arn: 'arn:aws:lambda:us-east-1:000000000000:layer:deps:1', CodeSize: expect.any(Number) },
      { Arn: 'arn:aws:lambda:us-east-1:000000000000:layer:shared-tools:1', CodeSize: expect.any(Number) },
    ]);
  });

  it('the topic and bucket an sns / s3 event creates are SNSTopic<Name> / S3Bucket<Name> for Ref and GetAtt, and resources of that id extend them', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f:
    handler: handler.handler
    environment:
      TOPIC: { Ref: SNSTopicOrderevents }
      BUCKET: { Ref: S3BucketPhotosdev }
      BUCKET_ARN: { 'Fn::GetAtt': [S3BucketPhotosdev, Arn] }
      UPLOADS: { Ref: S3BucketUploads }
    events:
      - sns: order-events
      - s3: photos-dev
      - s3: { bucket: uploads, event: 's3:ObjectRemoved:*' }
      - s3: { bucket: shared-assets, existing: true }
resources:
  Resources:
    S3BucketUploads: { Properties: { VersioningConfiguration: { Status: Enabled } } }
`,
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(config.functions.f.environment).toEqual({
      TOPIC: 'arn:aws:sns:us-east-1:000000000000:order-events', BUCKET: 'photos-dev', BUCKET_ARN: 'arn:aws:s3:::photos-dev', UPLOADS: 'uploads',
    });
    // Each declared once, under the Framework's logical id; an existing bucket is the event's own.
    expect(config.project!.resources.map((r) => `${r.kind}:${r.logicalId}:${r.name}`)).toEqual([
      'sns:SNSTopicOrderevents:order-events', 's3:S3BucketPhotosdev:photos-dev', 's3:S3BucketUploads:uploads', 's3:shared-assets:shared-assets',
    ]);
    const existing = projectDir({
      'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: nodejs20.x, environment: { B: { Ref: S3BucketSharedassets } } }\nfunctions:\n  f: { handler: handler.handler, events: [{ s3: { bucket: shared-assets, existing: true } }] }\n',
    }, ['handler.mjs']);
    expect(() => projectConfig(existing, { serverless: 'serverless.yml' })).toThrow(/"S3BucketSharedassets" is neither a parameter nor a resource/);
  });

  it('serverless-step-functions state machines are resources for Ref / GetAtt (named as the plugin names them), with a warning that they do not run', () => {
    const dir = projectDir({
      'serverless.yml': JSON.stringify({
        service: 'svc', provider: { name: 'aws', runtime: 'nodejs20.x' }, plugins: ['serverless-step-functions'],
        stepFunctions: { stateMachines: { helloWorld: { name: 'HelloWorldStateMachine', definition: {} }, order_flow: { definition: {} } } },
        functions: { f: { handler: 'handler.handler', environment: {
          HELLO: { 'Fn::GetAtt': ['HelloWorldStateMachine', 'Arn'] }, ORDERS: { Ref: 'OrderUnderscoreflowStepFunctionsStateMachine' },
        } } },
      }),
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(config.functions.f.environment).toEqual({
      HELLO: 'arn:aws:states:us-east-1:000000000000:stateMachine:HelloWorldStateMachine',
      ORDERS: 'arn:aws:states:us-east-1:000000000000:stateMachine:svc-dev-OrderUnderscoreflowStepFunctionsStateMachine',
    });
    expect(config.project!.warnings).toContain('Resources.HelloWorldStateMachine, Resources.OrderUnderscoreflowStepFunctionsStateMachine (AWS::StepFunctions::StateMachine): state machines are not run locally: the functions they call run only when invoked directly');
  });

  it('a bad event setting names the event of serverless.yml it came from (one schedule with two rates is two events of the hub)', () => {
    const events = [{ schedule: { rate: ['rate(1 hour)', 'rate(2 hours)'] } }, { sqs: { arn: 'arn:aws:sqs:us-east-1:000000000000:jobs', batchSize: 20000 } }];
    const dir = projectDir({
      'serverless.yml': JSON.stringify({ service: 'svc', provider: { name: 'aws', runtime: 'nodejs20.x' }, functions: { f: { handler: 'handler.handler', events } } }),
    }, ['handler.mjs']);
    expect(() => projectConfig(dir, { serverless: 'serverless.yml' }))
      .toThrow(/serverless\.yml:\nfunctions\.f\.events\[1\] \(functions\.f\.events\[2\]\.sqs\.batchSize\): must be between 1 and 10000/);
  });

  it('an environment variable set to null (X:, \${env:X, null}) is left out, as the Framework strips null properties', () => {
    const dir = projectDir({
      'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: nodejs20.x, environment: { A: null, B: "${env:TH_UNSET_VAR, null}", C: ok } }\nfunctions:\n  f: { handler: handler.handler, environment: { D: null, E: "${env:TH_UNSET_VAR, \'\'}" } }\n',
    }, ['handler.mjs']);
    expect(projectConfig(dir, { serverless: 'serverless.yml' }).functions.f.environment).toEqual({ C: 'ok', E: '' });
  });

  it('a function whose handler is its AWS_LAMBDA_EXEC_WRAPPER\'s script (the Lambda Web Adapter\'s run.sh) is left out with a warning', () => {
    const dir = projectDir({
      'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: nodejs20.x, environment: { AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap } }\nfunctions:\n  web: { handler: run.sh }\n  f: { handler: handler.handler }\n',
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(Object.keys(config.functions)).toEqual(['f']);
    expect(config.project!.warnings).toEqual([
      "functions.web: not loaded: its handler run.sh is a script its AWS_LAMBDA_EXEC_WRAPPER (/opt/bootstrap, such as the Lambda Web Adapter's) starts, and the hub runs no wrapper scripts",
      'functions.f.environment.AWS_LAMBDA_EXEC_WRAPPER: wrapper scripts are not run locally: the handler runs without /opt/bootstrap',
    ]);
  });

  it('a dynamic reference in an environment variable is a warning', () => {
    const dir = projectDir({ 'serverless.yml': "service: svc\nprovider: { name: aws, runtime: nodejs20.x, environment: { DB: '{{resolve:ssm:/app/db}}' } }\nfunctions:\n  f: { handler: handler.handler }\n" }, ['handler.mjs']);
    expect(projectConfig(dir, { serverless: 'serverless.yml' }).project!.warnings).toEqual([
      'functions.f.environment.DB: {{resolve:ssm:/app/db}} is resolved by CloudFormation from AWS; locally the variable holds that text',
    ]);
  });

  it('function properties that do not apply locally and sqs/stream event properties the Framework does not know are named in warnings', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f:
    handler: handler.handler
    vpc: { securityGroupIds: [sg-1], subnetIds: [subnet-1] }
    provisionedConcurrency: 2
    events:
      - sqs: { arn: 'arn:aws:sqs:us-east-1:000000000000:jobs', batchsize: 5 }
      - stream: { arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks', consumer: true, batchSize: 10 }
resources:
  Resources:
    Jobs: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs } }
    Clicks: { Type: AWS::Kinesis::Stream, Properties: { Name: clicks, ShardCount: 1 } }
`,
    }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(config.project!.warnings).toEqual([
      'functions.f.events[0].sqs: batchsize not a property of a sqs event: ignored',
      'functions.f: vpc, provisionedConcurrency not applied locally',
    ]);
    expect(config.functions.f.events).toEqual([{ sqs: expect.not.objectContaining({ batchSize: 5 }) }, { kinesis: expect.objectContaining({ batchSize: 10 }) }]);
  });

  it('an event named alone (`- alexaSkill`, serverless/examples aws-node-alexa-skill) is named in its warning; a known kind alone needs its settings', () => {
    const service = (event: string) => projectDir({ 'serverless.yml': `service: svc\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: handler.handler, events: [${event}] }\n` }, ['handler.mjs']);
    expect(projectConfig(service('alexaSkill'), { serverless: 'serverless.yml' }).project!.warnings)
      .toEqual(['functions.f.events[0]: alexaSkill events are not supported locally: this trigger does not fire']);
    expect(() => projectConfig(service('sqs'), { serverless: 'serverless.yml' })).toThrow(/functions\.f\.events\[0\]: a sqs event needs its settings: \{ sqs: \.\.\. \}/);
  });

  it('serverless-lift queue and storage constructs become the queues, worker and bucket Lift deploys, with their ${construct:} variables; other constructs are a warning', () => {
    // Reduced from serverless/examples aws-node-sqs-worker and aws-node-s3-file-replicator.
    const dir = projectDir({ 'serverless.yml': `service: worker
plugins: [serverless-lift]
provider: { name: aws, runtime: nodejs20.x, timeout: 10 }
constructs:
  jobs: { type: queue, maxRetries: 5, batchSize: 4, worker: { handler: index.consumer } }
  uploads: { type: storage }
  landing: { type: static-website, path: public }
functions:
  producer:
    handler: index.producer
    environment:
      QUEUE_URL: \${construct:jobs.queueUrl}
      QUEUE_ARN: \${construct:jobs.queueArn}
      BUCKET: \${construct:uploads.bucketName}
    events: [{ httpApi: 'POST /produce' }]
` }, ['index.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(Object.keys(config.functions).sort()).toEqual(['jobsWorker', 'producer']);
    expect(config.functions.jobsWorker.events).toEqual([{ sqs: expect.objectContaining({ queue: 'arn:aws:sqs:us-east-1:000000000000:worker-dev-jobs', batchSize: 4, functionResponseTypes: ['ReportBatchItemFailures'] }) }]);
    expect(config.functions.producer.environment).toMatchObject({
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/worker-dev-jobs',
      QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:worker-dev-jobs',
      BUCKET: 'worker-dev-uploadsbucket',
    });
    const queue = config.project!.resources.find((r) => r.name === 'worker-dev-jobs')!;
    // Lift: 6 × the worker's own timeout (6 s when it sets none: Lift does not read provider.timeout).
    expect(queue).toMatchObject({ kind: 'sqs', attributes: { VisibilityTimeout: '36' } });
    expect(JSON.parse((queue as { attributes: Record<string, string> }).attributes.RedrivePolicy)).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:worker-dev-jobs-dlq', maxReceiveCount: 5 });
    expect(config.project!.resources.find((r) => r.name === 'worker-dev-jobs-dlq')).toMatchObject({ attributes: { MessageRetentionPeriod: '1209600' } });
    expect(config.project!.warnings).toEqual(['constructs.landing (type static-website): serverless-lift constructs of this type are not run locally']);
  });

  it('a Lift queue as Lift deploys it: a worker named by reference, maxBatchingWindow in the visibility timeout, delay, FIFO deduplication, maxConcurrency, batch item failures; a worker naming no function is refused', () => {
    const service = (worker: string) => projectDir({ 'serverless.yml': `service: worker
plugins: [serverless-lift]
provider: { name: aws, runtime: nodejs20.x }
constructs:
  jobs: { type: queue, worker: ${worker}, maxBatchingWindow: 5, batchSize: 20, delay: 30, maxConcurrency: 3 }
  orders: { type: queue, fifo: true, worker: { handler: index.consumer, timeout: 20 } }
functions:
  consume: { handler: index.consumer, timeout: 10, environment: { DLQ: "\${construct:jobs.dlqUrl}" } }
` }, ['index.mjs']);
    const config = projectConfig(service('consume'), { serverless: 'serverless.yml' });
    expect(Object.keys(config.functions).sort()).toEqual(['consume', 'ordersWorker']);
    expect(config.functions.consume.events).toEqual([{ sqs: expect.objectContaining({
      queue: 'arn:aws:sqs:us-east-1:000000000000:worker-dev-jobs', batchSize: 20, maximumBatchingWindowInSeconds: 5, maximumConcurrency: 3, functionResponseTypes: ['ReportBatchItemFailures'],
    }) }]);
    expect(config.functions.consume.environment).toMatchObject({ DLQ: 'https://sqs.us-east-1.amazonaws.com/000000000000/worker-dev-jobs-dlq' });
    const attributes = (name: string) => (config.project!.resources.find((r) => r.name === name) as { attributes: Record<string, string> }).attributes;
    expect(attributes('worker-dev-jobs')).toMatchObject({ VisibilityTimeout: '65', DelaySeconds: '30' });
    expect(attributes('worker-dev-orders.fifo')).toMatchObject({ VisibilityTimeout: '120', FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    expect(() => projectConfig(service('missing'), { serverless: 'serverless.yml' }))
      .toThrow('constructs.jobs.worker: "missing" is not a function of functions:, as Lift requires of a worker named by reference');
  });

  it('plugins the hub does not stand in for (serverless-offline and the TypeScript bundlers it does) are one warning naming them; both plugins: forms', () => {
    const service = (plugins: string) => projectDir({ 'serverless.yml': `service: svc\nplugins: ${plugins}\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: handler.handler }\n` }, ['handler.mjs']);
    const warnings = (plugins: string) => projectConfig(service(plugins), { serverless: 'serverless.yml' }).project!.warnings;
    expect(warnings('[serverless-offline, serverless-esbuild, serverless-offline-sqs, serverless-step-functions, serverless-dotenv-plugin]')).toEqual([
      'plugins: serverless-step-functions, serverless-dotenv-plugin not run locally: what they add to the service does not apply',
    ]);
    expect(warnings('{ localPath: ./plugins, modules: [serverless-webpack, my-plugin] }')).toEqual(['plugins: my-plugin not run locally: what they add to the service does not apply']);
    expect(warnings('[serverless-offline, serverless-plugin-typescript]')).toEqual([]);
    // serverless/examples aws-node-rest-api-with-dynamodb-and-offline: the local cloud does that plugin's work, but for its seed data.
    expect(warnings('[serverless-dynamodb-local, serverless-dynamodb, serverless-s3-local]')).toEqual([]);
    const seeded = projectDir({ 'serverless.yml': 'service: svc\nplugins: [serverless-dynamodb]\ncustom: { dynamodb: { start: { migrate: true }, seed: { dev: { sources: [{ table: t, sources: [./seed.json] }] } } } }\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: handler.handler }\n' }, ['handler.mjs']);
    expect(projectConfig(seeded, { serverless: 'serverless.yml' }).project!.warnings).toEqual(['custom.dynamodb.seed: not loaded locally: the tables of resources are created empty in the local cloud']);
  });

  it('${self:a.b.c} walks through a variable on its way (custom.config: ${file(...)} or another ${self:}), as the Framework resolves it', () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
custom:
  config: \${file(./config.\${sls:stage}.yml)}
  stages: { dev: { queue: jobs-dev }, prod: { queue: jobs-prod } }
  current: \${self:custom.stages.\${sls:stage}}
  skills: [{ id: amzn1.ask.skill.one }, { id: amzn1.ask.skill.two }]
provider:
  name: aws
  runtime: nodejs20.x
  environment: { TABLE: '\${self:custom.config.table}', QUEUE: '\${self:custom.current.queue}', SKILL: '\${self:custom.skills.1.id}', REGIONS: '\${file(./config.dev.yml):regions.0}' }
functions:
  f: { handler: handler.handler }
`,
      'config.dev.yml': 'table: orders-dev\nregions: [eu-west-1]\n',
      'config.prod.yml': 'table: orders-prod\n',
    }, ['handler.mjs']);
    // A number indexes a list (serverless/examples aws-alexa-typescript: \${self:custom.alexa.skills.0.id}).
    const both = { SKILL: 'amzn1.ask.skill.two', REGIONS: 'eu-west-1' };
    expect(projectConfig(dir, { serverless: 'serverless.yml' }).functions.f.environment).toEqual({ TABLE: 'orders-dev', QUEUE: 'jobs-dev', ...both });
    expect(projectConfig(dir, { serverless: 'serverless.yml', stage: 'prod' }).functions.f.environment).toEqual({ TABLE: 'orders-prod', QUEUE: 'jobs-prod', ...both });
  });

  it('${strToBool(...)} gives a boolean ("true"/"1", "false"/"0"), as the Framework\'s; other text is an error naming the property', () => {
    const dir = projectDir({ 'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f:
    handler: handler.handler
    events:
      - schedule: { rate: rate(1 hour), enabled: '\${strToBool(\${env:NIGHTLY, "false"})}' }
` }, ['handler.mjs']);
    const enabled = (NIGHTLY?: string) => {
      const config = buildConfig({ serverless: 'serverless.yml' }, { baseDir: dir, env: NIGHTLY === undefined ? {} : { NIGHTLY } });
      return (config.functions.f.events[0] as { schedule: { enabled: boolean } }).schedule.enabled;
    };
    expect([enabled(), enabled('1'), enabled('TRUE'), enabled('0')]).toEqual([false, true, true, false]);
    expect(() => enabled('yes')).toThrow(/serverless\.yml: functions\.f\.events\[0\]\.schedule\.enabled: \$\{strToBool\(yes\)\}: expected "true", "false", "0" or "1"/);
  });

  it('an event\'s enabled given as the text "false" (quoted, ${env:}, ${param:}) disables it, as the Framework\'s validation coerces it; "true" enables it (and enableSimpleResponses)', () => {
    const dir = projectDir({ 'serverless.yml': `service: svc
provider:
  name: aws
  runtime: nodejs20.x
  httpApi: { authorizers: { lambda: { type: request, functionName: auth, enableSimpleResponses: '\${param:on}' } } }
stages: { default: { params: { on: 'true', off: 'false' } } }
functions:
  auth: { handler: handler.handler }
  f:
    handler: handler.handler
    events:
      - httpApi: { path: /a, method: GET, authorizer: { name: lambda } }
      - sqs: { arn: 'arn:aws:sqs:us-east-1:000000000000:off', enabled: 'false' }
      - sqs: { arn: 'arn:aws:sqs:us-east-1:000000000000:from-env', enabled: '\${env:QUEUE_ON}' }
      - stream: { arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/off', enabled: '\${param:off}' }
      - stream: { arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/on', enabled: '\${param:on}' }
      - schedule: { rate: rate(1 hour), enabled: 'false' }
      - schedule: { rate: rate(2 hours), enabled: '\${param:on}' }
` }, ['handler.mjs']);
    const config = buildConfig({ serverless: 'serverless.yml' }, { baseDir: dir, env: { QUEUE_ON: 'false' } });
    expect(config.functions.f.events).toEqual([
      { http: expect.objectContaining({ authorizer: expect.objectContaining({ enableSimpleResponses: true }) }) },
      { kinesis: expect.objectContaining({ stream: 'on' }) },
      { schedule: expect.objectContaining({ expression: 'rate(1 hour)', enabled: false }) },
      { schedule: expect.objectContaining({ expression: 'rate(2 hours)', enabled: true }) },
    ]);
    expect(config.project!.warnings.filter((w) => w.includes('enabled is false'))).toHaveLength(3);
  });

  it('a container image function (image:) is not loaded, with a warning, as a SAM PackageType: Image one', () => {
    const dir = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: nodejs20.x, ecr: { images: { app: { path: ./ } } } }\nfunctions:\n  fromImage: { image: app }\n  plain: { handler: handler.handler }\n' }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(Object.keys(config.functions)).toEqual(['plain']);
    expect(config.project!.warnings).toEqual(['functions.fromImage: not loaded: only functions with local code run (image: is a container image)']);
  });

  it('a function whose runtime does not run here (java21, the provider\'s dotnet8) is left out with a warning; the rest runs', () => {
    const dir = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws, runtime: dotnet8 }\nfunctions:\n  billing: { handler: Billing::Handler }\n  report: { handler: Report::Run, runtime: java21 }\n  plain: { handler: handler.handler, runtime: nodejs20.x }\n' }, ['handler.mjs']);
    const config = projectConfig(dir, { serverless: 'serverless.yml' });
    expect(Object.keys(config.functions)).toEqual(['plain']);
    expect(config.project!.warnings).toEqual([
      expect.stringMatching(/^functions\.billing: not loaded: runtime dotnet8 does not run here \(Node\.js nodejs18\.x/),
      expect.stringMatching(/^functions\.report: not loaded: runtime java21 does not run here/),
    ]);
  });

  it('useDotenv: true reads .env.<stage>, else .env, under the environment (which wins), and hot reload watches it', () => {
    const service = (files: Record<string, string>) => projectDir({
      'serverless.yml': 'service: svc\nuseDotenv: true\nprovider: { name: aws, runtime: nodejs20.x, stage: qa, environment: { A: "${env:TH_DOTENV_A}", B: "${env:TH_DOTENV_B}" } }\nfunctions:\n  f: { handler: handler.handler }\n',
      ...files,
    }, ['handler.mjs']);
    const staged = service({ '.env.qa': 'TH_DOTENV_A=from-stage-file\nTH_DOTENV_B=from-file\n', '.env': 'TH_DOTENV_A=from-default-file\n' });
    const config = buildConfig({ serverless: 'serverless.yml' }, { baseDir: staged, env: { TH_DOTENV_B: 'from-environment' } });
    expect(config.functions.f.environment).toEqual({ A: 'from-stage-file', B: 'from-environment' });
    expect(watchPlan(config).configFiles).toContain(path.join(staged, '.env.qa'));
    const plain = service({ '.env': 'TH_DOTENV_A=from-default-file\nTH_DOTENV_B=b\n' });
    expect(projectConfig(plain, { serverless: 'serverless.yml' }).functions.f.environment).toEqual({ A: 'from-default-file', B: 'b' });
  });

  it('a serverless.yml without a service name is refused, not run as the stack undefined-dev', () => {
    const dir = projectDir({ 'serverless.yml': 'provider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  f: { handler: handler.handler }\n' }, ['handler.mjs']);
    expect(() => projectConfig(dir, { serverless: 'serverless.yml' })).toThrow(/serverless\.yml: service: is required/);
  });

  it('a service of another provider (serverless/examples azure-node-simple-http-endpoint) is refused by its provider.name', () => {
    const dir = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: azure, runtime: nodejs12 }\nfunctions:\n  hello: { handler: src/handlers/hello.sayHello, events: [{ http: true }] }\n' });
    expect(() => projectConfig(dir, { serverless: 'serverless.yml' })).toThrow(/serverless\.yml: provider\.name: azure is not aws: the hub runs AWS Lambda services/);
  });

  it('names the property of a variable it cannot resolve', () => {
    const dir = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws }\nfunctions:\n  f: { handler: handler.handler, environment: { X: "${ssm:/path/param}", Y: "${env:NOPE}" } }\n' }, ['handler.mjs']);
    expect(() => projectConfig(dir, { serverless: 'serverless.yml' })).toThrow(/serverless\.yml: functions\.f\.environment\.X: \$\{ssm:\/path\/param\}: the ssm variable source needs AWS/);
    const js = projectDir({ 'serverless.yml': 'service: svc\nprovider: { name: aws }\nfunctions:\n  f: { handler: handler.handler, environment: { X: "${file(./config.js):value}", Y: "${file(./missing.yml):value}" } }\n', 'config.js': '' }, ['handler.mjs']);
    expect(() => projectConfig(js, { serverless: 'serverless.yml' })).toThrow(/functions\.f\.environment\.X: \$\{file\(\.\/config\.js\):value\}: JavaScript files are not evaluated locally/);
  });
});
