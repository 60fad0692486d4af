import path from 'node:path';
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetAccountSettingsCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand, UpdateFunctionCodeCommand,
  GetFunctionCommand, GetFunctionConfigurationCommand, GetFunctionUrlConfigCommand, ListAliasesCommand, InvalidParameterValueException, InvokeAsyncCommand, InvokeCommand, InvokeWithResponseStreamCommand, ListFunctionsCommand, ResourceNotFoundException,
  TooManyRequestsException, InvalidRequestContentException, paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoder, encoder, readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

describe('Lambda Invoke API with @aws-sdk/client-lambda', () => {
  let hub: TestHub;
  const calls = path.join(tempDir(), 'calls.log');

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        echo: { handler: 'echo.handler', description: 'echoes' },
        sized: { handler: 'http.sized', memorySize: 1024 },
        jsonLogs: { handler: 'echo.handler', loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'WARN', logGroup: '/custom/json' } },
        context: { handler: 'echo.clientContext' },
        contextThread: { handler: 'echo.clientContext', isolation: 'thread' },
        fail: { handler: 'fail.handler', maximumRetryAttempts: 0 },
        record: { handler: 'record.handler', environment: { CALLS_FILE: calls } },
        single: { handler: 'sleeper.handler', reservedConcurrency: 1, timeout: 10 },
        sleepy: { handler: 'sleeper.handler', timeout: 1 },
        hog: { handler: 'hog.handler', memorySize: 128 },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('returns the handler result of a RequestResponse invocation', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{"a":1}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = JSON.parse(decoder.decode(out.Payload));
    expect(body).toMatchObject({ event: { a: 1 }, fn: 'echo' });
  });

  it('accepts a function ARN as the name', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo', Payload: encoder.encode('1') }));
    expect(JSON.parse(decoder.decode(out.Payload)).event).toBe(1);
  });

  it('reports a handler error as 200 with X-Amz-Function-Error and Lambda\'s error shape', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'fail', Payload: encoder.encode('{"errorType":"ValidationError"}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const body = JSON.parse(decoder.decode(out.Payload));
    expect(body.errorType).toBe('ValidationError');
    expect(body.errorMessage).toContain('cannot handle');
    expect(body.trace[0]).toBe(`ValidationError: ${body.errorMessage}`);
    expect(body.trace[1]).toMatch(/^ {4}at /);
    expect(body).not.toHaveProperty('stackTrace');
  });

  it('returns the log tail with LogType Tail', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', Payload: encoder.encode('{}') }));
    const logs = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(logs).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST/m);
    expect(logs).toMatch(/^END RequestId: /m);
    expect(logs).toMatch(/^REPORT RequestId: .*Billed Duration: \d+ ms/m);
  });

  it('queues an Event invocation (202) and the handler runs', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: encoder.encode('{"async":true}') }));
    expect(out.StatusCode).toBe(202);
    await waitFor(() => readLines(calls).some((line) => JSON.parse(line).async === true), 10_000, 'async handler run');
  });

  it('queues an event with the legacy InvokeAsync (202, body {"Status":202}) as Invoke with InvocationType Event does', async () => {
    const out = await hub.lambda.send(new InvokeAsyncCommand({ FunctionName: 'record', InvokeArgs: encoder.encode('{"legacy":"invoke-async"}') }));
    expect(out.Status).toBe(202);
    await waitFor(() => readLines(calls).some((line) => JSON.parse(line).legacy === 'invoke-async'), 10_000, 'InvokeAsync handler run');
    // The documented path has a trailing slash; the body is Lambda's.
    const raw = await fetch(`${hub.url}/2014-11-13/functions/record/invoke-async/`, { method: 'POST', body: '{"legacy":"raw"}' });
    expect([raw.status, await raw.json()]).toEqual([202, { Status: 202 }]);
    expect(raw.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => readLines(calls).some((line) => JSON.parse(line).legacy === 'raw'), 10_000, 'raw InvokeAsync handler run');
    // Errors as for an Event invocation.
    await expect(hub.lambda.send(new InvokeAsyncCommand({ FunctionName: 'nope', InvokeArgs: encoder.encode('{}') }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(hub.lambda.send(new InvokeAsyncCommand({ FunctionName: 'record', InvokeArgs: encoder.encode('{not json') }))).rejects.toBeInstanceOf(InvalidRequestContentException);
    // InvokeAsync keeps the old 256 KB limit (Lambda's API reference: "The payload limit is 256KB. For larger payloads, for up to 1MB, use Invoke").
    const atLimit = Buffer.from(`"${'x'.repeat(256 * 1024 - 2)}"`);
    const over = Buffer.from(`"${'x'.repeat(256 * 1024 - 1)}"`);
    expect((await hub.lambda.send(new InvokeAsyncCommand({ FunctionName: 'echo', InvokeArgs: atLimit }))).Status).toBe(202);
    await expect(hub.lambda.send(new InvokeAsyncCommand({ FunctionName: 'echo', InvokeArgs: over }))).rejects.toMatchObject({
      name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 }, message: '262145 byte payload is too large for the Event invocation type (limit 262144 bytes)',
    });
    expect((await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: over }))).StatusCode).toBe(202);
  });

  it('refuses a function ARN of another region (404) or account (403) as Lambda does, on every operation, without running the handler', async () => {
    const before = readLines(calls).length;
    const otherRegion = 'arn:aws:lambda:eu-west-9:000000000000:function:record';
    const otherAccount = 'arn:aws:lambda:us-east-1:111111111111:function:record';
    // Every operation that takes a FunctionName, each sent when awaited.
    const operations = (FunctionName: string) => [
      () => hub.lambda.send(new InvokeCommand({ FunctionName, Payload: encoder.encode('{}') })),
      () => hub.lambda.send(new InvokeCommand({ FunctionName, InvocationType: 'Event', Payload: encoder.encode('{}') })),
      () => hub.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName, Payload: encoder.encode('{}') })),
      () => hub.lambda.send(new GetFunctionCommand({ FunctionName })),
      () => hub.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName })),
      () => hub.lambda.send(new ListAliasesCommand({ FunctionName })),
      () => hub.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName })),
      () => hub.lambda.send(new InvokeAsyncCommand({ FunctionName, InvokeArgs: encoder.encode('{}') })),
    ];
    for (const send of operations(otherRegion)) {
      await expect(send()).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 }, message: "Functions from 'eu-west-9' are not reachable in this region ('us-east-1')" });
    }
    // Both another region and another account: the region is what Lambda answers first.
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-9:111111111111:function:record' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    for (const send of operations(otherAccount)) await expect(send()).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    await expect(hub.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: '111111111111:function:record:live' }))).rejects.toThrow(
      'User: arn:aws:iam::000000000000:root is not authorized to perform: lambda:GetFunctionConfiguration on resource: arn:aws:lambda:us-east-1:111111111111:function:record:live because no resource-based policy allows the lambda:GetFunctionConfiguration action',
    );
    // Another partition with the hub's region and account (no such function exists anywhere): not found, named as given.
    for (const partition of ['aws-cn', 'aws-us-gov']) {
      const arn = `arn:${partition}:lambda:us-east-1:000000000000:function:record`;
      for (const send of operations(arn)) {
        await expect(send()).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 }, message: `Function not found: ${arn}` });
      }
    }
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws-cn:lambda:cn-north-1:000000000000:function:record' })))
      .rejects.toThrow("Functions from 'cn-north-1' are not reachable in this region ('us-east-1')");
    // The hub's own region and account (full or partial ARN) still reach the function.
    expect((await hub.lambda.send(new GetFunctionCommand({ FunctionName: '000000000000:function:record' }))).Configuration?.FunctionName).toBe('record');
    expect((await hub.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:record', Payload: encoder.encode('{}') }))).StatusCode).toBe(200);
    expect(readLines(calls).length).toBe(before + 1);
  });

  it("a hub in a China region names its functions in the aws-cn partition and reaches them by that ARN only", async () => {
    const cn = await startTestHub({ region: 'cn-north-1', accountId: '123456789012', functions: { echo: { handler: 'versions.handler', layers: [tempDir()] } } });
    try {
      const arn = 'arn:aws-cn:lambda:cn-north-1:123456789012:function:echo';
      expect((await cn.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }))).Configuration).toMatchObject({
        FunctionArn: arn, Role: 'arn:aws-cn:iam::123456789012:role/triggerhub',
        Layers: [{ Arn: expect.stringMatching(/^arn:aws-cn:lambda:cn-north-1:123456789012:layer:[\w-]+:1$/), CodeSize: 0 }],
      });
      const out = await cn.lambda.send(new InvokeCommand({ FunctionName: arn, Payload: encoder.encode('{"a":1}') }));
      expect(JSON.parse(decoder.decode(out.Payload))).toMatchObject({ event: { a: 1 }, invokedFunctionArn: arn });
      await expect(cn.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:cn-north-1:123456789012:function:echo' })))
        .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:cn-north-1:123456789012:function:echo' });
      // Another account: the caller Lambda names is the hub account's root, in the aws-cn partition too.
      await expect(cn.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: '111111111111:function:echo' }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringMatching(/^User: arn:aws-cn:iam::123456789012:root is not authorized to perform: lambda:GetFunctionConfiguration on resource: arn:aws-cn:lambda:cn-north-1:111111111111:function:echo /),
      });
    } finally {
      await cn.stop();
    }
  });

  it('reads every FunctionName form Lambda\'s pattern takes as Lambda does (function:fn, a region before the name), and refuses what it refuses', async () => {
    for (const FunctionName of ['function:echo', 'us-east-1:echo', 'us-east-1:000000000000:function:echo', 'function:echo:$LATEST']) {
      const out = await hub.lambda.send(new InvokeCommand({ FunctionName, Payload: encoder.encode('{"form":1}') }));
      expect(JSON.parse(decoder.decode(out.Payload)), FunctionName).toMatchObject({ event: { form: 1 }, fn: 'echo' });
    }
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'eu-west-1:echo' }))).rejects.toThrow("Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
    // An ARN that stops at `function` names a function called `function` (LocalStack's AWS-recorded answer).
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function' })))
      .rejects.toThrow('Function not found: arn:aws:lambda:us-east-1:000000000000:function:function:$LATEST');
    // $LATEST.PUBLISHED passes validation and, never published here, is not found.
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '$LATEST.PUBLISHED' })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST.PUBLISHED' });
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'a'.repeat(129) })))
      .rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128$/) });
  });

  it('answers DryRun with 204 without running the handler', async () => {
    const before = readLines(calls).length;
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'DryRun', Payload: encoder.encode('{}') }));
    expect(out.StatusCode).toBe(204);
    expect(readLines(calls).length).toBe(before);
  });

  it('answers an unknown function with ResourceNotFoundException; an invocation names the version it would have run ($LATEST), as Lambda\'s does', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:nope';
    const err = await hub.lambda.send(new InvokeCommand({ FunctionName: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe(`Function not found: ${arn}:$LATEST`);
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'Event' }))).rejects.toThrow(`Function not found: ${arn}:$LATEST`);
    await expect(hub.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: `000000000000:function:nope` }))).rejects.toThrow(`Function not found: ${arn}:$LATEST`);
    // A qualifier given is named as given; the reads name the bare ARN.
    await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'nope', Qualifier: 'live' }))).rejects.toThrow(`Function not found: ${arn}:live`);
    await expect(hub.lambda.send(new GetFunctionCommand({ FunctionName: 'nope' }))).rejects.toThrow(new RegExp(`^Function not found: ${arn}$`));
    // The error document as Lambda's model spells ResourceNotFoundException: `Type` and `Message`
    // (boto3's error response carries them as such); other exceptions say `message`.
    const raw = await fetch(`${hub.url}/2015-03-31/functions/nope/invocations`, { method: 'POST', body: '{}' });
    expect([raw.status, raw.headers.get('x-amzn-errortype')]).toEqual([404, 'ResourceNotFoundException']);
    expect(await raw.json()).toEqual({ Type: 'User', Message: `Function not found: ${arn}:$LATEST`, code: 'TH_ERR_FUNCTION_NOT_FOUND' });
    const mismatch = await fetch(`${hub.url}/2015-03-31/functions/echo:live/invocations?Qualifier=1`, { method: 'POST', body: '{}' });
    expect(await mismatch.json()).toEqual({
      Type: 'User', message: 'The derived qualifier from the function name does not match the specified qualifier.', code: 'TH_ERR_REQUEST_INVALID_PARAMETER',
    });
  });

  it('rejects a sync payload over 6 MB and an async payload over 1 MB with 413', async () => {
    const big = encoder.encode(JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) }));
    const sync = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })).catch((e: unknown) => e);
    // Lambda's front end answers with RequestEntityTooLargeException (not the modelled RequestTooLargeException).
    expect(sync).toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
    expect((sync as Error).message).toBe('Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    const medium = encoder.encode(JSON.stringify({ s: 'x'.repeat(1024 * 1024 + 10) }));
    const async = await hub.lambda.send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: medium })).catch((e: unknown) => e);
    expect(async).toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
    // What Lambda says since its async limit became 1 MB.
    expect((async as Error).message).toBe(`${medium.length} byte payload is too large for the Event invocation type (limit 1048576 bytes)`);
    // the same payload is fine synchronously
    const ok = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: medium }));
    expect(ok.StatusCode).toBe(200);
  });

  it('fails a result over Lambda\'s 6291556-byte response limit with Function.ResponseSizeTooLarge, on Invoke and InvokeWithResponseStream', async () => {
    const limit = 6 * 1024 * 1024 + 100;
    // `sized` answers a JSON string of n bytes (quotes included).
    const fits = await hub.lambda.send(new InvokeCommand({ FunctionName: 'sized', Payload: encoder.encode(JSON.stringify({ bytes: limit })) }));
    expect(fits.FunctionError).toBeUndefined();
    expect(fits.Payload?.length).toBe(limit);
    const over = await hub.lambda.send(new InvokeCommand({ FunctionName: 'sized', Payload: encoder.encode(JSON.stringify({ bytes: limit + 1 })) }));
    expect(over.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decoder.decode(over.Payload))).toEqual({
      errorMessage: `Response payload size (${limit + 1} bytes) exceeded maximum allowed payload size (${limit} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    });
    const streamed = await hub.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'sized', Payload: encoder.encode(JSON.stringify({ bytes: limit + 1 })) }));
    const events = [];
    for await (const event of streamed.EventStream!) events.push(event);
    expect(events.filter((event) => event.PayloadChunk)).toEqual([]);
    expect(events.at(-1)?.InvokeComplete).toMatchObject({ ErrorCode: 'Function.ResponseSizeTooLarge' });
  });

  it('rejects an invalid JSON payload with InvalidRequestContentException', async () => {
    const err = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{not json') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestContentException);
    expect((err as Error).message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
    // Bytes that are not UTF-8 inside valid JSON: refused as Lambda's parser refuses them (not read as U+FFFD), and nothing runs.
    const before = readLines(calls).length;
    const notUtf8 = Buffer.from('{"notUtf8":"\xff\xfe"}', 'latin1');
    for (const InvocationType of ['RequestResponse', 'Event', 'DryRun'] as const) {
      await expect(hub.lambda.send(new InvokeCommand({ FunctionName: 'record', InvocationType, Payload: notUtf8 }))).rejects.toMatchObject({
        name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 }, message: expect.stringContaining('Invalid UTF-8'),
      });
    }
    await expect(hub.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'record', Payload: notUtf8 }))).rejects.toBeInstanceOf(InvalidRequestContentException);
    await expect(hub.lambda.send(new InvokeAsyncCommand({ FunctionName: 'record', InvokeArgs: notUtf8 }))).rejects.toBeInstanceOf(InvalidRequestContentException);
    expect(readLines(calls).length).toBe(before);
    // the hub keeps serving
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{}') }));
    expect(out.StatusCode).toBe(200);
  });

  it('passes ClientContext (base64 JSON) to the handler as context.clientContext, on Invoke and InvokeWithResponseStream', async () => {
    const clientContext = { client: { installation_id: 'i-1', app_title: 'probe' }, custom: { tenant: 't-9' }, env: { locale: 'en' } };
    const ClientContext = Buffer.from(JSON.stringify(clientContext)).toString('base64');
    for (const name of ['context', 'contextThread']) {
      const out = await hub.lambda.send(new InvokeCommand({ FunctionName: name, ClientContext, Payload: encoder.encode('{}') }));
      expect(JSON.parse(decoder.decode(out.Payload)), name).toEqual({ clientContext });
    }
    const none = await hub.lambda.send(new InvokeCommand({ FunctionName: 'context', Payload: encoder.encode('{}') }));
    expect(JSON.parse(decoder.decode(none.Payload))).toEqual({ clientContext: null });
    const streamed = await hub.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'context', ClientContext, Payload: encoder.encode('{}') }));
    let text = '';
    for await (const event of streamed.EventStream!) if (event.PayloadChunk?.Payload) text += decoder.decode(event.PayloadChunk.Payload);
    expect(JSON.parse(text)).toEqual({ clientContext });
    const queued = await hub.lambda.send(new InvokeCommand({ FunctionName: 'context', InvocationType: 'Event', ClientContext, Payload: encoder.encode('{}') }));
    expect(queued.StatusCode).toBe(202);
  });

  it('refuses a ClientContext that is not base64 of a JSON object with Lambda\'s InvalidRequestContentException', async () => {
    const invalid = ['not base64!', Buffer.from('not json').toString('base64'), Buffer.from('[1,2]').toString('base64'), Buffer.from('"text"').toString('base64')];
    for (const ClientContext of invalid) {
      for (const command of [
        new InvokeCommand({ FunctionName: 'context', ClientContext, Payload: encoder.encode('{}') }),
        new InvokeWithResponseStreamCommand({ FunctionName: 'context', ClientContext, Payload: encoder.encode('{}') }),
      ]) {
        const err = await hub.lambda.send(command as InvokeCommand).catch((e: unknown) => e);
        expect(err, ClientContext).toBeInstanceOf(InvalidRequestContentException);
        expect((err as Error).message).toBe('Client context must be a valid Base64-encoded JSON object.');
      }
    }
  });

  it('throttles a second concurrent sync call with reservedConcurrency 1 (429)', async () => {
    const first = hub.lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: encoder.encode('{"ms":1500}') }));
    await waitFor(async () => (await hub.redis.zcard(`${hub.config.queuePrefix}:concurrency:single`)) === 1, 5000, 'first call running');
    const second = await hub.lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: encoder.encode('{"ms":1}') })).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(TooManyRequestsException);
    expect((second as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    expect((second as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(decoder.decode((await first).Payload)).toBe('"woke"');
    const third = await hub.lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: encoder.encode('{"ms":1}') }));
    expect(third.StatusCode).toBe(200);
  });

  it('kills a handler past its timeout with Lambda\'s message; the next call gets a fresh environment', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'sleepy', Payload: encoder.encode('{"ms":5000}'), LogType: 'Tail' }));
    expect(out.FunctionError).toBe('Unhandled');
    const body = JSON.parse(decoder.decode(out.Payload));
    expect(body.errorType).toBe('Sandbox.Timedout');
    expect(body.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    const next = await hub.lambda.send(new InvokeCommand({ FunctionName: 'sleepy', Payload: encoder.encode('{"ms":1}'), LogType: 'Tail' }));
    expect(decoder.decode(next.Payload)).toBe('"woke"');
    expect(Buffer.from(next.LogResult!, 'base64').toString()).toContain('Init Duration');
  });

  it('fails a handler that allocates past memorySize with an out-of-memory error and keeps serving', async () => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'hog', Payload: encoder.encode('{}') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decoder.decode(out.Payload)).errorType).toBe('Runtime.OutOfMemory');
    const echo = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{"after":"oom"}') }));
    expect(JSON.parse(decoder.decode(echo.Payload)).event).toEqual({ after: 'oom' });
  });

  it('lists and describes functions in AWS\'s shape', async () => {
    const list = await hub.lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName).sort()).toEqual(['context', 'contextThread', 'echo', 'fail', 'hog', 'jsonLogs', 'record', 'single', 'sized', 'sleepy']);
    const got = await hub.lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration).toMatchObject({
      FunctionName: 'echo', Handler: 'echo.handler', Runtime: 'nodejs20.x', Timeout: 3, MemorySize: 128,
      Description: 'echoes', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo', State: 'Active',
    });
    expect(got.Configuration!.LoggingConfig).toEqual({ LogFormat: 'Text', LogGroup: '/aws/lambda/echo' });
    // A function without variables has no Environment, as on Lambda; one with them, its Variables.
    expect(got.Configuration).not.toHaveProperty('Environment');
    expect((await hub.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' })))).not.toHaveProperty('Environment');
    expect(list.Functions?.find((f) => f.FunctionName === 'echo')).not.toHaveProperty('Environment');
    expect((await hub.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'record' }))).Environment).toEqual({ Variables: { CALLS_FILE: calls } });
    const json = await hub.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'jsonLogs' }));
    expect(json.LoggingConfig).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'INFO', LogGroup: '/custom/json' });
    const single = await hub.lambda.send(new GetFunctionCommand({ FunctionName: 'single' }));
    expect(single.Concurrency?.ReservedConcurrentExecutions).toBe(1);
    const reserved = await hub.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'single' }));
    expect(reserved.ReservedConcurrentExecutions).toBe(1);
    const unreserved = await hub.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' }));
    expect(unreserved.ReservedConcurrentExecutions).toBeUndefined();
    await expect(hub.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'ghost' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages ListFunctions by MaxItems and NextMarker, as the SDK paginator and the CLI drive it', async () => {
    const first = await hub.lambda.send(new ListFunctionsCommand({ MaxItems: 4 }));
    expect(first.Functions).toHaveLength(4);
    expect(first.NextMarker).toEqual(expect.any(String));
    const pages: string[][] = [];
    for await (const p of paginateListFunctions({ client: hub.lambda, pageSize: 4 }, {})) pages.push(p.Functions!.map((f) => f.FunctionName!));
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat().sort()).toEqual(['context', 'contextThread', 'echo', 'fail', 'hog', 'jsonLogs', 'record', 'single', 'sized', 'sleepy']);
    const last = await hub.lambda.send(new ListFunctionsCommand({ MaxItems: 50 }));
    expect(last.NextMarker).toBeUndefined();
    await expect(hub.lambda.send(new ListFunctionsCommand({ MaxItems: 0 }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'maxItems'") });
    await expect(hub.lambda.send(new ListFunctionsCommand({ Marker: 'not-ours' }))).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('answers a Lambda operation the hub does not perform with AccessDeniedException naming it; a mistyped path stays 404', async () => {
    const role = 'arn:aws:iam::000000000000:role/x';
    const calls = [
      new CreateFunctionCommand({ FunctionName: 'x', Role: role, Code: { ZipFile: new Uint8Array([1]) } }),
      new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: new Uint8Array([1]) }),
      new DeleteFunctionCommand({ FunctionName: 'echo' }),
      new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 1 }),
      new GetAccountSettingsCommand({}),
    ];
    for (const command of calls) {
      const operation = command.constructor.name.replace(/Command$/, '');
      await expect(hub.lambda.send(command as Parameters<typeof hub.lambda.send>[0])).rejects.toMatchObject({
        name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 }, message: expect.stringContaining(`does not perform lambda:${operation}:`),
      });
    }
    const echo = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('1') }));
    expect(JSON.parse(decoder.decode(echo.Payload)).event).toBe(1);
    const typo = await fetch(`${hub.url}/2015-03-31/functionz/echo`);
    expect([typo.status, typo.headers.get('x-amzn-errortype')]).toEqual([404, 'NotFoundException']);
  });

  it('refuses an X-Amz-Log-Type other than None or Tail with Lambda\'s ValidationException, on Invoke and InvokeWithResponseStream', async () => {
    for (const path of ['2015-03-31/functions/record/invocations', '2021-11-15/functions/record/response-streaming-invocations']) {
      const response = await fetch(`${hub.url}/${path}`, { method: 'POST', headers: { 'x-amz-log-type': 'tail' }, body: '{"logType":"bad"}' });
      expect([response.status, response.headers.get('x-amzn-errortype')]).toEqual([400, 'ValidationException']);
      expect((await response.json()).message).toBe("1 validation error detected: Value 'tail' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]");
    }
    const none = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'None', Payload: encoder.encode('{}') }));
    expect([none.StatusCode, none.LogResult]).toEqual([200, undefined]);
    expect(readLines(calls).filter((line) => line.includes('logType'))).toEqual([]);
  });

  it('refuses a bad X-Amz-Invocation-Type with Lambda\'s 400 ValidationException naming the enum, on Invoke and InvokeWithResponseStream, and keeps serving', async () => {
    const cases = [
      ['2015-03-31/functions/record/invocations', 'Sometimes', '[DryRun, RequestResponse, Event]'],
      ['2021-11-15/functions/record/response-streaming-invocations', 'Event', '[RequestResponse, DryRun]'],
    ] as const;
    for (const [path, type, allowed] of cases) {
      const response = await fetch(`${hub.url}/${path}`, { method: 'POST', headers: { 'x-amz-invocation-type': type }, body: '{"invocationType":"bad"}' });
      expect([response.status, response.headers.get('x-amzn-errortype')]).toEqual([400, 'ValidationException']);
      expect((await response.json()).message).toBe(`1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: ${allowed}`);
    }
    expect(readLines(calls).filter((line) => line.includes('invocationType'))).toEqual([]);
    // Lambda validates its input before any lookup: a bad enum is 400 for a function that does not exist too.
    for (const [path, header] of [['2015-03-31/functions/ghost/invocations', 'x-amz-invocation-type'], ['2021-11-15/functions/ghost/response-streaming-invocations', 'x-amz-log-type']]) {
      const response = await fetch(`${hub.url}/${path}`, { method: 'POST', headers: { [header]: 'Sometimes' }, body: '{}' });
      expect([response.status, response.headers.get('x-amzn-errortype')], path).toEqual([400, 'ValidationException']);
    }
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{}') }));
    expect(out.StatusCode).toBe(200);
  });

  it('names every member that breaks its constraint in one ValidationException, as Lambda does (2 validation errors detected: …; …)', async () => {
    for (const path of ['2015-03-31/functions/bad%20name/invocations?Qualifier=x%20y', '2021-11-15/functions/bad%20name/response-streaming-invocations?Qualifier=x%20y']) {
      const response = await fetch(`${hub.url}/${path}`, { method: 'POST', headers: { 'x-amz-invocation-type': 'Sometimes', 'x-amz-log-type': 'tail' }, body: '{}' });
      expect([response.status, response.headers.get('x-amzn-errortype')], path).toEqual([400, 'ValidationException']);
      const { message } = await response.json() as { message: string };
      expect(message.startsWith('4 validation errors detected: '), message).toBe(true);
      expect(message.slice('4 validation errors detected: '.length).split('; ').map((part) => /^Value '(.*)' at '(\w+)'/.exec(part)?.slice(1))).toEqual([
        ['bad name', 'functionName'], ['Sometimes', 'invocationType'], ['tail', 'logType'], ['x y', 'qualifier'],
      ]);
    }
    // A name over 256 characters that also has a character outside the pattern breaks both of its constraints.
    const long = `${'a'.repeat(256)}!`;
    const both = await fetch(`${hub.url}/2015-03-31/functions/${long}/invocations`, { method: 'POST', body: '{}' });
    expect((await both.json()).message).toBe(`2 validation errors detected: Value '${long}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?; Value '${long}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 256`);
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{}') }));
    expect(out.StatusCode).toBe(200);
  });

  it('reports readiness on /healthz', async () => {
    const response = await fetch(`${hub.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
