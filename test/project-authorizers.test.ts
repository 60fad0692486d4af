import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema, APIGatewayRequestAuthorizerEventSchema,
  APIGatewayRequestAuthorizerEventV2Schema, APIGatewayTokenAuthorizerEventSchema,
} from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.js';
import { PROJECTS, startProjectHub } from './helpers/project-hub.js';
import { projectConfig, projectDir } from './helpers/template-project.js';

type Route = { authorizer?: unknown };
/** Each route's authorizer setting (api or http), in event order. */
const authorizers = (events: unknown[]) => events.map((e) => ((e as { api?: Route }).api ?? (e as { http?: Route }).http)?.authorizer);

const DIR = path.join(PROJECTS, 'authorizers');

/** The same API, protected the same way, from a SAM template and from a serverless.yml: the authorizers run as API Gateway runs them. */
describe.each([
  { format: 'SAM template', project: { template: path.join(DIR, 'template.yaml') }, jwt: 'Resources.HttpApi.Properties.Auth.Authorizers.OAuth' },
  { format: 'serverless.yml', project: { serverless: path.join(DIR, 'serverless.yml'), stage: 'dev' }, jwt: 'provider.httpApi.authorizers.oauth' },
])('project authorizers: $format', ({ project, jwt }) => {
  let hub: Hub;
  beforeAll(async () => { hub = await startProjectHub(project); });
  afterAll(async () => hub?.stop());

  const get = async (route: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${hub.url}${route}`, { headers });
    return { status: response.status, body: await response.text() };
  };

  it('a TOKEN authorizer gates the REST route: the handler sees its context, refusals are API Gateway\'s', async () => {
    const allowed = await get('/orders/7', { authorization: 'Bearer alice' });
    expect(allowed.status).toBe(200);
    const event = JSON.parse(allowed.body);
    expect(() => APIGatewayProxyEventSchema.parse(event)).not.toThrow();
    expect(event.requestContext.authorizer).toMatchObject({ principalId: 'alice', user: 'alice', integrationLatency: expect.any(Number) });
    const tokenEvent = JSON.parse(event.requestContext.authorizer.authorizerEvent);
    expect(() => APIGatewayTokenAuthorizerEventSchema.parse(tokenEvent)).not.toThrow();
    expect(tokenEvent).toEqual({ type: 'TOKEN', authorizationToken: 'Bearer alice', methodArn: expect.stringMatching(/\/GET\/orders\/7$/) });

    expect(await get('/orders/7')).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    // The validation expression refuses it without asking the authorizer.
    expect(await get('/orders/7', { authorization: 'Basic YWxpY2U6' })).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/orders/7', { authorization: 'Bearer expired' })).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/orders/7', { authorization: 'Bearer mallory' }))
      .toEqual({ status: 403, body: '{"Message":"User is not authorized to access this resource with an explicit deny"}' });
  });

  it('a REQUEST authorizer gets the request with its identity sources (a header and a query parameter)', async () => {
    expect(await get('/tenant?tenant=acme')).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect((await get('/tenant', { 'X-Api-Key': 'key-acme' })).status).toBe(401);
    expect((await get('/tenant?tenant=acme', { 'X-Api-Key': 'key-other' })).status).toBe(403);
    const allowed = await get('/tenant?tenant=acme', { 'X-Api-Key': 'key-acme' });
    expect(allowed.status).toBe(200);
    const event = JSON.parse(allowed.body);
    expect(() => APIGatewayProxyEventSchema.parse(event)).not.toThrow();
    expect(event.requestContext.authorizer).toMatchObject({ principalId: 'tenant-acme', tenant: 'acme' });
    const requestEvent = JSON.parse(event.requestContext.authorizer.authorizerEvent);
    expect(() => APIGatewayRequestAuthorizerEventSchema.parse(requestEvent)).not.toThrow();
    expect(requestEvent).toMatchObject({ type: 'REQUEST', resource: '/tenant', httpMethod: 'GET', queryStringParameters: { tenant: 'acme' } });
  });

  it('a route without an authorizer (SAM: Authorizer NONE over the DefaultAuthorizer) is open', async () => {
    const open = await get('/health');
    expect(open.status).toBe(200);
    expect(JSON.parse(open.body).requestContext.authorizer).toBeUndefined();
  });

  it('an HTTP API Lambda authorizer with simple responses: the context lands in requestContext.authorizer.lambda', async () => {
    expect(await get('/me')).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(await get('/me', { authorization: 'nope' })).toEqual({ status: 403, body: '{"message":"Forbidden"}' });
    const allowed = await get('/me', { authorization: 'let-me-in' });
    expect(allowed.status).toBe(200);
    const event = JSON.parse(allowed.body);
    expect(() => APIGatewayProxyEventV2Schema.parse(event)).not.toThrow();
    const { via, authorizerEvent } = event.requestContext.authorizer.lambda;
    expect(via).toBe('simple');
    expect(() => APIGatewayRequestAuthorizerEventV2Schema.parse(authorizerEvent)).not.toThrow();
    expect(authorizerEvent).toMatchObject({ version: '2.0', type: 'REQUEST', identitySource: ['let-me-in'], routeKey: 'GET /me' });
  });

  it('a JWT authorizer is not emulated: the route is open and a warning names it', async () => {
    expect((await get('/profile')).status).toBe(200);
    const warnings = hub.config.project!.warnings;
    expect(warnings.filter((w) => /authoriz/i.test(w))).toEqual([expect.stringContaining(`${jwt}: a JWT`)]);
  });
});

/** A SAM template of an authorizer function `Auth` (handler `authHandler`) and a function `Fn` with these events, after `globals` (Globals' sections beside Function). */
function samTemplate(events: string, { globals = '', resources = '', authHandler = 'app.handler' } = {}) {
  return `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs20.x, Timeout: 5 }
${globals}Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: { Handler: ${authHandler} }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
${events}${resources}`;
}

/** The config of samTemplate(events, options). */
const samConfig = (events: string, options: { globals?: string; resources?: string } = {}) =>
  projectConfig(projectDir({ 'template.yaml': samTemplate(events, options) }, ['app.mjs']), { template: 'template.yaml' });

describe('SAM Auth → route authorizers', () => {
  it("takes samtranslator's defaults (TOKEN, the Authorization header, API Gateway's 300 s cache); Globals.Api.Auth covers the implicit API", () => {
    const config = samConfig(`        Default: { Type: Api, Properties: { Path: /a, Method: GET } }
        Custom: { Type: Api, Properties: { Path: /b, Method: GET, Auth: { Authorizer: Custom } } }
        Request: { Type: Api, Properties: { Path: /c, Method: GET, Auth: { Authorizer: Request } } }
        Open: { Type: Api, Properties: { Path: /d, Method: GET, Auth: { Authorizer: NONE } } }
`, { globals: `  Api:
    Auth:
      DefaultAuthorizer: Token
      Authorizers:
        Token: { FunctionArn: !GetAtt Auth.Arn }
        Custom: { FunctionArn: !GetAtt Auth.Arn, Identity: { Header: X-Token, ValidationExpression: '^t-', ReauthorizeEvery: 60 } }
        Request: { FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: REQUEST, Identity: { Headers: [X-A], QueryStrings: [q], StageVariables: [s] } }
` });
    const settings = { enableSimpleResponses: false };
    expect(authorizers(config.functions.Fn.events)).toEqual([
      { function: 'Auth', identitySource: ['method.request.header.Authorization'], resultTtlInSeconds: 300, ...settings },
      { function: 'Auth', identitySource: ['method.request.header.X-Token'], validationExpression: '^t-', resultTtlInSeconds: 60, ...settings },
      { function: 'Auth', type: 'REQUEST', identitySource: ['method.request.header.X-A', 'method.request.querystring.q'], resultTtlInSeconds: 300, ...settings },
      undefined,
    ]);
    expect(config.project!.warnings).toContain('Globals.Api.Auth.Authorizers.Request.Identity: stageVariables.s not checked locally (headers and query strings are; the cache keys on those alone)');
  });

  it('HttpApi Lambda authorizers: identity headers, no cache without identity sources, a payload format other than the route\'s named', () => {
    const config = samConfig(`        Me: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /me, Method: GET } }
        Plain: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /plain, Method: GET, Auth: { Authorizer: Plain } } }
