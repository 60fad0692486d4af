import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidRequestContentException, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFilterCriteria } from '../src/filters/criteria.js';
import { MAX_JSON_DEPTH, parseJson } from '../src/json.js';
import { decoder, encoder, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/** `levels` nested arrays around one value: valid JSON. */
const nested = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);
const HOSTILE = nested(200_000);

describe('deeply nested JSON (200,000 levels) is refused at the edge, never reaching a handler', { timeout: 60_000 }, () => {
  const dir = tempDir('th-deep-');
  const calls = path.join(dir, 'calls.log');
  let hub: TestHub;

  beforeAll(async () => {
    writeFileSync(calls, '');
    hub = await startTestHub({
      functions: {
        echo: { handler: 'echo.handler' },
        record: {
          handler: 'record.handler', environment: { CALLS_FILE: calls },
          events: [
            { sns: { topic: 'arn:aws:sns:us-east-1:123456789012:deep', allowHttp: true } },
            { s3: { bucket: 'deep-bucket', via: { webhook: { path: '/minio' } } } },
          ],
        },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it.each(['RequestResponse', 'Event'] as const)('Invoke (%s) answers 400 InvalidRequestContentException naming the limit', async (type) => {
    const invoked = hub.lambda.send(new InvokeCommand({ FunctionName: 'record', InvocationType: type, Payload: encoder.encode(HOSTILE) }));
    await expect(invoked).rejects.toBeInstanceOf(InvalidRequestContentException);
    await expect(invoked).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 }, message: expect.stringContaining(`nested deeper than ${MAX_JSON_DEPTH} levels`) });
    expect(readFileSync(calls, 'utf8')).toBe('');
  });

  it('the SNS endpoint and the MinIO webhook answer 400 (not retried by the sender)', async () => {
    const sns = await fetch(`${hub.url}/sns/record`, { method: 'POST', headers: { 'x-amz-sns-message-type': 'Notification' }, body: `{"Type":"Notification","x":${HOSTILE}}` });
    expect(sns.status).toBe(400);
    expect((await sns.json()).message).toContain('nested deeper than');
    const minio = await fetch(`${hub.url}/minio`, { method: 'POST', body: `{"Records":[{"eventName":"s3:ObjectCreated:Put","x":${HOSTILE}}]}` });
    expect(minio.status).toBe(400);
    expect((await minio.json()).message).toContain('nested deeper than');
    expect(readFileSync(calls, 'utf8')).toBe('');
  });

  it('the DLQ admin API answers 400', async () => {
    const response = await fetch(`${hub.url}/admin/dlq/redrive`, { method: 'POST', body: `{"filter":${HOSTILE}}` });
    expect(response.status).toBe(400);
    expect((await response.json()).message).toContain('nested deeper than');
  });

  it('the console API answers 400 (the DLQ edit body is parsed with the same guard)', async () => {
    const response = await fetch(`${hub.url}/console/api/dlq/x/redrive`, { method: 'POST', body: `{"payload":${HOSTILE}}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'TH_ERR_CONSOLE_REQUEST_INVALID', message: expect.stringContaining('nested deeper than') });
  });

  it(`an event nested exactly ${MAX_JSON_DEPTH} levels deep runs, sync and async`, async () => {
    const deepest = nested(MAX_JSON_DEPTH, '"bottom"');
    const sync = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode(deepest) }));
    expect(sync.FunctionError).toBeUndefined();
    expect(JSON.stringify(JSON.parse(decoder.decode(sync.Payload)).event)).toBe(deepest);
    const queued = await hub.lambda.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: encoder.encode(deepest) }));
    expect(queued.StatusCode).toBe(202);
    await waitFor(() => readFileSync(calls, 'utf8').includes('"bottom"'), 20_000, 'the deep event to run');
    expect(readFileSync(calls, 'utf8').trim()).toBe(deepest);
  });
});

describe('the depth check itself', () => {
  it('counts brackets outside strings only, and lets JSON.parse judge the rest', () => {
    expect(parseJson(`{"a":"${'['.repeat(10_000)}"}`)).toEqual({ a: '['.repeat(10_000) });
    expect(parseJson(`["\\"${'{'.repeat(1000)}"]`)).toEqual([`"${'{'.repeat(1000)}`]);
    expect(() => parseJson(nested(MAX_JSON_DEPTH + 1))).toThrow(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (at offset ${MAX_JSON_DEPTH})`);
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });

  it('a filter sees an SQS body nested too deep as text (no match), without overflowing the stack', () => {
    const filter = compileFilterCriteria({ filters: [{ pattern: JSON.stringify({ body: { kind: ['order'] } }) }] }, 'body');
    expect(filter({ body: `{"kind":"order","deep":${nested(10)}}` })).toBe(true);
    expect(filter({ body: HOSTILE })).toBe(false);
    expect(filter({ body: `{"kind":"order","deep":${HOSTILE}}` })).toBe(false);
  });
});
