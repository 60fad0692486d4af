import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { silentLogger } from '../src/log.js';
import type { ReloadEvent } from '../src/reload/hot-reload.js';
import { decoder, encoder, tempDir, waitFor } from './helpers/hub.js';
import { writeTree } from './helpers/project.js';

/** A Node handler that answers `version`; with `{ wait: true }` it says it started and waits for the GO file. */
const nodeHandler = (version: string) => `
import { existsSync, writeFileSync } from 'node:fs';
export const handler = async (event) => {
  if (event.wait) {
    writeFileSync(process.env.STARTED_FILE, '');
    while (!existsSync(process.env.GO_FILE)) await new Promise((r) => setTimeout(r, 10));
  }
  return { version: '${version}', pid: process.pid };
};
`;
const pyHandler = (version: string) => `import os\n\ndef handler(event, context):\n    return {"version": "${version}", "pid": os.getpid()}\n`;

function configYaml(prefix: string, extra = ''): string {
  return `
redis: ${inject('redisUrl')}
queuePrefix: ${prefix}
server: { port: 0, host: 127.0.0.1 }
shutdownTimeoutSeconds: 5
watch: true
functions:
  greet:
    handler: greet/index.handler
    timeout: 30
    environment: { STARTED_FILE: "\${STARTED_FILE}", GO_FILE: "\${GO_FILE}" }
    events:
      - http: { path: /greet, methods: [GET] }
  greetThread:
    handler: greet-thread/index.handler
    isolation: thread
  py:
    handler: py/app.handler
    runtime: python3.12
${extra}`;
}