`, { resources: `  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple: { FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, Identity: { Headers: [X-Key] } }
          Plain: { FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '1.0' }
` });
    expect(authorizers(config.functions.Fn.events)).toEqual([
      { function: 'Auth', identitySource: ['$request.header.X-Key'], resultTtlInSeconds: 300, enableSimpleResponses: true },
      { function: 'Auth', identitySource: [], resultTtlInSeconds: 0, enableSimpleResponses: false },
    ]);
    expect(config.project!.warnings).toContain("Resources.Api.Properties.Auth.Authorizers.Plain.AuthorizerPayloadFormatVersion: 1.0: locally the authorizer gets the route's payload format 2.0");
  });

  it('Cognito, JWT and AWS_IAM authorizers, and a function of another stack, leave the route open with a warning naming them', () => {
    const config = samConfig(`        Cognito: { Type: Api, Properties: { Path: /a, Method: GET, Auth: { Authorizer: Pool } } }
        Iam: { Type: Api, Properties: { Path: /b, Method: GET, Auth: { Authorizer: AWS_IAM } } }
        Foreign: { Type: Api, Properties: { Path: /c, Method: GET, Auth: { Authorizer: Foreign } } }
        Jwt: { Type: HttpApi, Properties: { Path: /d, Method: GET, Auth: { Authorizer: Jwt } } }
