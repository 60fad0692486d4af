import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetFunctionUrlConfigCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, tempDir, type TestHub } from './helpers/hub.js';
import { send, signRequest, withQuery, type SignOptions } from './helpers/sigv4-client.js';
import { projectDir } from './helpers/template-project.js';

const ALICE = { accessKeyId: 'AKIDALICEEXAMPLE', secretAccessKey: 'alice-secret' };
const ALICE_ARN = 'arn:aws:iam::111122223333:user/alice';
const TEST_KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };
const CORS = { allowOrigins: ['https://app.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type', 'authorization', 'x-amz-date'], exposeHeaders: ['x-request-id'], maxAge: 300 };

const calls = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));

/** Lambda's refusal: 403, AccessDeniedException, the Forbidden document. */
function expectForbidden(reply: { status: number; headers: Record<string, unknown>; body: string }): void {
  expect(reply.status).toBe(403);
  expect(reply.headers['x-amzn-errortype']).toBe('AccessDeniedException');
  expect(reply.headers['x-amzn-requestid']).toEqual(expect.any(String));
  expect(JSON.parse(reply.body)).toEqual({ Message: expect.stringMatching(/^Forbidden\. For troubleshooting Function URL authorization issues/) });
}

describe('AWS_IAM function URLs verify SigV4 against the credentials the hub knows', () => {
  const dir = tempDir('th-url-iam-');
  const callsFile = path.join(dir, 'calls.log');
  let hub: TestHub;
  const signed = async (options: Omit<SignOptions, 'credentials'> & { credentials?: SignOptions['credentials'] }, sentBody = options.body) => {
    const headers = await signRequest(hub.url, { credentials: ALICE, ...options });
    return send(hub.url, options.method ?? 'GET', withQuery(options.path, options.query), headers, sentBody);
  };

  beforeAll(async () => {
    writeFileSync(callsFile, '');
    hub = await startTestHub({
      iam: { credentials: [{ ...ALICE, userArn: ALICE_ARN }] },
      functions: {
        secure: { handler: 'url-iam.handler', environment: { CALLS_FILE: callsFile }, url: { authType: 'AWS_IAM', cors: CORS } },
        open: { handler: 'url-iam.handler', environment: { CALLS_FILE: callsFile } },
        staged: { handler: 'url-iam.handler', url: { invokeMode: 'RESPONSE_STREAM' }, aliases: { live: {} } },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('a signed request reaches the handler with requestContext.authorizer.iam, and Powertools parses the event', async () => {
    const reply = await signed({ method: 'POST', path: '/urls/secure/orders/7', query: { page: '2', q: 'a b' }, body: '{"order":7}' });
    expect(reply.status).toBe(200);
    const answer = JSON.parse(reply.body);
    expect(answer).toEqual({
      iam: {
        accessKey: ALICE.accessKeyId, accountId: '111122223333', callerId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/),
        cognitoIdentity: null, principalOrgId: null, userArn: ALICE_ARN, userId: expect.stringMatching(/^AIDA/),
      },
      body: '{"order":7}', path: '/orders/7', query: 'page=2&q=a%20b',
    });
    expect(answer.iam.callerId).toBe(answer.iam.userId);
    const [event] = calls(callsFile).slice(-1);
    expect(event.requestContext.authorizer).toEqual({ iam: answer.iam });
    expect(event.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDALICEEXAMPLE\//);
  });

  it("the local cloud's test credentials are accepted as the hub account's root", async () => {
    const reply = await signed({ path: '/urls/secure', credentials: TEST_KEYS });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).iam).toMatchObject({ accessKey: 'test', accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:root', userId: '000000000000', callerId: '000000000000' });
  });

  it("in a GovCloud region the hub account's root and the configured callers are in the aws-us-gov partition", async () => {
    const aliceArn = 'arn:aws-us-gov:iam::111122223333:user/alice';
    const gov = await startTestHub({
      region: 'us-gov-west-1',
      iam: { credentials: [{ ...ALICE, userArn: aliceArn }] },
      functions: { secure: { handler: 'url-iam.handler', environment: { CALLS_FILE: path.join(tempDir('th-url-iam-gov-'), 'calls.log') }, url: { authType: 'AWS_IAM' } } },
    });
    try {
      const as = async (credentials: SignOptions['credentials']) => {
        const headers = await signRequest(gov.url, { path: '/urls/secure', credentials, region: 'us-gov-west-1' });
        const reply = await send(gov.url, 'GET', '/urls/secure', headers);
        expect(reply.status).toBe(200);
        return JSON.parse(reply.body).iam;
      };
      expect(await as(TEST_KEYS)).toMatchObject({ accountId: '000000000000', userArn: 'arn:aws-us-gov:iam::000000000000:root' });
      expect(await as(ALICE)).toMatchObject({ accountId: '111122223333', userArn: aliceArn });
    } finally {
      await gov.stop();
    }
  });

  it('unsigned, wrongly signed, tampered, unknown-key, wrong-region and stale requests get 403 and never reach the handler', async () => {
    const before = calls(callsFile).length;
    expectForbidden(await send(hub.url, 'GET', '/urls/secure', {}));
    expectForbidden(await signed({ path: '/urls/secure', credentials: { ...ALICE, secretAccessKey: 'wrong' } }));
    expectForbidden(await signed({ path: '/urls/secure', credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } }));
    expectForbidden(await signed({ path: '/urls/secure', region: 'eu-west-1' }));
    expectForbidden(await signed({ path: '/urls/secure', signingDate: new Date(Date.now() - 20 * 60_000) }));
    // The body changed after signing: caught by X-Amz-Content-Sha256, and without it by the signature itself.
    expectForbidden(await signed({ method: 'POST', path: '/urls/secure', body: '{"amount":1}' }, '{"amount":1000}'));
    expectForbidden(await signed({ method: 'POST', path: '/urls/secure', body: '{"amount":1}', applyChecksum: false }, '{"amount":1000}'));
    // A signed request replayed to another path or with another query.
    const headers = await signRequest(hub.url, { path: '/urls/secure/a', credentials: ALICE });
    expectForbidden(await send(hub.url, 'GET', '/urls/secure/b', headers));
    expectForbidden(await send(hub.url, 'GET', '/urls/secure/a?admin=1', headers));
    // Hostile: a signed-header list naming __proto__, a malformed query, an oversized garbage header.
    const proto = await signRequest(hub.url, { path: '/urls/secure', credentials: ALICE, headers: { 'x-a': '1' } });
    proto.authorization = proto.authorization.replace('SignedHeaders=', 'SignedHeaders=__proto__;');
    expectForbidden(await send(hub.url, 'GET', '/urls/secure', proto));
    const query = await signRequest(hub.url, { path: '/urls/secure', query: { a: 'b' }, credentials: ALICE });
    expectForbidden(await send(hub.url, 'GET', '/urls/secure?a=%E0%A4%A', query));
    expectForbidden(await send(hub.url, 'GET', '/urls/secure', { authorization: `AWS4-HMAC-SHA256 Credential=${'A'.repeat(10_000)}` }));
    expect(calls(callsFile).length).toBe(before);
  });

  it('a function URL without authType stays open (NONE) and its event has no authorizer', async () => {
    const reply = await send(hub.url, 'GET', '/urls/open', {});
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).iam).toBeNull();
  });

  it('answers GetFunctionUrlConfig with the hub\'s URL of the function and its settings; an alias or unknown function has none (404)', async () => {
    const secure = await hub.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'secure' }));
    expect(secure).toMatchObject({
      FunctionUrl: `${hub.url}/urls/secure/`,
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:secure',
      AuthType: 'AWS_IAM', InvokeMode: 'BUFFERED',
      Cors: { AllowOrigins: CORS.allowOrigins, AllowMethods: CORS.allowMethods, AllowHeaders: CORS.allowHeaders, ExposeHeaders: CORS.exposeHeaders, MaxAge: 300, AllowCredentials: false },
    });
    expect(new Date(secure.CreationTime!).toISOString()).toBe(secure.CreationTime);
    expect(secure.LastModifiedTime).toBe(secure.CreationTime);
    // The URL it names is the one that answers.
    expect((await send(hub.url, 'GET', new URL(secure.FunctionUrl!).pathname, {})).status).toBe(403);
    const open = await hub.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:open' }));
    expect(open).toMatchObject({ FunctionUrl: `${hub.url}/urls/open/`, AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    expect(open.Cors).toBeUndefined();
    // The hub's own address, as `up` prints it: a Host header (a proxy's, a caller's) is not echoed back.
    const hostile = await send(hub.url, 'GET', '/2021-10-31/functions/open/url', { host: 'evil.example:666' });
    expect(JSON.parse(hostile.body).FunctionUrl).toBe(`${hub.url}/urls/open/`);
    expect((await send(hub.url, 'GET', new URL(open.FunctionUrl!).pathname, {})).status).toBe(200);
    expect(await hub.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'staged' }))).toMatchObject({ InvokeMode: 'RESPONSE_STREAM' });
    await expect(hub.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'staged', Qualifier: 'live' })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.', $metadata: { httpStatusCode: 404 } });
    const ghost = await hub.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'ghost' })).catch((e: unknown) => e);
    expect(ghost).toBeInstanceOf(ResourceNotFoundException);
    expect((ghost as Error).message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost');
  });

  it('answers a CORS preflight itself (no signature needed, the function not invoked) and adds the headers to responses', async () => {
    const before = calls(callsFile).length;
    const preflight = await send(hub.url, 'OPTIONS', '/urls/secure/orders', {
      origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization',
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example', 'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'content-type,authorization,x-amz-date', 'access-control-max-age': '300', vary: 'Origin',
    });
    expect((await send(hub.url, 'OPTIONS', '/urls/secure', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })).status).toBe(403);
    expect(calls(callsFile).length).toBe(before);

    const reply = await signed({ path: '/urls/secure', headers: { origin: 'https://app.example' } });
    expect(reply.status).toBe(200);
    expect(reply.headers).toMatchObject({ 'access-control-allow-origin': 'https://app.example', 'access-control-expose-headers': 'x-request-id', 'x-request-id': 'r-1' });
    const refused = await send(hub.url, 'GET', '/urls/secure', { origin: 'https://app.example' });
    expectForbidden(refused);
    expect(refused.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await signed({ path: '/urls/secure', headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a SAM template with FunctionUrlConfig AWS_IAM and Cors, end to end', () => {
  let hub: TestHub;
  let callsFile: string;

  beforeAll(async () => {
    callsFile = path.join(tempDir('th-url-sam-'), 'calls.log');
    writeFileSync(callsFile, '');
    const dir = projectDir({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: url-iam.handler
      Runtime: nodejs20.x
      Environment: { Variables: { CALLS_FILE: '${callsFile}' } }
      FunctionUrlConfig:
        AuthType: AWS_IAM
        Cors: { AllowOrigins: ['https://app.example'], AllowMethods: [GET], AllowHeaders: [authorization], MaxAge: 60 }
`,
      // The temp project has no node_modules: this handler reads the event without Powertools.
      'src/url-iam.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(process.env.CALLS_FILE, JSON.stringify(event) + '\\n');
  return { iam: event.requestContext.authorizer?.iam ?? null, path: event.rawPath };
};
`,
    });
    hub = await startTestHub({ template: 'template.yaml' }, undefined, dir);
  });
  afterAll(async () => hub?.stop());

  it('signed requests reach the function with the iam block; unsigned get 403; the preflight is answered from Cors', async () => {
    const headers = await signRequest(hub.url, { path: '/urls/Api/hello', credentials: TEST_KEYS });
    const reply = await send(hub.url, 'GET', '/urls/Api/hello', headers);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ path: '/hello', iam: { accessKey: 'test', userArn: 'arn:aws:iam::000000000000:root' } });
    expectForbidden(await send(hub.url, 'GET', '/urls/Api/hello', {}));
    const preflight = await send(hub.url, 'OPTIONS', '/urls/Api/hello', { origin: 'https://app.example', 'access-control-request-method': 'GET' });
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': 'https://app.example', 'access-control-allow-methods': 'GET', 'access-control-max-age': '60' });
    expect(calls(callsFile)).toHaveLength(1);
  });
});
