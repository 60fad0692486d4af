import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { isHubError } from '../src/errors.js';
import { originMatches } from '../src/sources/http/rest-cors.js';
import { FIXTURES } from './helpers/paths.js';
import { startTestHub, tempDir, type TestHub } from './helpers/hub.js';
import { startProjectHub } from './helpers/project-hub.js';
import { projectDir } from './helpers/template-project.js';

const ITEMS_CORS = { allowOrigin: 'https://app.example', allowHeaders: ['Content-Type', 'X-Api-Key'], maxAge: 600 };

/** The Access-Control-* and Cache-Control headers of a response. */
const corsHeaders = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'cache-control'));

describe('REST API (api) routes with cors', () => {
  let hub: TestHub;
  let callsFile: string;

  beforeAll(async () => {
    callsFile = path.join(tempDir('th-rest-cors-'), 'calls.log');
    hub = await startTestHub({
      functions: {
        list: { handler: 'record.handler', environment: { CALLS_FILE: callsFile }, events: [{ api: { path: '/items', method: 'GET', cors: ITEMS_CORS } }] },
        create: { handler: 'record.handler', environment: { CALLS_FILE: callsFile }, events: [{ api: { path: '/items', method: 'POST', cors: ITEMS_CORS } }] },
        proxy: {
          handler: 'http.proxy',
          events: [
            { api: { path: '/files/{proxy+}', cors: { allowOrigin: ['https://*.example.com', 'https://b.example'], allowCredentials: true, cacheControl: 'max-age=60' } } },
            { api: { path: '/plain', method: 'GET', cors: { allowMethods: 'GET, PUT' } } },
          ],
        },
        hA: { handler: 'http.proxy', events: [{ http: { path: '/shared', methods: ['GET'], cors: { allowOrigins: ['*'] } } }] },
        hB: { handler: 'http.proxy', events: [{ http: { path: '/shared', methods: ['POST'], cors: { allowOrigins: ['*'] } } }] },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('answers OPTIONS with the static headers of the path, its methods from every route on it, without invoking', async () => {
    const preflight = await fetch(`${hub.url}/items`, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'DELETE' } });
    expect(preflight.status).toBe(200);
    expect(corsHeaders(preflight)).toEqual({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-headers': 'Content-Type,X-Api-Key',
      'access-control-allow-methods': 'GET,OPTIONS,POST',
      'access-control-max-age': '600',
    });
    expect(preflight.headers.get('content-type')).toBe('application/json');
    expect(preflight.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await preflight.text()).toBe('{}');
    // Not a preflight (no Origin): the MOCK integration answers the same.
    const bare = await fetch(`${hub.url}/items`, { method: 'OPTIONS' });
    expect(bare.status).toBe(200);
    expect(bare.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(readFileSync(callsFile, { flag: 'a+' }).toString()).toBe('');
  });

  it('gives the function\'s own responses no CORS headers (a proxy integration sets them itself)', async () => {
    const response = await fetch(`${hub.url}/files/a.txt`, { headers: { origin: 'https://b.example' } });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({});
    expect((await response.json()).httpMethod).toBe('GET');
    const listed = await fetch(`${hub.url}/items`, { headers: { origin: 'https://app.example' } });
    expect(corsHeaders(listed)).toEqual({});
    expect(readFileSync(callsFile, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('takes OPTIONS from an ANY route; a list of origins echoes a matching Origin, else names the first', async () => {
    const matching = await fetch(`${hub.url}/files/x/y`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com' } });
    expect(corsHeaders(matching)).toEqual({
      'access-control-allow-origin': 'https://shop.example.com',
      'access-control-allow-methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
      'access-control-allow-credentials': 'true',
      'cache-control': 'max-age=60',
    });
    expect(await matching.text()).toBe('{}');
    const other = await fetch(`${hub.url}/files/x/y`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBe('https://*.example.com');
    const dotted = await fetch(`${hub.url}/files/x`, { method: 'OPTIONS', headers: { origin: 'https://bXexample' } });
    expect(dotted.headers.get('access-control-allow-origin')).toBe('https://*.example.com');
  });

  it('sends allowMethods as given and allows every origin by default', async () => {
    const preflight = await fetch(`${hub.url}/plain`, { method: 'OPTIONS', headers: { origin: 'https://a.example' } });
    expect(corsHeaders(preflight)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, PUT' });
    expect((await fetch(`${hub.url}/plain`, { method: 'PUT' })).status).toBe(404);
  });

  it('starts with two functions\' HTTP API routes on one path with the same cors (they share the preflight)', async () => {
    const preflight = await fetch(`${hub.url}/shared`, { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('REST API cors with hot reload (routes in the route table)', () => {
  it('shares one path\'s OPTIONS answer between two functions\' routes', async () => {
    const hub = await startTestHub({
      watch: true,
      functions: {
        list: { handler: 'http.proxy', events: [{ api: { path: '/items', method: 'GET', cors: { ...ITEMS_CORS, allowMethods: 'GET,OPTIONS,POST' } } }] },
        create: { handler: 'http.proxy', events: [{ api: { path: '/items', method: 'POST', cors: { ...ITEMS_CORS, allowMethods: 'GET,OPTIONS,POST' } } }] },
      },
    });
    try {
      const preflight = await fetch(`${hub.url}/items`, { method: 'OPTIONS', headers: { origin: 'https://app.example' } });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,OPTIONS,POST');
      expect((await fetch(`${hub.url}/items`, { method: 'POST' })).status).toBe(200);
    } finally {
      await hub.stop();
    }
  });
});

describe('REST API CORS of a project, end to end', () => {
  it('a SAM template\'s Globals.Api.Cors answers preflights on the implicit API; the functions\' responses are theirs', async () => {
    const dir = projectDir({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Globals:
  Api: { Cors: { AllowOrigin: "'https://app.example'", AllowHeaders: "'Content-Type'", MaxAge: "'300'" } }
Resources:
  List: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Events: { Get: { Type: Api, Properties: { Path: /items, Method: get } } } } }
  Create: { Type: AWS::Serverless::Function, Properties: { Handler: app.handler, Runtime: nodejs20.x, Events: { Post: { Type: Api, Properties: { Path: /items, Method: post } } } } }
`,
      'app.mjs': "export const handler = async () => ({ statusCode: 200, body: 'ok' });\n",
    });
    const hub = await startProjectHub({ template: path.join(dir, 'template.yaml') });
    try {
      const preflight = await fetch(`${hub.url}/items`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(200);
      expect(corsHeaders(preflight)).toEqual({
        'access-control-allow-origin': 'https://app.example', 'access-control-allow-headers': 'Content-Type',
        'access-control-allow-methods': 'GET,OPTIONS,POST', 'access-control-max-age': '300',
      });
      const created = await fetch(`${hub.url}/items`, { method: 'POST', headers: { origin: 'https://app.example' } });
      expect(await created.text()).toBe('ok');
      expect(corsHeaders(created)).toEqual({});
    } finally {
      await hub.stop();
    }
  });

  it('a serverless.yml http event with cors: true answers with the Framework\'s defaults', async () => {
    const dir = projectDir({
      'serverless.yml': `service: svc
provider: { name: aws, runtime: nodejs20.x }
functions:
  f: { handler: app.handler, events: [{ http: { path: items, method: get, cors: true } }] }
`,
      'app.mjs': "export const handler = async () => ({ statusCode: 200, body: 'ok' });\n",
    });
    const hub = await startProjectHub({ serverless: path.join(dir, 'serverless.yml') });
    try {
      const preflight = await fetch(`${hub.url}/items`, { method: 'OPTIONS', headers: { origin: 'https://a.example' } });
      expect(corsHeaders(preflight)).toEqual({
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id',
        'access-control-allow-methods': 'OPTIONS,GET',
      });
    } finally {
      await hub.stop();
    }
  });
});

describe('REST API cors origins', () => {
  it('match as the Framework\'s template does: * is one or more characters, a dot a dot, the whole Origin', () => {
    expect(originMatches('https://*.example.com', 'https://shop.example.com')).toBe(true);
    expect(originMatches('https://*.example.com', 'https://a.b.example.com')).toBe(true);
    expect(originMatches('https://*.example.com', 'https://.example.com')).toBe(false);
    expect(originMatches('https://*.example.com', 'https://shop.example.com.evil')).toBe(false);
    expect(originMatches('https://*.example.com', 'https://shopXexample.com')).toBe(false);
    expect(originMatches('https://a.example', 'https://a.example')).toBe(true);
    expect(originMatches('*', 'null')).toBe(true);
    expect(originMatches('*', '')).toBe(false);
  });

  it('a hostile Origin against a pattern of many stars is answered at once, not after backtracking', () => {
    const started = Date.now();
    expect(originMatches('https://*.*.*.*.*.*.*.*.*.*.example.com', `https://${'a.'.repeat(4000)}x`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('REST API cors settings', () => {
  const attempt = (api: unknown) => () => buildConfig({ functions: { f: { handler: 'echo.handler', events: [{ api }] } } }, { baseDir: FIXTURES });

  it('refuses bad values by field', () => {
    expect(attempt({ path: '/x', method: 'OPTIONS', cors: {} })).toThrow(/functions\.f\.events\[0\]\.api\.cors: a route whose method is OPTIONS answers OPTIONS itself/);
    expect(attempt({ path: '/x', cors: { allowOrigin: 'https://a.example\r\nx-injected: 1' } })).toThrow(/api\.cors\.allowOrigin: must be printable ASCII text/);
    expect(attempt({ path: '/x', cors: { allowOrigin: [] } })).toThrow(/api\.cors\.allowOrigin: must not be empty/);
    expect(attempt({ path: '/x', cors: { maxAge: -1 } })).toThrow(/api\.cors\.maxAge: must be between 0 and/);
    expect(attempt({ path: '/x', cors: { allowHeaders: 42 } })).toThrow(/api\.cors\.allowHeaders: must be text or a list of texts/);
    expect(attempt({ path: '/x', cors: { allowOrigins: ['*'] } })).toThrow(/api\.cors: .*allowOrigins/);
    // The OPTIONS method's authorizer is a Lambda authorizer of a configured function (claims would have no event to go into).
    expect(attempt({ path: '/x', cors: { authorizer: { function: 'ghost' } } })).toThrow(/api\.cors\.authorizer\.function: no function named "ghost" is configured/);
    expect(attempt({ path: '/x', cors: { authorizer: { claims: { sub: 'u' } } } })).toThrow(/api\.cors\.authorizer\.function: is required: the name of a configured function\n.*api\.cors\.authorizer: unknown field "claims"/);
  });

  it('refuses, at start, two routes on one path whose cors differ, naming both', async () => {
    let thrown: unknown;
    try {
      const hub = await startTestHub({
        functions: {
          a: { handler: 'http.proxy', events: [{ api: { path: '/p', method: 'GET', cors: { allowOrigin: 'https://a.example' } } }] },
          b: { handler: 'http.proxy', events: [{ api: { path: '/p', method: 'POST', cors: { allowOrigin: 'https://b.example' } } }] },
        },
      });
      await hub.stop();
    } catch (err) {
      thrown = err;
    }
    expect(isHubError(thrown, 'TH_ERR_CONFIG_INVALID') && thrown.message).toBe('b:api /p: its cors differs from that of a:api /p on the same path (a path has one OPTIONS answer)');
  });
});