`, { globals: `  Api:
    Auth:
      Authorizers:
        Pool: { UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x }
        Foreign: { FunctionArn: arn:aws:lambda:us-east-1:000000000000:function:shared-auth }
  HttpApi:
    Auth:
      Authorizers:
        Jwt: { IdentitySource: $request.header.Authorization, JwtConfiguration: { issuer: https://issuer.example, audience: [a] } }
` });
    expect(authorizers(config.functions.Fn.events)).toEqual([undefined, undefined, undefined, undefined]);
    expect(config.project!.warnings.filter((w) => /authoriz/i.test(w))).toEqual([
      expect.stringMatching(/^Globals\.Api\.Auth\.Authorizers\.Pool: a Cognito user pool authorizer is not emulated .*: the route is open$/),
      'Resources.Fn.Properties.Events.Iam.Properties.Auth.Authorizer: AWS_IAM (SigV4) authorization of Api routes is not checked locally: the route is open',
      expect.stringMatching(/^Globals\.HttpApi\.Auth\.Authorizers\.Jwt: a JWT \(OAuth2\) authorizer is not emulated .*: the route is open$/),
      'Fn: the authorizer of its api route /c is shared-auth, not a function of this project that runs here: the route is open',
    ]);
  });

  it("a FunctionArn of another region, account or partition is not the project's function of that name: the route is open with a warning naming what differs", () => {
    const config = samConfig(`        Region: { Type: Api, Properties: { Path: /a, Method: GET, Auth: { Authorizer: Region } } }
        Account: { Type: Api, Properties: { Path: /b, Method: GET, Auth: { Authorizer: Account } } }
        Partition: { Type: Api, Properties: { Path: /c, Method: GET, Auth: { Authorizer: Partition } } }
        Home: { Type: Api, Properties: { Path: /d, Method: GET, Auth: { Authorizer: Home } } }
`, { globals: `  Api:
    Auth:
      Authorizers:
        Region: { FunctionArn: !Sub "arn:aws:lambda:us-west-2:\${AWS::AccountId}:function:\${Auth}" }
        Account: { FunctionArn: !Sub "arn:aws:lambda:\${AWS::Region}:111111111111:function:\${Auth}" }
        Partition: { FunctionArn: !Sub "arn:aws-cn:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${Auth}" }
        Home: { FunctionArn: !Sub "arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${Auth}" }
` });
    const [region, account, partition, home] = authorizers(config.functions.Fn.events) as Array<{ function: string } | undefined>;
    expect([region, account, partition]).toEqual([undefined, undefined, undefined]);
    expect(home?.function).toBe('Auth');
    const warnings = config.project!.warnings.filter((w) => /FunctionArn/.test(w));
    expect(warnings).toEqual([
      expect.stringMatching(/^Globals\.Api\.Auth\.Authorizers\.Region\.FunctionArn: arn:aws:lambda:us-west-2:000000000000:function:\S+ is a function of region us-west-2, not the hub's us-east-1, not of this project: the route is open$/),
      expect.stringMatching(/^Globals\.Api\.Auth\.Authorizers\.Account\.FunctionArn: \S+ is a function of account 111111111111, not the hub's 000000000000, not of this project: the route is open$/),
      expect.stringMatching(/^Globals\.Api\.Auth\.Authorizers\.Partition\.FunctionArn: arn:aws-cn:\S+ is a function of partition aws-cn, not the hub's aws \(region us-east-1\), not of this project: the route is open$/),
    ]);
  });

  it("a default authorizer the hub does not run is one warning, not one per route it covers", () => {
    const config = samConfig(`        A: { Type: Api, Properties: { Path: /a, Method: GET } }
        B: { Type: Api, Properties: { Path: /b, Method: GET } }
        C: { Type: Api, Properties: { Path: /c, Method: POST } }
`, { globals: `  Api:
    Auth:
      DefaultAuthorizer: Pool
      Authorizers:
        Pool: { UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x }
` });
    expect(authorizers(config.functions.Fn.events)).toEqual([undefined, undefined, undefined]);
    expect(config.project!.warnings.filter((w) => /authoriz/i.test(w))).toEqual([
      expect.stringMatching(/^Globals\.Api\.Auth\.Authorizers\.Pool: a Cognito user pool authorizer is not emulated .*: the route is open$/),
    ]);
  });

  it("a JWT or Cognito authorizer's settings from a nested stack's Outputs (serverless-patterns cognito-httpapi) do not stop the template: the route is open with the warning", () => {
    const config = samConfig(`        Cognito: { Type: Api, Properties: { Path: /a, Method: GET, Auth: { Authorizer: Pool } } }
        Jwt: { Type: HttpApi, Properties: { Path: /d, Method: GET, Auth: { Authorizer: Jwt } } }
`, { globals: `  Api:
    Auth:
      Authorizers:
        Pool: { UserPoolArn: !GetAtt AuthStack.Outputs.UserPoolArn }
  HttpApi:
    Auth:
      Authorizers:
        Jwt:
          IdentitySource: $request.header.Authorization
          JwtConfiguration: { issuer: !GetAtt AuthStack.Outputs.Issuer, audience: [!GetAtt AuthApp.Outputs.ClientId] }
`, resources: `  AuthStack: { Type: AWS::CloudFormation::Stack, Properties: { TemplateURL: auth.yaml } }
  AuthApp: { Type: AWS::Serverless::Application, Properties: { Location: auth.yaml } }
` });
    expect(authorizers(config.functions.Fn.events)).toEqual([undefined, undefined]);
    expect(config.project!.warnings.filter((w) => /authoriz/i.test(w))).toEqual([
      expect.stringMatching(/^Globals\.Api\.Auth\.Authorizers\.Pool: a Cognito user pool authorizer is not emulated .*: the route is open$/),
      expect.stringMatching(/^Globals\.HttpApi\.Auth\.Authorizers\.Jwt: a JWT \(OAuth2\) authorizer is not emulated .*: the route is open$/),
    ]);
  });

  it("the OPTIONS method SAM generates for Cors gets the DefaultAuthorizer (AddDefaultAuthorizerToCorsPreflight, default true), whatever the path's events' own Authorizer", () => {
    const config = samConfig(`        Default: { Type: Api, Properties: { Path: /a, Method: GET } }
        Open: { Type: Api, Properties: { Path: /b, Method: GET, Auth: { Authorizer: NONE } } }
        Other: { Type: Api, Properties: { RestApiId: !Ref OpenPreflight, Path: /c, Method: GET } }
        Own: { Type: Api, Properties: { RestApiId: !Ref OpenPreflight, Path: /c, Method: OPTIONS } }
        Http: { Type: HttpApi, Properties: { ApiId: !Ref Http, Path: /d, Method: GET } }
`, { globals: `  Api:
    Cors: "'https://app.example'"
    Auth:
      DefaultAuthorizer: Token
      Authorizers:
        Token: { FunctionArn: !GetAtt Auth.Arn, Identity: { ReauthorizeEvery: 0 } }
`, resources: `  OpenPreflight:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Cors: "'https://app.example'"
      Auth:
        DefaultAuthorizer: Token
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers:
          Token: { FunctionArn: !GetAtt Auth.Arn }
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: { AllowOrigins: [https://app.example] }
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple: { FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true }
` });
    const token = { function: 'Auth', identitySource: ['method.request.header.Authorization'], resultTtlInSeconds: 0, enableSimpleResponses: false };
    const cors = config.functions.Fn.events.map((e) => ((e as { api?: { cors?: { authorizer?: unknown } } }).api?.cors?.authorizer ?? null));
    // /a and /b (NONE opens the GET, not the OPTIONS SAM adds); /c: false leaves the preflight and an OPTIONS event relying on the default open.
    expect(cors).toEqual([token, token, null, null, null]);
    expect(authorizers(config.functions.Fn.events)).toEqual([token, undefined, expect.objectContaining({ function: 'Auth' }), undefined, expect.objectContaining({ function: 'Auth' })]);
    // HTTP APIs answer preflights themselves (CorsConfiguration), without authorizers.
    expect((config.functions.Fn.events[4] as { http: { cors?: unknown } }).http.cors).toEqual(expect.not.objectContaining({ authorizer: expect.anything() }));
    expect(() => samConfig(`        E: { Type: Api, Properties: { Path: /a, Method: GET } }
`, { globals: `  Api:
    Cors: "'*'"
    Auth: { DefaultAuthorizer: A, AddDefaultAuthorizerToCorsPreflight: "no", Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn } } }
` }))
      .toThrow(/: Globals\.Api\.Auth\.AddDefaultAuthorizerToCorsPreflight: must be true or false, not "no"$/);
    // A DefaultAuthorizer of another stack leaves the preflight open too, and says so.
    const foreign = samConfig(`        E: { Type: Api, Properties: { Path: /a, Method: GET, Auth: { Authorizer: NONE } } }
`, { globals: `  Api:
    Cors: "'*'"
    Auth: { DefaultAuthorizer: A, Authorizers: { A: { FunctionArn: arn:aws:lambda:us-east-1:000000000000:function:shared-auth } } }
` });
    expect((foreign.functions.Fn.events[0] as { api: { cors: Record<string, unknown> } }).api.cors.authorizer).toBeUndefined();
    expect(foreign.project!.warnings).toContain('Fn: the authorizer of the CORS preflight (OPTIONS) of its api route /a is shared-auth, not a function of this project that runs here: the preflight is open');
  });

  it('what SAM refuses is an error naming the property', () => {
    const api = (auth: string, event = 'Auth: { Authorizer: A }') => () => samConfig(`        E: { Type: Api, Properties: { Path: /a, Method: GET, ${event} } }
`, { globals: `  Api:\n    Auth: ${auth}\n` });
    expect(api('{ Authorizers: { B: { FunctionArn: !GetAtt Auth.Arn } } }')).toThrow(/Events\.E\.Properties\.Auth\.Authorizer: A is not one of Globals\.Api\.Auth\.Authorizers \(B\)/);
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: REQUEST } } }')).toThrow(/Authorizers\.A\.Identity: must name at least one of Headers/);
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: COGNITO } } }')).toThrow(/Authorizers\.A\.FunctionPayloadType: must be TOKEN or REQUEST/);
    // What the hub's own route authorizer refuses is named where the template has it, not as functions.Fn.events[0].api.authorizer.
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, Identity: { ValidationExpression: "(" } } } }')).toThrow(/: Globals\.Api\.Auth\.Authorizers\.A\.Identity\.ValidationExpression: must be a valid regular expression, not "\("$/);
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, Identity: { ReauthorizeEvery: soon } } } }')).toThrow(/: Globals\.Api\.Auth\.Authorizers\.A\.Identity\.ReauthorizeEvery: must be a number, not "soon"$/);
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: REQUEST, Identity: { Headers: [X-A], ReauthorizeEvery: 1.5 } } } }')).toThrow(/Authorizers\.A\.Identity\.ReauthorizeEvery: must be an integer between 0 and 3600, not 1\.5$/);
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: REQUEST, Identity: { Headers: ["X A"] } } } }')).toThrow(/Authorizers\.A\.Identity: must name a header or query parameter: .*, not "method\.request\.header\.X A"$/);
    const http = (authorizer: string) => () => samConfig(`        E: { Type: HttpApi, Properties: { Path: /a, Method: GET, Auth: { Authorizer: A } } }
`, { globals: `  HttpApi:\n    Auth: { Authorizers: { A: ${authorizer} } }\n` });
    expect(http("{ FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '2.0', Identity: { Headers: Authorization } }")).toThrow(/Authorizers\.A\.Identity\.Headers: must be a list of names/);
    expect(http('{ FunctionArn: !GetAtt Auth.Arn }')).toThrow(/Authorizers\.A\.AuthorizerPayloadFormatVersion: must be '1\.0' or '2\.0' \(SAM requires it/);
    expect(http("{ FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '1.0', EnableSimpleResponses: true }")).toThrow(/Authorizers\.A\.EnableSimpleResponses: needs AuthorizerPayloadFormatVersion 2\.0/);
    expect(http("{ FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '2.0', Identity: { Headers: [Authorization], ReauthorizeEvery: 7200 } }"))
      .toThrow(/: Globals\.HttpApi\.Auth\.Authorizers\.A\.Identity\.ReauthorizeEvery: must be between 0 and 3600, not 7200$/);
    // samtranslator's AuthProperties per API type: a REST API's setting on an HttpApi is "Invalid value for 'Auth' property".
    const httpAuth = (auth: string) => () => samConfig(`        E: { Type: HttpApi, Properties: { Path: /a, Method: GET } }
`, { globals: `  HttpApi:\n    Auth: ${auth}\n` });
    expect(httpAuth("{ DefaultAuthorizer: A, AddDefaultAuthorizerToCorsPreflight: false, Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '2.0' } } }"))
      .toThrow(/: Globals\.HttpApi\.Auth\.AddDefaultAuthorizerToCorsPreflight: Invalid value for 'Auth' property: an AWS::Serverless::HttpApi's Auth takes Authorizers, DefaultAuthorizer, EnableIamAuthorizer/);
    expect(api('{ Authorizers: { A: { FunctionArn: !GetAtt Auth.Arn } }, EnableIamAuthorizer: true }')).toThrow(/Globals\.Api\.Auth\.EnableIamAuthorizer: Invalid value for 'Auth' property/);
    expect(httpAuth("{ EnableIamAuthorizer: true }")).not.toThrow();
  });
});

/** A serverless.yml of an authorizer function `auth` and a function `fn` with these events, under this `provider`. */
function serverlessConfig(events: string, provider = '') {
  const file = `service: svc
provider:
  name: aws
  runtime: nodejs20.x
${provider}functions:
  auth: { handler: app.handler }
  fn:
    handler: app.handler
    events:
${events}`;
  return projectConfig(projectDir({ 'serverless.yml': file }, ['app.mjs']), { serverless: 'serverless.yml' });
}

describe('serverless.yml authorizers → route authorizers', () => {
  it("takes the Framework's defaults: a function name is a TOKEN authorizer on the Authorization header, cached 300 s; identitySource a comma-separated text", () => {
    const config = serverlessConfig(`      - http: { path: a, method: get, authorizer: auth }
      - http: { path: b, method: get, authorizer: { name: auth, type: request, identitySource: 'method.request.header.X-A, method.request.querystring.q', resultTtlInSeconds: 30 } }
      - httpApi: { path: /c, method: GET, authorizer: { name: lambda } }
`, `  httpApi:
    authorizers:
      lambda: { type: request, functionName: auth, identitySource: [$request.header.X-Key] }
`);
    const settings = { enableSimpleResponses: false };
    expect(authorizers(config.functions.fn.events)).toEqual([
      { function: 'auth', type: 'TOKEN', identitySource: ['method.request.header.Authorization'], resultTtlInSeconds: 300, ...settings },
      { function: 'auth', type: 'REQUEST', identitySource: ['method.request.header.X-A', 'method.request.querystring.q'], resultTtlInSeconds: 30, ...settings },
      { function: 'auth', identitySource: ['$request.header.X-Key'], resultTtlInSeconds: 300, ...settings },
    ]);
  });

  it('aws_iam, Cognito, JWT and other services\' authorizers leave the route open with a warning naming them', () => {
    const config = serverlessConfig(`      - http: { path: a, method: get, authorizer: aws_iam }
      - http: { path: b, method: get, authorizer: { arn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x' } }
      - http: { path: c, method: get, authorizer: 'arn:aws:lambda:us-east-1:000000000000:function:shared-auth' }
      - httpApi: { path: /d, method: GET, authorizer: { name: jwt } }
      - httpApi: { path: /e, method: GET, authorizer: { type: aws_iam } }
      - http: { path: f, method: get, authorizer: ghost }
`, `  httpApi:
    authorizers:
      jwt: { identitySource: $request.header.Authorization, issuerUrl: 'https://issuer.example', audience: [a] }
`);
    expect(authorizers(config.functions.fn.events)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(config.project!.warnings.filter((w) => /authoriz/i.test(w))).toEqual([
      'functions.fn.events[0].http.authorizer: aws_iam (SigV4) authorization of REST routes is not checked locally: the route is open',
      expect.stringMatching(/^functions\.fn\.events\[1\]\.http\.authorizer: a Cognito user pool authorizer is not emulated/),
      'functions.fn.events[2].http.authorizer.arn: an authorizer of another service is not run locally: the route is open',
      expect.stringMatching(/^provider\.httpApi\.authorizers\.jwt: a JWT authorizer is not emulated .*: the route is open$/),
      'functions.fn.events[4].httpApi.authorizer: aws_iam (SigV4) authorization of HTTP API routes is not checked locally: the route is open',
      'fn: the authorizer of its api route /f is ghost, not a function of this project that runs here: the route is open',
    ]);
  });

  it('an http authorizer without a name, or an httpApi authorizer name that provider.httpApi.authorizers lacks, is an error naming it', () => {
    expect(() => serverlessConfig(`      - http: { path: a, method: get, authorizer: { type: request } }
`)).toThrow(/functions\.fn\.events\[0\]\.http\.authorizer\.name: is required/);
    expect(() => serverlessConfig(`      - httpApi: { path: /a, method: GET, authorizer: { name: missing } }
`, `  httpApi:
    authorizers:
      lambda: { type: request, functionName: auth }
`)).toThrow(/functions\.fn\.events\[0\]\.httpApi\.authorizer\.name: missing is not one of provider\.httpApi\.authorizers \(lambda\)/);
  });

  it('a setting the hub refuses is an error naming the serverless.yml property, not the hub\'s route setting', () => {
    expect(() => serverlessConfig(`      - http: { path: a, method: get, authorizer: { name: auth, resultTtlInSeconds: soon } }
`)).toThrow(/: functions\.fn\.events\[0\]\.http\.authorizer\.resultTtlInSeconds: must be a number, not "soon"$/);
    expect(() => serverlessConfig(`      - http: { path: a, method: get, authorizer: { name: auth, identityValidationExpression: '[' } }
`)).toThrow(/: functions\.fn\.events\[0\]\.http\.authorizer\.identityValidationExpression: must be a valid regular expression, not "\["$/);
    expect(() => serverlessConfig(`      - httpApi: { path: /a, method: GET, authorizer: { name: lambda } }
`, `  httpApi:
    authorizers:
      lambda: { type: request, functionName: auth, identitySource: [$request.header.X-Key], resultTtlInSeconds: 4000 }
`)).toThrow(/: provider\.httpApi\.authorizers\.lambda\.resultTtlInSeconds: must be between 0 and 3600, not 4000$/);
    // Digits as text are a number, as the Framework's ajv coerces them (a ${param:} gives text).
    const config = serverlessConfig(`      - http: { path: a, method: get, authorizer: { name: auth, resultTtlInSeconds: '60' } }
`);
    expect(authorizers(config.functions.fn.events)).toEqual([expect.objectContaining({ resultTtlInSeconds: 60 })]);
  });
});

/** A project of the fixture's authorizers and app, with this template or serverless.yml. */
const authorizerProject = (files: Record<string, string>) => projectDir({
  ...files, 'authorizers.mjs': readFileSync(path.join(DIR, 'authorizers.mjs'), 'utf8'), 'app.mjs': readFileSync(path.join(DIR, 'app.mjs'), 'utf8'),
});

/** A browser's CORS preflight of a GET (no Authorization header), or with `headers` added. */
const preflight = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization', ...headers } });
  return { status: response.status, origin: response.headers.get('access-control-allow-origin'), body: await response.text() };
};

describe('CORS preflights of REST APIs with authorizers', () => {
  const api = (id: string, auth: string) => `  ${id}:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Cors: { AllowOrigin: "'https://app.example'", AllowHeaders: "'Authorization'" }
      Auth:
        DefaultAuthorizer: Token${auth}
        Authorizers:
          Token: { FunctionArn: !GetAtt Auth.Arn, Identity: { ReauthorizeEvery: 0 } }
`;
  const template = samTemplate(`        Orders: { Type: Api, Properties: { RestApiId: !Ref Protected, Path: '/orders/{id}', Method: GET } }
        Health: { Type: Api, Properties: { RestApiId: !Ref Protected, Path: /health, Method: GET, Auth: { Authorizer: NONE } } }
        Items: { Type: Api, Properties: { RestApiId: !Ref OpenPreflight, Path: /items, Method: GET } }
`, { resources: api('Protected', '') + api('OpenPreflight', '\n        AddDefaultAuthorizerToCorsPreflight: false'), authHandler: 'authorizers.token' });
  const serverless = `service: cors-authorizers
provider: { name: aws, runtime: nodejs20.x }
functions:
  tokenAuthorizer: { handler: authorizers.token }
  app:
    handler: app.handler
    events:
      - http: { path: 'orders/{id}', method: get, cors: { origin: 'https://app.example' }, authorizer: { name: tokenAuthorizer, resultTtlInSeconds: 0 } }
`;
  let sam: Hub;
  let framework: Hub;
  beforeAll(async () => {
    sam = await startProjectHub({ template: path.join(authorizerProject({ 'template.yaml': template }), 'template.yaml') });
    framework = await startProjectHub({ serverless: path.join(authorizerProject({ 'serverless.yml': serverless }), 'serverless.yml'), stage: 'dev' });
  });
  afterAll(async () => Promise.all([sam?.stop(), framework?.stop()]));

  it('SAM (AddDefaultAuthorizerToCorsPreflight, default true): the DefaultAuthorizer refuses a preflight without the token, as API Gateway does', async () => {
    const refused = { status: 401, origin: null, body: '{"message":"Unauthorized"}' };
    expect(await preflight(`${sam.url}/orders/7`)).toEqual(refused);
    // Authorizer: NONE opens the GET, not the OPTIONS method SAM adds to the path.
    expect(await preflight(`${sam.url}/health`)).toEqual(refused);
    // With the token the authorizer judges the OPTIONS method's ARN, then the MOCK integration answers.
    expect(await preflight(`${sam.url}/orders/7`, { authorization: 'Bearer alice' })).toEqual({ status: 200, origin: 'https://app.example', body: '{}' });
    expect(await preflight(`${sam.url}/orders/7`, { authorization: 'Bearer mallory' }))
      .toEqual({ status: 403, origin: null, body: '{"Message":"User is not authorized to access this resource with an explicit deny"}' });
    expect((await fetch(`${sam.url}/orders/7`, { headers: { authorization: 'Bearer alice' } })).status).toBe(200);
  });

  it('SAM with AddDefaultAuthorizerToCorsPreflight: false, and the Framework (its OPTIONS method has AuthorizationType NONE): the preflight is answered without a token', async () => {
    const answered = { status: 200, origin: 'https://app.example', body: '{}' };
    expect(await preflight(`${sam.url}/items`)).toEqual(answered);
    expect((await fetch(`${sam.url}/items`)).status).toBe(401);
    expect(await preflight(`${framework.url}/orders/7`)).toEqual(answered);
    expect((await fetch(`${framework.url}/orders/7`)).status).toBe(401);
  });
});
