import { describe, expect, it } from 'vitest';
import type { ChildMessage, InvokeMessage } from '../src/runtime/protocol.js';
import { RuntimeApiServer } from '../src/runtime/runtime-api/server.js';

/**
 * The Runtime API's state machine as Lambda's RAPID runs it (aws-lambda-runtime-interface-emulator,
 * internal/lambda/core/states.go and rapi/router_test.go): `next` while an invocation is handed out
 * and unanswered hands it out again; waiting `next` calls are served in turn, none dropped; a
 * second answer to an invocation is 403 InvalidStateTransition; an id that is not the current
 * invocation's is 400 InvalidRequestID.
 */
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:f';
const invocation = (requestId: string): InvokeMessage => ({ requestId, payload: `"${requestId}"`, deadline: 1, invokedFunctionArn: ARN });

async function started() {
  const messages: ChildMessage[] = [];
  const server = new RuntimeApiServer((message) => messages.push(message), () => 1024);
  const base = `http://${await server.listen()}/2018-06-01/runtime`;
  const post = (requestId: string, kind: 'response' | 'error', body = '{}') => fetch(`${base}/invocation/${requestId}/${kind}`, { method: 'POST', body });
  return { server, messages, base, post };
}

describe('Runtime API states', { timeout: 5000 }, () => {
  it('serves every waiting next call in turn: a second one does not leave the first unanswered', async () => {
    const { server, messages, base, post } = await started();
    try {
      const first = fetch(`${base}/invocation/next`);
      await expect.poll(() => messages).toEqual([{ type: 'ready' }]);
      const second = fetch(`${base}/invocation/next`);
      // The second call waits at the server too before the invocation is handed out.
      await expect.poll(() => server.waitingNextCalls).toBe(2);
      server.next(invocation('req-a'));
      expect((await first).headers.get('lambda-runtime-aws-request-id')).toBe('req-a');
      expect((await post('req-a', 'response')).status).toBe(202);
      server.next(invocation('req-b'));
      const b = await second;
      expect(b.headers.get('lambda-runtime-aws-request-id')).toBe('req-b');
      expect(await b.json()).toBe('req-b');
    } finally {
      server.close();
    }
  });

  it('hands the unanswered invocation out again to a next call made before answering it', async () => {
    const { server, base, post } = await started();
    try {
      server.next(invocation('req-c'));
      expect((await fetch(`${base}/invocation/next`)).headers.get('lambda-runtime-aws-request-id')).toBe('req-c');
      const again = await fetch(`${base}/invocation/next`);
      expect(again.status).toBe(200);
      expect(again.headers.get('lambda-runtime-aws-request-id')).toBe('req-c');
      expect(await again.json()).toBe('req-c');
      expect((await post('req-c', 'response')).status).toBe(202);
    } finally {
      server.close();
    }
  });

  it('refuses a second answer to one invocation with 403 InvalidStateTransition, and an unknown id with 400 InvalidRequestID', async () => {
    const { server, messages, base, post } = await started();
    try {
      server.next(invocation('req-d'));
      await (await fetch(`${base}/invocation/next`)).text();
      const unknown = await post('req-x', 'response');
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({ errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
      expect((await post('req-d', 'response', '1')).status).toBe(202);
      for (const kind of ['response', 'error'] as const) {
        const twice = await post('req-d', kind, '2');
        expect(twice.status).toBe(403);
        expect(await twice.json()).toMatchObject({ errorType: 'InvalidStateTransition' });
      }
      const streamed = await fetch(`${base}/invocation/req-d/response`, {
        method: 'POST', body: 'x', headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming' },
      });
      expect(streamed.status).toBe(403);
      await expect.poll(() => messages.filter((m) => m.type === 'result')).toEqual([{ type: 'result', payload: '1', maxRssKB: 1024 }]);
    } finally {
      server.close();
    }
  });
});

describe('Runtime API headers, as RAPID reads them', { timeout: 5000 }, () => {
  it.each(['Streaming', 'buffered', 'STREAMING'])('fails the invocation on a response mode other than streaming (%s): Runtime.InvalidResponseModeHeader, the runtime told 400', async (mode) => {
    const { server, messages, base, post } = await started();
    try {
      server.next(invocation('req-m'));
      await (await fetch(`${base}/invocation/next`)).text();
      const answered = await fetch(`${base}/invocation/req-m/response`, {
        method: 'POST', body: '"ok"', headers: { 'Lambda-Runtime-Function-Response-Mode': mode },
      });
      expect(answered.status).toBe(400);
      expect(await answered.json()).toEqual({ errorType: 'InvalidFunctionResponseMode', errorMessage: 'Invalid function response mode' });
      expect((await post('req-m', 'response')).status).toBe(403);
      await expect.poll(() => messages.filter((m) => m.type === 'result')).toEqual([{
        type: 'result', maxRssKB: 1024,
        error: { errorType: 'Runtime.InvalidResponseModeHeader', errorMessage: `Invalid Lambda-Runtime-Function-Response-Mode: "${mode}"` },
      }]);
    } finally {
      server.close();
    }
  });

  it('fills a missing errorType from Lambda-Runtime-Function-Error-Type as RAPID validates it; a body\'s own errorType is kept', async () => {
    const { server, messages, base } = await started();
    const cases: Array<[string | undefined, string, string]> = [
      ['Function.BadInput', '{"errorMessage":"m"}', 'Function.BadInput'],
      ['Runtime.HandlerError', 'not json', 'Runtime.HandlerError'],
      ['Function.lower', '{}', 'Function.Unknown'],
      ['Unhandled', '{"errorMessage":"m"}', 'Runtime.Unknown'],
      ['TypeError', '{}', 'Runtime.Unknown'],
      [undefined, '{}', 'Runtime.Unknown'],
      ['Unhandled', '{"errorType":"OrderRejected"}', 'OrderRejected'],
    ];
    try {
      for (const [i, [header, body]] of cases.entries()) {
        server.next(invocation(`req-${i}`));
        await (await fetch(`${base}/invocation/next`)).text();
        const headers: Record<string, string> = header === undefined ? {} : { 'Lambda-Runtime-Function-Error-Type': header };
        expect((await fetch(`${base}/invocation/req-${i}/error`, { method: 'POST', body, headers })).status).toBe(202);
      }
      await expect.poll(() => messages.filter((m) => m.type === 'result').length).toBe(cases.length);
      const types = messages.flatMap((m) => (m.type === 'result' ? [m.error?.errorType] : []));
      expect(types).toEqual(cases.map(([, , type]) => type));
    } finally {
      server.close();
    }
  });
});
