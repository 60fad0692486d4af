import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetAliasCommand, GetFunctionCommand, GetFunctionConfigurationCommand, InvalidParameterValueException, InvokeCommand, ListAliasesCommand, ListFunctionsCommand,
  ListVersionsByFunctionCommand, ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoder, encoder, readLines, startTestHub, tempDir, testConfig, waitFor, type TestHub } from './helpers/hub.js';

const PYTHON = fileURLToPath(new URL('./fixtures/python/', import.meta.url));
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

describe('versions and aliases', () => {
  let hub: TestHub;
  const calls = path.join(tempDir('th-alias-'), 'calls.log');

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        staged: {
          handler: 'versions.handler',
          environment: { STAGE: 'latest', SHARED: 'from-function' },
          aliases: {
            live: { environment: { STAGE: 'live' }, description: 'production traffic' },
            beta: { environment: { STAGE: 'beta' } },
          },
        },
        plain: { handler: 'versions.handler' },
        routed: {
          handler: 'versions.handler',
          environment: { STAGE: 'latest' },
          aliases: { live: { environment: { STAGE: 'live' } } },
          events: [{ http: { path: '/routed/live', methods: ['GET'], alias: 'live' } }, { http: { path: '/routed/latest', methods: ['GET'] } }],
        },
        recorder: { handler: 'versions.handler', environment: { CALLS_FILE: calls }, aliases: { live: { environment: { STAGE: 'live' } } } },
        pyStaged: { handler: path.join(PYTHON, 'handlers.counter'), runtime: 'python3.12', aliases: { live: null } },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invoke = async (FunctionName: string, Qualifier?: string) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName, Qualifier, Payload: encoder.encode('{}'), LogType: 'Tail' }));
    expect(out.FunctionError).toBeUndefined();
    return { version: out.ExecutedVersion, body: JSON.parse(decoder.decode(out.Payload)), logs: Buffer.from(out.LogResult!, 'base64').toString() };
  };

  it('runs an alias with its own environment overrides and its qualified ARN, as version 1', async () => {
    const live = await invoke('staged', 'live');
    expect(live.version).toBe('1');
    expect(live.body).toMatchObject({
      stage: 'live', shared: 'from-function', functionVersion: '1', envVersion: '1', invokedFunctionArn: `${ARN}:staged:live`,
    });
    expect(live.body.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[1\][0-9a-f]{32}$/);
    expect(live.logs).toMatch(/^START RequestId: \S+ Version: 1$/m);
    const beta = await invoke('staged:beta');
    expect(beta.body).toMatchObject({ stage: 'beta', functionVersion: '1', invokedFunctionArn: `${ARN}:staged:beta` });
    // Environments of different aliases are not shared.
    expect(beta.body.pid).not.toBe(live.body.pid);
    expect((await invoke('staged', 'live')).body.pid).toBe(live.body.pid);
  });

  it('runs $LATEST unqualified, as fn:$LATEST, and version 1 by number, each with the ARN the caller used', async () => {
    const unqualified = await invoke('staged');
    expect(unqualified.version).toBe('$LATEST');
    expect(unqualified.body).toMatchObject({ stage: 'latest', functionVersion: '$LATEST', invokedFunctionArn: `${ARN}:staged` });
    const latest = await invoke('staged:$LATEST');
    expect(latest.body).toMatchObject({ stage: 'latest', functionVersion: '$LATEST', invokedFunctionArn: `${ARN}:staged:$LATEST` });
    expect(latest.body.pid).toBe(unqualified.body.pid);
    const one = await invoke(`${ARN}:staged:1`);
    expect(one.version).toBe('1');
    expect(one.body).toMatchObject({ stage: 'latest', functionVersion: '1', invokedFunctionArn: `${ARN}:staged:1` });
  });

  it('answers 404 ResourceNotFoundException for an unknown alias or version, naming the qualified ARN', async () => {
    await expect(invoke('staged', 'nope')).rejects.toSatisfy((err) =>
      err instanceof ResourceNotFoundException && err.message === `Function not found: ${ARN}:staged:nope`);
    await expect(invoke('staged', '2')).rejects.toBeInstanceOf(ResourceNotFoundException);
    // A function without aliases has no published version.
    await expect(invoke('plain', '1')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await invoke('plain', '$LATEST')).body.functionVersion).toBe('$LATEST');
    await expect(invoke('staged:live', 'beta')).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('answers 400 ValidationException for a qualifier or function name Lambda\'s patterns refuse, before any lookup', async () => {
    const refused = (err: unknown, field: string, value: string) => {
      const { name, message, $metadata } = err as { name: string; message: string; $metadata: { httpStatusCode: number } };
      return name === 'ValidationException' && $metadata.httpStatusCode === 400
        && message.startsWith(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: `);
    };
    await expect(invoke('staged', 'bad qualifier')).rejects.toSatisfy((err) => refused(err, 'qualifier', 'bad qualifier'));
    await expect(invoke('staged', 'x'.repeat(129))).rejects.toSatisfy((err) => (err as Error).name === 'ValidationException');
    await expect(invoke('no such name')).rejects.toSatisfy((err) => refused(err, 'functionName', 'no such name'));
    await expect(invoke('staged:li ve')).rejects.toSatisfy((err) => refused(err, 'functionName', 'staged:li ve'));
    await expect(hub.lambda.send(new GetFunctionCommand({ FunctionName: 'staged', Qualifier: 'a/b' })))
      .rejects.toSatisfy((err) => refused(err, 'qualifier', 'a/b'));
  });

  it('passes the qualifier of an Event invocation on to the handler', async () => {
    await hub.lambda.send(new InvokeCommand({ FunctionName: 'recorder', Qualifier: 'live', InvocationType: 'Event', Payload: encoder.encode('{"n":1}') }));
    const line = await waitFor(() => readLines(calls)[0], 15_000, 'the async call');
    expect(JSON.parse(line)).toMatchObject({ event: { n: 1 }, stage: 'live', functionVersion: '1', invokedFunctionArn: `${ARN}:recorder:live` });
  });

  it('gives a Python handler the alias ARN and version', async () => {
    const out = await invoke('pyStaged', 'live');
    expect(out.body.context).toMatchObject({ function_version: '1', invoked_function_arn: `${ARN}:pyStaged:live` });
  });

  it('reads aliases and versions: GetAlias, ListAliases, ListVersionsByFunction, GetFunction with a qualifier', async () => {
    const alias = await hub.lambda.send(new GetAliasCommand({ FunctionName: 'staged', Name: 'live' }));
    expect(alias).toMatchObject({ AliasArn: `${ARN}:staged:live`, Name: 'live', FunctionVersion: '1', Description: 'production traffic' });
    expect(alias.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(hub.lambda.send(new GetAliasCommand({ FunctionName: 'staged', Name: 'gamma' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const list = await hub.lambda.send(new ListAliasesCommand({ FunctionName: 'staged' }));
    expect(list.Aliases!.map((a) => a.Name)).toEqual(['live', 'beta']);
    const versions = await hub.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'staged' }));
    expect(versions.Versions!.map((v) => [v.Version, v.FunctionArn])).toEqual([['$LATEST', `${ARN}:staged:$LATEST`], ['1', `${ARN}:staged:1`]]);
    const fn = await hub.lambda.send(new GetFunctionCommand({ FunctionName: 'staged', Qualifier: 'beta' }));
    expect(fn.Configuration).toMatchObject({ FunctionArn: `${ARN}:staged:beta`, Version: '1', Environment: { Variables: { STAGE: 'beta', SHARED: 'from-function' } } });
  });

  it('pages ListAliases and ListVersionsByFunction by MaxItems and NextMarker', async () => {
    const first = await hub.lambda.send(new ListAliasesCommand({ FunctionName: 'staged', MaxItems: 1 }));
    const second = await hub.lambda.send(new ListAliasesCommand({ FunctionName: 'staged', MaxItems: 1, Marker: first.NextMarker }));
    expect([...first.Aliases!, ...second.Aliases!].map((a) => a.Name)).toEqual(['live', 'beta']);
    expect(second.NextMarker).toBeUndefined();
    const versions = await hub.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'staged', MaxItems: 1 }));
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST']);
    const rest = await hub.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'staged', Marker: versions.NextMarker }));
    expect(rest.Versions!.map((v) => v.Version)).toEqual(['1']);
  });

  it('gives each version a RevisionId (a UUID) that differs between versions and stays the same between reads', async () => {
    const read = async (Qualifier?: string) => (await hub.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'staged', Qualifier }))).RevisionId;
    const [latest, live, again] = [await read(), await read('live'), await read()];
    expect(latest).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(live).not.toBe(latest);
    expect(again).toBe(latest);
  });

  it('answers GetAlias for a name Lambda\'s pattern refuses with ValidationException, before the lookup', async () => {
    for (const name of ['a b', '12', 'x'.repeat(129)]) {
      await expect(hub.lambda.send(new GetAliasCommand({ FunctionName: 'staged', Name: name }))).rejects.toMatchObject({
        name: 'ValidationException', message: expect.stringMatching(/^1 validation error detected: Value '.*' at 'name' failed to satisfy constraint: /),
      });
    }
    await expect(hub.lambda.send(new GetAliasCommand({ FunctionName: 'staged', Name: 'gamma-2' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists only the aliases that invoke the FunctionVersion ListAliases names', async () => {
    const names = async (FunctionVersion: string) => (await hub.lambda.send(new ListAliasesCommand({ FunctionName: 'staged', FunctionVersion }))).Aliases!.map((a) => a.Name);
    expect(await names('1')).toEqual(['live', 'beta']);
    expect(await names('$LATEST')).toEqual([]);
    expect(await names('7')).toEqual([]);
    await expect(names('live')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'functionVersion'") });
  });

  it('lists published versions too with ListFunctions FunctionVersion ALL', async () => {
    const all = await hub.lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    const listed = all.Functions!.map((f) => `${f.FunctionName}@${f.Version}`);
    expect(listed).toEqual(expect.arrayContaining(['staged@$LATEST', 'staged@1', 'plain@$LATEST']));
    expect(listed).not.toContain('plain@1');
    expect(all.Functions!.find((f) => f.FunctionName === 'staged' && f.Version === '1')!.FunctionArn).toBe(`${ARN}:staged:1`);
    const latest = await hub.lambda.send(new ListFunctionsCommand({}));
    expect(latest.Functions!.every((f) => f.Version === '$LATEST')).toBe(true);
    const bad = await fetch(`${hub.url}/2015-03-31/functions/?FunctionVersion=SOME`);
    expect([bad.status, bad.headers.get('x-amzn-errortype')]).toEqual([400, 'ValidationException']);
  });

  it('invokes the alias an event mapping names (alias:), and $LATEST without one', async () => {
    const live = await (await fetch(`${hub.url}/routed/live`)).json();
    expect(live).toMatchObject({ stage: 'live', functionVersion: '1', invokedFunctionArn: `${ARN}:routed:live` });
    const latest = await (await fetch(`${hub.url}/routed/latest`)).json();
    expect(latest).toMatchObject({ stage: 'latest', functionVersion: '$LATEST', invokedFunctionArn: `${ARN}:routed` });
  });
});

describe('event mapping alias errors', () => {
  it('names a mapping alias the function does not have', () => {
    expect(() => testConfig({ functions: { fn: { handler: 'versions.handler', aliases: { live: {} }, events: [{ http: { path: '/x', alias: 'beta' } }] } } }))
      .toThrow('functions.fn.events[0].http.alias: function fn has no alias "beta"');
  });
});
