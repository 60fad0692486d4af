import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, spawnCli } from './helpers/cli.js';
import { waitFor } from './helpers/hub.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

describe('triggerhub up: start-up errors and graceful shutdown', () => {
  it('exits 2 naming the field when the config is bad, and 3 when the configured redis is down', async () => {
    const dir = tempDir('th-up-');
    writeFileSync(path.join(dir, 'bad.yaml'), 'functions:\n  f:\n    handler: nowhere/index.handler\n    memorySize: 99\n    timeout: 0\n');
    const bad = await runCli(['--config', path.join(dir, 'bad.yaml'), 'up']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('functions.f.memorySize: must be between 128 and 10240');
    expect(bad.stderr).toContain('functions.f.timeout: must be between 1 and 900');

    writeFileSync(path.join(dir, 'down.yaml'), 'redis: redis://127.0.0.1:9\nfunctions: {}\n');
    const down = await runCli(['--config', path.join(dir, 'down.yaml'), 'up']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach redis at redis://127.0.0.1:9');
  });

  it('on SIGTERM finishes the in-flight invocation, refuses new work and exits 0', async () => {
    const dir = tempDir('th-up-');
    const configPath = path.join(dir, 'triggerhub.yaml');
    writeFileSync(configPath, [
      `redis: ${inject('redisUrl')}`,
      `queuePrefix: up-${randomUUID().slice(0, 8)}`,
      'server: { port: 0 }',
      'shutdownTimeoutSeconds: 10',
      'functions:',
      `  slow: { handler: ${path.join(FIXTURES, 'slow.handler')}, timeout: 10 }`,
    ].join('\n'));
    // debug: the test waits for the second START, which the hub logs at debug.
    const hub = spawnCli(['--config', configPath, 'up'], { env: { TRIGGERHUB_LOG_LEVEL: 'debug' } });
    let output = '';
    hub.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
    hub.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
    const exited = new Promise<number | null>((resolve) => hub.once('exit', resolve));
    const url = await waitFor(() => {
      try { return (JSON.parse(readFileSync(path.join(dir, '.triggerhub/hub.json'), 'utf8')) as { url: string }).url; } catch { return undefined; }
    }, 20_000, 'hub start').catch((err: Error) => { throw new Error(`${err.message}\n${output}`); });
    const invoke = (ms: number) => fetch(`${url}/2015-03-31/functions/slow/invocations`, { method: 'POST', body: JSON.stringify({ ms }) });
    await (await invoke(1)).text(); // warm the environment so the next call is running when SIGTERM lands

    const inFlight = invoke(1500);
    await waitFor(() => output.includes('"event":"invocation_start"') && output.split('"event":"invocation_start"').length > 2, 5000, 'second invocation to start');
    hub.kill('SIGTERM');
    await waitFor(() => output.includes('hub_stopping'), 5000, 'hub_stopping');
    const refused = await invoke(1).then((r) => r.status, () => 'refused');
    expect(['refused', 503]).toContain(refused);

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ slept: 1500 });
    expect(await exited).toBe(0);
    expect(output).toContain('hub_stopped');
  });
});