describe('hot reload (watch: true)', () => {
  const dir = tempDir('th-watch-');
  const markers = tempDir('th-watch-markers-');
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const configFile = path.join(dir, 'triggerhub.yaml');
  const events: ReloadEvent[] = [];
  let hub: Hub;
  let lambda: LambdaClient;

  process.env.STARTED_FILE = path.join(markers, 'started');
  process.env.GO_FILE = path.join(markers, 'go');

  /** The next reload (after those already seen) matching `check`. */
  const nextReload = (check: (event: ReloadEvent) => boolean) => {
    const seen = events.length;
    return waitFor(() => events.slice(seen).find(check), 20_000, 'a reload');
  };
  const invoke = async (FunctionName: string, payload: unknown = {}) => {
    const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: encoder.encode(JSON.stringify(payload)) }));
    expect(out.FunctionError, decoder.decode(out.Payload)).toBeUndefined();
    return JSON.parse(decoder.decode(out.Payload)) as { version: string; pid: number };
  };

  beforeAll(async () => {
    writeTree(dir, {
      'triggerhub.yaml': configYaml(prefix),
      'greet/index.mjs': nodeHandler('v1'),
      'greet-thread/index.mjs': nodeHandler('thread v1'),
      'py/app.py': pyHandler('py v1'),
    });
    hub = await startHub(loadConfigFile(configFile), { logger: silentLogger(), onReload: (event) => events.push(event) });
    lambda = new LambdaClient({ endpoint: hub.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(async () => hub?.stop());

  it('runs an edited handler on the next request, in a fresh environment', async () => {
    const before = await invoke('greet');
    expect(before.version).toBe('v1');
    const reloaded = nextReload((e) => e.reason === 'code');
    writeFileSync(path.join(dir, 'greet/index.mjs'), nodeHandler('v2'));
    expect(await reloaded).toMatchObject({ functions: ['greet'], paths: [path.join(dir, 'greet/index.mjs')] });
    const after = await invoke('greet');
    expect(after.version).toBe('v2');
    expect(after.pid).not.toBe(before.pid);
  });

  it('runs an edited handler in a fresh worker thread (isolation: thread: each worker has its own module cache)', async () => {
    expect((await invoke('greetThread')).version).toBe('thread v1');
    const reloaded = nextReload((e) => e.reason === 'code');
    writeFileSync(path.join(dir, 'greet-thread/index.mjs'), nodeHandler('thread v2'));
    expect(await reloaded).toMatchObject({ functions: ['greetThread'] });
    expect((await invoke('greetThread')).version).toBe('thread v2');
  });

  it('lets an invocation in flight during the edit finish on the old code', async () => {
    const inFlight = invoke('greet', { wait: true });
    await waitFor(() => existsSync(process.env.STARTED_FILE!), 15_000, 'the handler to start');
    const reloaded = nextReload((e) => e.reason === 'code');
    writeFileSync(path.join(dir, 'greet/index.mjs'), nodeHandler('v3'));
    await reloaded;
    expect((await invoke('greet')).version).toBe('v3');
    writeFileSync(process.env.GO_FILE!, '');
    const old = await inFlight;
    expect(old.version).toBe('v2');
    // Its environment was retired: the next invocation does not land in it.
    expect((await invoke('greet')).pid).not.toBe(old.pid);
  });

  it('reloads an edited Python handler', async () => {
    expect((await invoke('py')).version).toBe('py v1');
    const reloaded = nextReload((e) => e.reason === 'code');
    writeFileSync(path.join(dir, 'py/app.py'), pyHandler('py v2'));
    expect((await reloaded).functions).toEqual(['py']);
    expect((await invoke('py')).version).toBe('py v2');
  });

  it('says how many queued events a removed function leaves waiting in Redis', async () => {
    writeTree(dir, { 'parked/index.mjs': 'export const handler = async () => "ran";\n' });
    let reloaded = nextReload((e) => e.reason === 'config');
    // Throttled to zero: its async events stay queued (held until their maximum age).
    writeFileSync(configFile, configYaml(prefix, '\n  parked: { handler: parked/index.handler, reservedConcurrency: 0 }\n'));
    expect((await reloaded).changes).toMatchObject({ added: ['parked'] });
    for (let i = 0; i < 2; i += 1) {
      expect((await lambda.send(new InvokeCommand({ FunctionName: 'parked', InvocationType: 'Event', Payload: encoder.encode('{}') }))).StatusCode).toBe(202);
    }
    reloaded = nextReload((e) => e.reason === 'config');
    writeFileSync(configFile, configYaml(prefix));
    expect(await reloaded).toMatchObject({ changes: { removed: ['parked'] }, eventsLeft: [{ function: 'parked', events: 2 }] });
  });

  it('adds a function and its HTTP route when the config gains them, and removes them again (404)', async () => {
    const warm = await invoke('greet');
    writeTree(dir, { 'extra/index.mjs': "export const handler = async (event) => ({ statusCode: 200, body: `extra ${event.rawPath}` });\n" });
    let reloaded = nextReload((e) => e.reason === 'config');
    writeFileSync(configFile, configYaml(prefix, `
  extra:
    handler: extra/index.handler
    events:
      - http: { path: '/extra/{id}', methods: [GET] }
`));
    const added = await reloaded;
    expect(added.changes, added.error).toMatchObject({ added: ['extra'], removed: [], updated: [], failed: [] });
    const res = await fetch(`${hub.url}/extra/42`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('extra /extra/42');
    expect((await fetch(`${hub.url}/urls/extra`)).status).toBe(200);
    expect((await fetch(`${hub.url}/greet`)).status).toBe(200);
    // Unchanged functions keep their warm environments.
    expect((await invoke('greet')).pid).toBe(warm.pid);

    reloaded = nextReload((e) => e.reason === 'config');
    writeFileSync(configFile, configYaml(prefix));
    expect((await reloaded).changes).toMatchObject({ added: [], removed: ['extra'], updated: [] });
    expect((await fetch(`${hub.url}/extra/42`)).status).toBe(404);
    await expect(invoke('extra')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await invoke('greet')).pid).toBe(warm.pid);
  });

  it('keeps running as it was when the edited config does not load', async () => {
    const reloaded = nextReload((e) => e.reason === 'config');
    writeFileSync(configFile, configYaml(prefix).replace('timeout: 30', 'timeout: 9000'));
    expect((await reloaded).error).toContain('functions.greet.timeout');
    expect((await invoke('greet')).version).toBe('v3');
    expect((await fetch(`${hub.url}/greet`)).status).toBe(200);
  });
});
