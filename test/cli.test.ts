import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfigFile } from '../src/config/load.js';
import { startHub, type Hub } from '../src/hub.js';
import { createLogger, silentLogger } from '../src/log.js';
import { runCli, spawnCli, stopChild } from './helpers/cli.js';
import { jsonLogLines } from './helpers/log-capture.js';
import { waitFor } from './helpers/hub.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

describe('triggerhub CLI', { timeout: 90_000 }, () => {
  const dir = tempDir('th-cli-');
  const configPath = path.join(dir, 'triggerhub.yaml');
  let hub: Hub;
  const cli = (...args: string[]) => runCli(['--config', configPath, ...args]);
  const cliAt = (...args: string[]) => runCli(['--config', configPath, ...args, '--endpoint', hub.url]);

  beforeAll(async () => {
    writeFileSync(configPath, [
      `redis: ${inject('redisUrl')}`,
      `queuePrefix: cli-${randomUUID().slice(0, 8)}`,
      'server: { port: 0 }',
      'functions:',
      `  echo: { handler: ${path.join(FIXTURES, 'echo.handler')}, memorySize: 256 }`,
      `  fail: { handler: ${path.join(FIXTURES, 'fail.handler')}, maximumRetryAttempts: 0 }`,
    ].join('\n'));
    hub = await startHub(loadConfigFile(configPath), { logger: silentLogger() });
  });
  afterAll(async () => hub?.stop());

  it('prints help for every command and exits 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: triggerhub');
    for (const command of ['up', 'invoke', 'functions', 'dlq', 'dlq redrive']) {
      const result = await runCli([...command.split(' '), '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout).toContain(`Usage: triggerhub ${command}`);
    }
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await cli('invoke', 'echo', '--bogus')).code).toBe(2);
  });

  it('exits 2 when no command is named, with the commands on stderr', async () => {
    // `--stage dlq` takes `dlq` as the stage's value: no command is left.
    for (const args of [[], ['dlq'], ['sources'], ['--stage', 'dlq']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Commands:');
      expect(result.stderr).toContain('missing command');
    }
    expect((await runCli(['help', 'dlq'])).code).toBe(0);
  }, 90_000); // CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)

  it('help for a command it does not have exits 2 naming it, as an unknown command does; help for one it has exits 0', async () => {
    for (const args of [['help', 'nothing'], ['dlq', 'help', 'nothing']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain("error: unknown command 'nothing'");
      expect(result.stdout).toBe('');
    }
    const help = await runCli(['help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('Usage: triggerhub [options] [command]')]);
    const up = await runCli(['help', 'up']);
    expect([up.code, up.stdout]).toEqual([0, expect.stringContaining('Usage: triggerhub up')]);
  });

  it('up warns once, naming the file, when the config declares no functions (an empty file too)', async () => {
    const bare = path.join(dir, 'no-functions.yaml');
    writeFileSync(bare, [`redis: ${inject('redisUrl')}`, `queuePrefix: bare-${randomUUID().slice(0, 8)}`, 'server: { port: 0 }'].join('\n'));
    const child = spawnCli(['--config', bare, 'up']);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    try {
      await waitFor(() => output.includes('"event":"hub_started"'), 30_000, 'hub_started');
    } finally {
      await stopChild(child);
    }
    const warnings = output.split('\n').filter((line) => line.includes('"event":"no_functions"')).map((line) => JSON.parse(line));
    expect(warnings).toEqual([expect.objectContaining({ level: 40, file: bare, msg: expect.stringContaining(`${bare} declares no functions`) })]);
    // An empty file is a config of defaults only: the same warning (hub settings given as the CLI's overrides are).
    const empty = path.join(dir, 'empty.yaml');
    writeFileSync(empty, '');
    const { lines, destination } = jsonLogLines();
    const loaded = loadConfigFile(empty, process.env, { redis: inject('redisUrl'), queuePrefix: `empty-${randomUUID().slice(0, 8)}`, server: { port: 0 } });
    await (await startHub(loaded, { logger: createLogger({ destination }) })).stop();
    expect(lines.filter((line) => line.event === 'no_functions')).toEqual([expect.objectContaining({ file: empty, msg: expect.stringContaining(`${empty} declares no functions`) })]);
  });

  it('exits 2 with the field path on a bad config', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'functions:\n  resize:\n    handler: x.handler\n    timeout: 0\n');
    const result = await runCli(['--config', bad, 'functions']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('functions.resize.timeout: must be between 1 and 900');
  });

  it('says what to do when the config file is missing or a directory, and reads an empty TRIGGERHUB_CONFIG as unset', async () => {
    const missing = await runCli(['--config', path.join(dir, 'absent.yaml'), 'functions']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read config file ${path.join(dir, 'absent.yaml')}: no such file: pass --config PATH (or set TRIGGERHUB_CONFIG)`);
    const directory = await runCli(['--config', dir, 'functions']);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`cannot read config file ${dir}: it is a directory: pass the file in it (--config ${configPath})`);
    // From the repository's root: its own triggerhub.yaml (an empty path was the directory itself).
    const emptyEnv = await runCli(['functions', '--json'], { env: { TRIGGERHUB_CONFIG: '' } });
    expect(emptyEnv.code, emptyEnv.stderr).toBe(0);
    expect(JSON.parse(emptyEnv.stdout).length).toBeGreaterThan(0);
  });

  it('lists functions', async () => {
    const result = await cli('functions');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+HANDLER/);
    expect(result.stdout).toMatch(/echo\s+.*echo\.handler\s+nodejs20\.x\s+3s\s+256MB/);
    const json = JSON.parse((await cli('functions', '--json')).stdout);
    expect(json.map((f: { name: string }) => f.name)).toEqual(['echo', 'fail']);
  });

  it('invokes synchronously: result on stdout, log tail on stderr', async () => {
    const result = await cliAt('invoke', 'echo', '--payload', '{"a":1}');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ event: { a: 1 }, fn: 'echo' });
    expect(result.stderr).toMatch(/START RequestId: .* Version: \$LATEST/);
    expect(result.stderr).toMatch(/REPORT RequestId: .*Memory Size: 256 MB/);
  });

  it('reads the event from a file or stdin', async () => {
    const file = path.join(dir, 'event.json');
    writeFileSync(file, '{"from":"file"}');
    expect(JSON.parse((await cliAt('invoke', 'echo', '--event', file)).stdout).event).toEqual({ from: 'file' });
    const piped = await runCli(['--config', configPath, 'invoke', 'echo', '--event', '-', '--endpoint', hub.url], { input: '{"from":"stdin"}' });
    expect(JSON.parse(piped.stdout).event).toEqual({ from: 'stdin' });
  });

  it('exits 2 naming the flag or file of a payload that is not JSON, and an --endpoint that is not a URL', async () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{"a":');
    const cases: [string[], string][] = [
      [['--payload', '{bad'], '--payload: not valid JSON'],
      [['--event', file], `--event ${file}: not valid JSON`],
      [['--endpoint', 'localhost:9000'], '--endpoint: "localhost:9000" is not an http:// or https:// URL'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['--config', configPath, 'invoke', 'echo', ...args, ...(args[0] === '--endpoint' ? [] : ['--endpoint', hub.url])]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    const piped = await runCli(['--config', configPath, 'invoke', 'echo', '--event', '-', '--endpoint', hub.url], { input: '{"a":' });
    expect(piped.stderr).toContain('--event - (stdin): not valid JSON');
  });

  it('exits 1 when the function fails, 2 for an unknown function, 3 when no hub answers', async () => {
    const failed = await cliAt('invoke', 'fail', '--payload', '{}');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).errorType).toBe('BoomError');
    const unknown = await cliAt('invoke', 'ghost');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ResourceNotFoundException (404)');
    const down = await cli('invoke', 'echo', '--endpoint', 'http://127.0.0.1:9');
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('no hub answering at http://127.0.0.1:9');
    // Without a running hub's address, the configured one, an IPv6 host in brackets as `up` prints it.
    const ipv6 = path.join(tempDir('th-cli-ipv6-'), 'triggerhub.yaml');
    writeFileSync(ipv6, "server: { host: '::1', port: 9 }\n");
    const unlisted = await runCli(['--config', ipv6, 'invoke', 'echo'], { env: { ...process.env, TRIGGERHUB_ENDPOINT: '' } });
    expect(unlisted.code).toBe(3);
    expect(unlisted.stderr).toContain('no hub answering at http://[::1]:9 (start it');
    expect(unlisted.stderr).not.toContain('Invalid URL');
  });

  it('status refuses a --watch interval Node cannot time, and --reset with --watch or --json', async () => {
    // 1e9 s overflowed Node's timer to 1 ms: the table was redrawn without pause.
    for (const [args, message] of [
      [['--watch', '1e9'], '--watch: must be a number of seconds from 0.1 to 86400 (got 1e9)'],
      [['--watch', 'Infinity'], '--watch: must be a number of seconds from 0.1 to 86400 (got Infinity)'],
      [['--reset', '--watch', '1'], '--reset only resets the counters'],
      [['--reset', '--json'], '--reset only resets the counters'],
    ] as [string[], string][]) {
      const result = await cli('status', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    }
  });

  it('does not print the password of a redis URL it cannot reach', async () => {
    const config = path.join(dir, 'secret-redis.yaml');
    writeFileSync(config, 'redis: redis://reader:s3cret-pass@127.0.0.1:9\nfunctions: {}\n');
    const result = await runCli(['--config', config, 'dlq', 'list']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach redis at redis://[redacted]@127.0.0.1:9');
    expect(result.stderr).toContain('start it, or fix `redis:` in the config');
    expect(result.stderr).not.toContain('s3cret-pass');
  });

  it('up exits 2 naming dataDir when it is a file, without starting a hub', async () => {
    const config = path.join(dir, 'file-data-dir.yaml');
    writeFileSync(config, [`redis: ${inject('redisUrl')}`, `queuePrefix: datadir-${randomUUID().slice(0, 8)}`, 'server: { port: 0 }', 'dataDir: busy.yaml', 'functions: {}'].join('\n'));
    writeFileSync(path.join(dir, 'busy.yaml'), '');
    for (const command of ['up', 'status']) {
      const result = await runCli(['--config', config, command]);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toContain(`dataDir: ${path.join(dir, 'busy.yaml')} is a file, not a directory`);
      expect(result.stderr).not.toContain('hub_started');
    }
  });

  it('up exits 1 naming server.port when the port is in use', async () => {
    const busy = path.join(dir, 'busy.yaml');
    const port = new URL(hub.url).port;
    writeFileSync(busy, [`redis: ${inject('redisUrl')}`, `queuePrefix: busy-${randomUUID().slice(0, 8)}`, `server: { port: ${port}, host: 127.0.0.1 }`, 'functions: {}'].join('\n'));
    const result = await runCli(['--config', busy, 'up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`server.port ${port} on 127.0.0.1 is in use by another process: stop what holds it or set another server.port`);
  }, 90_000); // CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)

  it('up names server.host when it is not an address of this machine', async () => {
    const elsewhere = path.join(dir, 'elsewhere.yaml');
    writeFileSync(elsewhere, [`redis: ${inject('redisUrl')}`, `queuePrefix: elsewhere-${randomUUID().slice(0, 8)}`, 'server: { port: 0, host: 192.0.2.1 }', 'functions: {}'].join('\n'));
    const result = await runCli(['--config', elsewhere, 'up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('server.host 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL): set server.host to one');
  }, 90_000); // CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)

  it('lists, shows, redrives and purges dead letters', async () => {
    const queued = await cliAt('invoke', 'fail', '--async', '--payload', '{"dlq":1}');
    expect(queued.code).toBe(0);
    const id = JSON.parse(queued.stdout).RequestId as string;
    await waitFor(() => hub.dlq.get(id).catch(() => undefined), 10_000, 'DLQ record');

    const list = await cli('dlq', 'list', '--function', 'fail');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/RetriesExhausted\s+1\s/);
    const shown = JSON.parse((await cli('dlq', 'show', id)).stdout);
    expect(shown).toMatchObject({ id, function: 'fail', reason: 'RetriesExhausted', envelope: { data: { dlq: 1 } } });
    expect(shown.attempts[0].errorType).toBe('BoomError');

    const redriven = await cli('dlq', 'redrive', id, '--to', 'echo');
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain(`${id} -> echo`);
    expect((await cli('dlq', 'show', id)).code).toBe(1);

    await cliAt('invoke', 'fail', '--async', '--payload', '{"dlq":2}');
    await waitFor(async () => (await hub.dlq.count()) === 1, 10_000, 'second DLQ record');
    expect((await cli('dlq', 'purge')).code).toBe(2);
    const purged = await cli('dlq', 'purge', '--all');
    expect(purged.stdout).toContain('purged: 1');
    expect(await hub.dlq.count()).toBe(0);
  }, 90_000); // CLI runs, a few seconds each on a loaded machine (the default 30 s was close in CI)
});
