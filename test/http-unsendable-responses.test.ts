import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { PRELUDE_LIMIT } from '../src/sources/http/stream-response.js';
import { testConfig } from './helpers/hub.js';
import { jsonLogLines } from './helpers/log-capture.js';

/** POSTs `body` and reads the whole answer, within `timeoutMs` (a response that never comes fails the test). */
function post(url: string, body: string, timeoutMs = 5_000): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; raw: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), raw: res.rawHeaders.join('\n'),
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no response from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Each route's answer to a response it cannot send, as its AWS service answers a malformed one. */
const FAILURES = [
  { path: '/urls/spelled', status: 502, body: '{"Message":"Internal Server Error"}' },
  { path: '/v2', status: 500, body: '{"message":"Internal Server Error"}' },
  { path: '/v1', status: 500, body: '{"message":"Internal Server Error"}' },
  { path: '/rest', status: 502, body: '{"message":"Internal server error"}' },
  { path: '/lb', status: 502, body: expect.stringContaining('<h1>502 Bad Gateway</h1>') },
  { path: '/lb-multi', status: 502, body: expect.stringContaining('<h1>502 Bad Gateway</h1>') },
];

describe('handler responses no HTTP server can send as given', { timeout: 60_000 }, () => {
  const { lines, destination } = jsonLogLines();
  let hub: Hub;

  beforeAll(async () => {
    hub = await startHub(testConfig({
      functions: {
        spelled: {
          handler: 'http.spelled',
          events: [
            { http: { path: '/v2' } },
            { http: { path: '/v1', payloadFormatVersion: '1.0' } },
            // A REST API decodes a base64 response only for its binary media types (*/*: every request's Accept).
            { api: { path: '/rest', binaryMediaTypes: ['*/*'] } },
            { alb: { path: '/lb' } },
            { alb: { path: '/lb-multi', multiValueHeaders: true } },
          ],
        },
        streamed: { handler: 'streaming.spelledPrelude', url: { invokeMode: 'RESPONSE_STREAM' } },
        sized: {
          handler: 'http.sized',
          memorySize: 1024,
          url: { invokeMode: 'RESPONSE_STREAM' }, // a handler that does not stream: buffered, and under the same limit
          events: [{ http: { path: '/sized-v2' } }, { api: { path: '/sized-rest' } }],
        },
      },
    }), { logger: createLogger({ destination, level: 'info' }) });
  });
  afterAll(async () => hub?.stop());

  const unsendable = {
    'a status over 599': { statusCode: 1000, body: 'x' },
    'a status under 100': { statusCode: 99, body: 'x' },
    'a header name with a space': { statusCode: 200, headers: { 'bad name': '1' }, multiValueHeaders: { 'bad name': ['1'] }, body: 'x' },
    'a header value with CR LF': { statusCode: 200, headers: { 'x-split': 'a\r\nx-injected: 1' }, multiValueHeaders: { 'x-split': ['a\r\nx-injected: 1'] }, body: 'x' },
    'a body that is an object, not text': { statusCode: 200, body: { a: 1 } },
    // Node's decoder would skip what it cannot read and send the rest as garbage bytes with a 200.
    'an isBase64Encoded body that is not base64': { statusCode: 200, body: '!!! not base64 @@', isBase64Encoded: true },
    // A function URL / 2.0 response used to send `x-object: [object Object]`.
    'a header value that is an object': { statusCode: 200, headers: { 'x-object': { a: 1 } }, multiValueHeaders: { 'x-object': [{ a: 1 }] }, body: 'x' },
  };
  for (const [what, response] of Object.entries(unsendable)) {
    it(`answers ${what} as each service answers a malformed response, and logs no error`, async () => {
      const before = lines.length;
      for (const { path, status, body } of FAILURES) {
        const answer = await post(`${hub.url}${path}`, JSON.stringify(response));
        expect({ path, status: answer.status, text: answer.text }).toEqual({ path, status, text: body });
        expect(answer.headers['x-injected'], path).toBeUndefined();
      }
      expect(lines.slice(before).filter((line) => (line.level as number) >= 40)).toEqual([]);
    });
  }

  it('decodes a base64 body as sent, line breaks (MIME encoders) included', async () => {
    const bytes = Buffer.from(Array.from({ length: 120 }, (_, i) => (i * 37) % 256));
    const mime = bytes.toString('base64').replace(/.{76}/g, '$&\n');
    for (const [path, body] of [['/urls/spelled', mime], ['/v2', mime], ['/v1', bytes.toString('base64')], ['/rest', mime], ['/lb', mime], ['/lb-multi', mime]]) {
      const response = await fetch(`${hub.url}${path}`, { method: 'POST', body: JSON.stringify({ statusCode: 200, body, isBase64Encoded: true }) });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(Buffer.from(await response.arrayBuffer()), path).toEqual(bytes);
    }
  });

  it("keeps a handler's content type as it is (fastify appended '; charset=utf-8' to JSON types), and sends AWS's own documents as application/json", async () => {
    for (const path of ['/urls/spelled', '/v2', '/v1', '/rest', '/lb']) {
      for (const type of ['application/hal+json', 'application/json', 'text/plain']) {
        const answer = await post(`${hub.url}${path}`, JSON.stringify({ statusCode: 200, headers: { 'content-type': type }, body: '{}' }));
        expect({ path, type: answer.headers['content-type'], text: answer.text }).toEqual({ path, type, text: '{}' });
      }
    }
    // 2.0's inferred format and a structured response without a content type: application/json.
    for (const [path, response] of [['/urls/spelled', { a: 1 }], ['/v2', 'text'], ['/v2', { statusCode: 201, body: 'x' }]] as const) {
      const answer = await post(`${hub.url}${path}`, JSON.stringify(response));
      expect({ path, type: answer.headers['content-type'] }).toEqual({ path, type: 'application/json' });
    }
    for (const { path } of FAILURES.filter((failure) => !failure.path.startsWith('/lb'))) {
      const answer = await post(`${hub.url}${path}`, JSON.stringify({ statusCode: 'none' }));
      expect({ path, type: answer.headers['content-type'] }).toEqual({ path, type: 'application/json' });
    }
  });

  it('answers an ALB statusDescription with CR LF with 502 (it used to leave the client waiting)', async () => {
    for (const path of ['/lb', '/lb-multi']) {
      const answer = await post(`${hub.url}${path}`, JSON.stringify({ statusCode: 200, statusDescription: '200 OK\r\nx-injected: 1', body: 'x' }));
      expect(answer.status, path).toBe(502);
      expect(answer.headers['x-injected'], path).toBeUndefined();
    }
    expect(lines.filter((line) => line.event === 'unhandled_rejection')).toEqual([]);
  });

  it('fails a streamed response whose prelude cannot be sent with the function URL 502', async () => {
    const overLimit = { statusCode: 200, headers: { 'x-huge': 'a'.repeat(PRELUDE_LIMIT) } };
    for (const prelude of [{ statusCode: 1000 }, { statusCode: 200, headers: { 'bad name': '1' } }, { statusCode: 200, cookies: ['a=1\r\nx-injected: 1'] }, overLimit]) {
      const answer = await post(`${hub.url}/urls/streamed`, JSON.stringify(prelude));
      expect(answer.status, JSON.stringify(prelude)).toBe(502);
      expect(answer.text).toBe('{"Message":"Internal Server Error"}');
    }
  });

  it('drops hop-by-hop headers of a response: the hub frames its own connection', async () => {
    const framing = { 'transfer-encoding': 'chunked', connection: 'close', 'keep-alive': 'timeout=1', upgrade: 'h2c', 'x-kept': 'yes' };
    for (const path of ['/urls/spelled', '/v2', '/v1', '/rest', '/lb', '/lb-multi']) {
      const answer = await post(`${hub.url}${path}`, JSON.stringify({
        statusCode: 200, headers: framing, multiValueHeaders: Object.fromEntries(Object.entries(framing).map(([k, v]) => [k, [v]])), body: 'whole body',
      }));
      expect({ path, status: answer.status, text: answer.text }).toEqual({ path, status: 200, text: 'whole body' });
      expect(answer.headers['x-kept'], path).toBe('yes');
      expect(answer.raw.toLowerCase(), path).not.toMatch(/transfer-encoding|upgrade|keep-alive\ntimeout=1/);
      expect(answer.headers.connection, path).not.toBe('close');
    }
    const streamed = await post(`${hub.url}/urls/streamed`, JSON.stringify({ statusCode: 201, headers: { 'content-length': '3', connection: 'close', 'x-kept': 'yes' } }));
    expect({ status: streamed.status, text: streamed.text, kept: streamed.headers['x-kept'] }).toEqual({ status: 201, text: 'streamed', kept: 'yes' });
  });

  it('fails a result over Lambda\'s 6291556-byte response limit as each service fails the invocation', async () => {
    const limit = 6 * 1024 * 1024 + 100;
    const get = async (path: string) => {
      const response = await fetch(`${hub.url}${path}`);
      return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
    };
    // The result's JSON text is measured: a string of `bytes` characters in quotes.
    expect(await get(`/urls/sized?bytes=${limit}`)).toEqual({ status: 200, bytes: limit - 2 });
    expect((await get(`/urls/sized?bytes=${limit + 1}`)).status).toBe(502);
    expect((await get(`/sized-v2?bytes=${limit + 1}`)).status).toBe(500);
    expect(await get(`/sized-rest?proxy&bytes=${6 * 1024 * 1024}`)).toEqual({ status: 200, bytes: 6 * 1024 * 1024 });
    expect((await get(`/sized-rest?proxy&bytes=${limit}`)).status).toBe(502);
  });
});
