import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvokeCommand, InvokeWithResponseStreamCommand, type InvokeWithResponseStreamResponseEvent } from '@aws-sdk/client-lambda';
import { LambdaFunctionUrlSchema } from '@aws-lambda-powertools/parser/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoder, FIXTURES, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

describe('response streaming', () => {
  let hub: TestHub;
  let dir: string;
  const stream = { url: { invokeMode: 'RESPONSE_STREAM' } };

  beforeAll(async () => {
    dir = tempDir('streaming');
    hub = await startTestHub({
      functions: {
        gated: { handler: 'streaming.gated', ...stream },
        gatedThread: { handler: 'streaming.gated', ...stream, isolation: 'thread' },
        failing: { handler: 'streaming.failing', ...stream },
        failingThread: { handler: 'streaming.failing', ...stream, isolation: 'thread' },
        failsFirst: { handler: 'streaming.failsFirst', ...stream },
        http: { handler: 'streaming.http', ...stream },
        httpThread: { handler: 'streaming.http', ...stream, isolation: 'thread' },
        notAsync: { handler: 'streaming.notAsync' },
        buffered: { handler: 'streaming.buffered', ...stream },
        spelled: { handler: 'streaming.spelledPrelude', ...stream },
        provided: { handler: path.join(FIXTURES, '../provided/streaming/function.handler'), runtime: 'provided.al2023', ...stream },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invokeStream = (name: string, payload: unknown, logType?: 'Tail') => hub.lambda.send(new InvokeWithResponseStreamCommand({
    FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: logType,
  }));

  // `…Thread`: the same handler in a worker thread (isolation: thread).
  it.each(['gated', 'gatedThread'])('InvokeWithResponseStream delivers PayloadChunk events as the handler writes them, then InvokeComplete (%s)', async (name) => {
    const gate = path.join(dir, `invoke-gate-${name}`);
    const response = await invokeStream(name, { gate }, 'Tail');
    expect(response.StatusCode).toBe(200);
    expect(response.ExecutedVersion).toBe('$LATEST');
    const { first, text, complete } = await readPastGate(response.EventStream!, gate);
    expect(first).toBe('first;');
    expect(text).toBe('second;last');
    expect(complete.ErrorCode).toBeUndefined();
    expect(Buffer.from(complete.LogResult!, 'base64').toString()).toMatch(/REPORT RequestId: /);
  });

  it.each(['failing', 'failingThread'])('ends the stream with the error in InvokeComplete when the handler fails mid-stream (%s)', async (name) => {
    const response = await invokeStream(name, {});
    const events: InvokeWithResponseStreamResponseEvent[] = [];
    for await (const event of response.EventStream!) events.push(event);
    expect(decoder.decode(events[0].PayloadChunk!.Payload)).toBe('partial;');
    expect(events.at(-1)!.InvokeComplete).toEqual({ ErrorCode: 'TypeError', ErrorDetails: 'broke mid-stream' });
  });

  it('streams a buffered handler\'s payload as one chunk, and refuses non-async streaming handlers', async () => {
    const events: InvokeWithResponseStreamResponseEvent[] = [];
    for await (const event of (await invokeStream('buffered', { a: 1 })).EventStream!) events.push(event);
    expect(JSON.parse(decoder.decode(events[0].PayloadChunk!.Payload))).toEqual({ echo: { a: 1 } });
    expect(events[1].InvokeComplete).toEqual({});
    const sync: InvokeWithResponseStreamResponseEvent[] = [];
    for await (const event of (await invokeStream('notAsync', {})).EventStream!) sync.push(event);
    expect(sync.at(-1)!.InvokeComplete).toMatchObject({ ErrorCode: 'Runtime.MalformedStreamingHandler', ErrorDetails: 'Streaming does not support non-async handlers.' });
    await expect(invokeStream('ghost', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('keeps HttpResponseStream metadata larger than the bytes in flight (1 MiB) in order: JSON, 8 NUL bytes, then the body', async () => {
    const metadata = JSON.stringify({ statusCode: 200, headers: { 'x-large': 'a'.repeat(1100 * 1024) } });
    const response = await invokeStream('spelled', { body: metadata });
    const chunks: Uint8Array[] = [];
    const events: InvokeWithResponseStreamResponseEvent[] = [];
    for await (const event of response.EventStream!) {
      events.push(event);
      if (event.PayloadChunk) chunks.push(event.PayloadChunk.Payload!);
    }
    expect(events.at(-1)!.InvokeComplete).toEqual({});
    expect(Buffer.concat(chunks).toString('latin1')).toBe(`${metadata}${'\0'.repeat(8)}streamed`);
  });

  it('a plain Invoke of a streaming handler returns the whole stream', async () => {
    const gate = path.join(dir, 'plain-gate');
    writeFileSync(gate, '');
    const result = await hub.lambda.send(new InvokeCommand({ FunctionName: 'gated', Payload: Buffer.from(JSON.stringify({ gate })) }));
    expect(decoder.decode(result.Payload)).toBe('first;second;last');
  });

  it('RESPONSE_STREAM function URLs send bytes chunked as written', async () => {
    const gate = path.join(dir, 'url-gate');
    const response = await fetch(`${hub.url}/urls/gated?gate=${encodeURIComponent(gate)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const reader = response.body!.getReader();
    expect(decoder.decode((await reader.read()).value)).toBe('first;');
    writeFileSync(gate, '');
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read()) rest += decoder.decode(next.value);
    expect(rest).toBe('second;last');
  });

  it.each(['http', 'httpThread'])('takes status, headers and cookies from HttpResponseStream metadata (%s)', async (name) => {
    const response = await fetch(`${hub.url}/urls/${name}`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(response.headers.get('x-stream')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.text()).toBe('id,name\n1,ada\n2,grace\n');
  });

  it('answers 502 for a failure before the first byte and cuts the connection after it', async () => {
    const early = await fetch(`${hub.url}/urls/failsFirst`);
    expect(early.status).toBe(502);
    expect(await early.json()).toEqual({ Message: 'Internal Server Error' });
    const mid = await fetch(`${hub.url}/urls/failing`);
    expect(mid.status).toBe(200);
    await expect(mid.text()).rejects.toThrow();
    const event = await (await fetch(`${hub.url}/urls/buffered/x`)).json();
    expect(() => LambdaFunctionUrlSchema.parse(event.echo)).not.toThrow();
  });

  it('streams a custom runtime\'s Runtime API streaming response, with its error trailers in InvokeComplete', async () => {
    const gate = path.join(dir, 'provided-gate');
    const response = await invokeStream('provided', { gate });
    expect(await readPastGate(response.EventStream!, gate)).toEqual({ first: 'data: first\n\n', text: 'data: second\n\n', complete: {} });

    const url = await fetch(`${hub.url}/urls/provided`);
    expect(url.headers.get('content-type')).toBe('text/event-stream');
    expect(await url.text()).toBe('data: first\n\ndata: second\n\n');

    const failed: InvokeWithResponseStreamResponseEvent[] = [];
    for await (const event of (await invokeStream('provided', { fail: true })).EventStream!) failed.push(event);
    expect(decoder.decode(failed[0].PayloadChunk!.Payload)).toBe('data: first\n\n');
    expect(failed.at(-1)!.InvokeComplete).toEqual({ ErrorCode: 'StreamError', ErrorDetails: 'gave up mid-stream' });
  });
});

/**
 * Reads the first PayloadChunk while the handler still waits for `gate` (so it was streamed, not
 * buffered), then opens the gate and reads the rest.
 */
async function readPastGate(stream: AsyncIterable<InvokeWithResponseStreamResponseEvent>, gate: string) {
  const events = stream[Symbol.asyncIterator]();
  const first = decoder.decode(((await events.next()).value as InvokeWithResponseStreamResponseEvent).PayloadChunk!.Payload);
  writeFileSync(gate, '');
  const rest: InvokeWithResponseStreamResponseEvent[] = [];
  for (let next = await events.next(); !next.done; next = await events.next()) rest.push(next.value);
  const text = rest.filter((e) => e.PayloadChunk).map((e) => decoder.decode(e.PayloadChunk!.Payload)).join('');
  return { first, text, complete: rest.at(-1)!.InvokeComplete! };
}
