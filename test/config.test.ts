import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, loadConfigFile } from '../src/config/load.js';
import { HubError } from '../src/errors.js';
import { FIXTURES, tempDir } from './helpers/paths.js';

const configError = (raw: unknown, env: NodeJS.ProcessEnv = {}): string => {
  try {
    buildConfig(raw, { baseDir: FIXTURES, env });
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    return (err as HubError).message;
  }
  throw new Error('expected a config error');
};

describe('config', () => {
  it('applies Lambda defaults and resolves the handler module', () => {
    const config = buildConfig({ functions: { hello: { handler: 'echo.handler' } } }, { baseDir: FIXTURES });
    expect(config.server).toEqual({ port: 9000, host: '127.0.0.1', durableWriteTimeoutMs: 5000, requestTimeoutMs: 300_000 });
    expect(config.functions.hello).toMatchObject({
      name: 'hello', runtime: 'nodejs20.x', timeout: 3, memorySize: 128, maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21600, retryBackoffSeconds: 60, handlerExport: 'handler',
      handlerFile: path.join(FIXTURES, 'echo.mjs'), events: [],
    });
    expect(config.functions.hello.reservedConcurrency).toBeUndefined();
    expect(Object.isFrozen(config.functions.hello)).toBe(true);
  });

  it('names the path and the rule of every bad field', () => {
    const message = configError({
      functions: {
        resize: { handler: 'echo.handler', timeout: 901, memorySize: 64, maximumRetryAttempts: 3 },
        other: { handler: 'echo.handler', maximumEventAgeInSeconds: 10, reservedConcurrency: -1 },
      },
    });
    expect(message).toContain('functions.resize.timeout: must be between 1 and 900');
    expect(message).toContain('functions.resize.memorySize: must be between 128 and 10240');
    expect(message).toContain('functions.resize.maximumRetryAttempts: must be between 0 and 2');
    expect(message).toContain('functions.other.maximumEventAgeInSeconds: must be between 60 and 21600');
    expect(message).toContain('functions.other.reservedConcurrency: must be between 0 and 1000');
  });

  it('rejects unknown fields, unknown event source kinds and bad names', () => {
    expect(configError({ functions: { f: { handler: 'echo.handler', timout: 3 } } })).toContain('functions.f: unknown field "timout"');
    expect(configError({ functions: { f: { handler: 'echo.handler', events: [{ carrierPigeon: {} }] } } }))
      .toContain('functions.f.events[0].carrierPigeon: unknown event source kind "carrierPigeon"');
    expect(configError({ functions: { 'bad name!': { handler: 'echo.handler' } } })).toContain('function names hold');
    expect(configError({ functions: { f: { handler: 'nohandler' } } })).toContain('functions.f.handler: must look like path/file.export');
    expect(configError({ functions: { f: { handler: 'echo.handler', runtime: 'cobol85' } } })).toContain('functions.f.runtime: must be one of');
  });

  it('takes runtime.isolation and a per-function isolation for Node.js handlers only', () => {
    const config = buildConfig({
      runtime: { isolation: 'thread' },
      functions: { a: { handler: 'echo.handler' }, b: { handler: 'echo.handler', isolation: 'process' } },
    }, { baseDir: FIXTURES });
    expect(config.runtime.isolation).toBe('thread');
    expect(config.functions.a.isolation).toBeUndefined();
    expect(config.functions.b.isolation).toBe('process');
    expect(buildConfig({}, { baseDir: FIXTURES }).runtime.isolation).toBe('process');
    expect(configError({ runtime: { isolation: 'fork' } })).toContain("runtime.isolation: must be 'process' or 'thread'");
    expect(configError({ functions: { py: { handler: 'python/handlers.handler', runtime: 'python3.12', isolation: 'thread' } } }))
      .toContain("functions.py.isolation: 'thread' runs Node.js handlers only; python3.12 runs in a process");
  });


  it('limits environments of handlers that compute to the CPUs by default; 1000 lifts it', () => {
    expect(buildConfig({}, { baseDir: FIXTURES }).runtime.cpuBoundEnvironments).toBe(availableParallelism());
    expect(buildConfig({ runtime: { maxEnvironments: 20 } }, { baseDir: FIXTURES }).runtime.cpuBoundEnvironments).toBe(availableParallelism());
    expect(buildConfig({ runtime: { cpuBoundEnvironments: 1000 } }, { baseDir: FIXTURES }).runtime.cpuBoundEnvironments).toBe(1000);
    expect(configError({ runtime: { cpuBoundEnvironments: 0 } })).toContain('runtime.cpuBoundEnvironments');
  });
  it('reports a handler module that does not exist and destinations that name no function', () => {
    const message = configError({
      functions: { f: { handler: 'missing/index.handler', destinations: { onSuccess: 'ghost', onFailure: 'dlq' } } },
    });
    expect(message).toContain('functions.f.handler: no module missing/index{.js,.mjs,.cjs,.ts,.mts,.cts}');
    expect(message).toContain('functions.f.destinations.onSuccess: "ghost" is not a configured function');
    expect(message).not.toContain('onFailure');
  });

  it('interpolates ${VAR} and ${VAR:-default}, typing whole-value numbers', () => {
    const config = buildConfig({
      server: { port: '${PORT}' },
      redis: 'redis://${REDIS_HOST:-localhost}:6379',
      functions: { f: { handler: 'echo.handler', environment: { TOKEN: '${TOKEN}', LITERAL: '$${NOT_A_VAR}' } } },
    }, { baseDir: FIXTURES, env: { PORT: '9123', TOKEN: 'abc' } });
    expect(config.server.port).toBe(9123);
    expect(config.redis).toBe('redis://localhost:6379');
    expect(config.functions.f.environment).toEqual({ TOKEN: 'abc', LITERAL: '${NOT_A_VAR}' });
    expect(configError({ functions: { f: { handler: 'echo.handler', environment: { A: '${UNSET_VAR}' } } } }))
      .toContain('functions.f.environment.A: environment variable UNSET_VAR is not set');
  });

  it('refuses environment values with a NUL character and environments over Lambda\'s 4 KB', () => {
    expect(configError({ functions: { f: { handler: 'echo.handler', environment: { A: 'a\u0000b' } } } }))
      .toContain('functions.f.environment.A: must not contain a NUL character');
    const big = { A: 'x'.repeat(2000), B: 'y'.repeat(2000), C: 'z'.repeat(100) };
    expect(configError({ functions: { f: { handler: 'echo.handler', environment: big } } }))
      .toContain('functions.f.environment: must total at most 4 KB (names and values), as on Lambda');
    const fits = { A: 'x'.repeat(2000), B: 'y'.repeat(2000) };
    expect(buildConfig({ functions: { f: { handler: 'echo.handler', environment: fits } } }, { baseDir: FIXTURES }).functions.f.environment).toEqual(fits);
  });

  it('loads YAML files relative to the file and reports YAML syntax errors', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'handler.mjs'), 'export const handler = async () => 1;');
    writeFileSync(path.join(dir, 'triggerhub.yaml'), 'functions:\n  f:\n    handler: handler.handler\n    memorySize: 256\n');
    const config = loadConfigFile(path.join(dir, 'triggerhub.yaml'));
    expect(config.functions.f.handlerFile).toBe(path.join(dir, 'handler.mjs'));
    expect(config.dataDir).toBe(path.join(dir, '.triggerhub'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'functions: [unclosed');
    expect(() => loadConfigFile(path.join(dir, 'bad.yaml'))).toThrow(/not valid YAML/);
    expect(() => loadConfigFile(path.join(dir, 'absent.yaml'))).toThrow(/cannot read config file/);
  });

  it('reads YAML merge keys: functions share settings through an anchor', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'handler.mjs'), 'export const handler = async () => 1;');
    writeFileSync(path.join(dir, 'triggerhub.yaml'), [
      'functions:',
      '  a: &base { handler: handler.handler, timeout: 10, memorySize: 256 }',
      '  b:',
      '    <<: *base',
      '    timeout: 20',
    ].join('\n'));
    const { functions } = loadConfigFile(path.join(dir, 'triggerhub.yaml'));
    expect(functions.b).toMatchObject({ handlerFile: path.join(dir, 'handler.mjs'), timeout: 20, memorySize: 256 });
    expect(functions.a).toMatchObject({ timeout: 10, memorySize: 256 });
  });

  it('refuses a dataDir that is a file or lies under one', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, '');
    const options = { baseDir: FIXTURES };
    expect(() => buildConfig({ dataDir: file }, options)).toThrow(`dataDir: ${file} is a file, not a directory`);
    expect(() => buildConfig({ dataDir: `${file}/sub` }, options)).toThrow(`dataDir: ${file}/sub lies under a file, not a directory`);
  });

  it('says to quote a ${VAR} that YAML refuses inside { }, and reads the quoted one as a number', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bare.yaml'), 'server: { port: ${PORT} }\n');
    expect(() => loadConfigFile(path.join(dir, 'bare.yaml'), { PORT: '9123' })).toThrow('quote a ${VAR} inside { } or [ ]: port: "${PORT}"');
    writeFileSync(path.join(dir, 'quoted.yaml'), 'server: { port: "${PORT}" }\n');
    expect(loadConfigFile(path.join(dir, 'quoted.yaml'), { PORT: '9123' }).server.port).toBe(9123);
  });

  it('keeps a ${VAR} holding 007 or a 12-digit account id as text, and takes accountId as a YAML number', () => {
    const config = buildConfig({
      accountId: '${ACCOUNT}',
      functions: { f: { handler: 'echo.handler', environment: { ZIP: '${ZIP}', PRICE: '${PRICE}', COUNT: '${COUNT}' } } },
    }, { baseDir: FIXTURES, env: { ACCOUNT: '000000000001', ZIP: '01234', PRICE: '1.50', COUNT: '12' } });
    expect(config.accountId).toBe('000000000001');
    expect(config.functions.f.environment).toEqual({ ZIP: '01234', PRICE: '1.50', COUNT: '12' });
    expect(buildConfig({ accountId: 123456789012 }, { baseDir: FIXTURES }).accountId).toBe('123456789012');
    // 012345678901 unquoted: YAML has already dropped the zero.
    expect(configError({ accountId: 12345678901 })).toContain('accountId: must be 12 digits, quoted when it starts with 0');
  });

  it('names the file and every unset variable at once', () => {
    const file = path.join(tempDir(), 'triggerhub.yaml');
    writeFileSync(file, 'redis: ${TH_TEST_UNSET_URL}\nfunctions:\n  f:\n    handler: ${TH_TEST_UNSET_HANDLER}\n');
    expect(() => loadConfigFile(file, {})).toThrow(new HubError('TH_ERR_CONFIG_ENV_MISSING', [
      `invalid config ${file}:`,
      'redis: environment variable TH_TEST_UNSET_URL is not set (use ${TH_TEST_UNSET_URL:-default} for a default)',
      'functions.f.handler: environment variable TH_TEST_UNSET_HANDLER is not set (use ${TH_TEST_UNSET_HANDLER:-default} for a default)',
    ].join('\n')));
  });
});
