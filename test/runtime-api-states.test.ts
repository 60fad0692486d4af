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
      // Let the second call reach the server before the invocation is handed out.
      await new Promise((resolve) => setTimeout(resolve, 50));
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
