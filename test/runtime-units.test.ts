import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/load.js';
import { childEnvironment, invokedFunctionArn, logStreamName } from '../src/runtime/child-env.js';
import { formatError, toErrorPayload, UnhandledPromiseRejection } from '../src/runtime/child/error-payload.js';
import { exitError, outOfMemoryError, timeoutError } from '../src/runtime/failures.js';
import { LineSplitter, MAX_LINE_CHARS } from '../src/runtime/log-limits.js';
import { FIXTURES, functionConfig, runtimeOptions } from './fixtures/handlers/function-config.js';

describe('childEnvironment', () => {
  // AWS_REGION past the schema, which refuses it (see below): reserved variables win all the same.
  const fn = { ...functionConfig('handlers.mjs', 'env'), environment: { AWS_REGION: 'xx-fake-1', HOME: '/fn-home', AWS_SESSION_TOKEN: 'fn' } };
  const hubEnv = {
    PATH: '/bin',
    HOME: '/hub-home',
    LANG: 'C.UTF-8',
    NODE_OPTIONS: '--inspect',
    AWS_SESSION_TOKEN: 'hub',
    AWS_ENDPOINT_URL: 'http://localstack:4566',
    AWS_ENDPOINT_URL_S3: 'http://s3:4566',
    AWS_PROFILE: 'hub-profile',
    SECRET: 'x',
  };
  const env = childEnvironment({ fn, options: runtimeOptions(), logStreamName: 'stream', runtimeDir: '/rt', hubEnv });

  it('passes through only PATH, HOME, LANG, AWS credentials and AWS_ENDPOINT_URL*', () => {
    expect(env).toMatchObject({ PATH: '/bin', LANG: 'C.UTF-8', AWS_ENDPOINT_URL: 'http://localstack:4566', AWS_ENDPOINT_URL_S3: 'http://s3:4566' });
    for (const key of ['NODE_OPTIONS', 'AWS_PROFILE', 'SECRET']) expect(env).not.toHaveProperty(key);
  });

  it('lets the function environment win over pass-through, and reserved variables win over both', () => {
    expect(env.HOME).toBe('/fn-home');
    expect(env.AWS_SESSION_TOKEN).toBe('fn');
    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(env.LAMBDA_RUNTIME_DIR).toBe('/rt');
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toBe('stream');
  });

  it("refuses Lambda's reserved variables in a function's or an alias's environment, as Lambda does, naming them; credentials may be set", () => {
    const load = (environment: Record<string, string>, aliasEnvironment: Record<string, string> = {}) => () => buildConfig({
      functions: { f: { handler: 'handlers.env', environment, aliases: { live: { environment: aliasEnvironment } } } },
    }, { baseDir: FIXTURES });
    expect(load({ AWS_REGION: 'us-west-2' })).toThrow("functions.f.environment.AWS_REGION: is reserved: Lambda sets it (from the hub's region setting)");
    expect(load({}, { LAMBDA_TASK_ROOT: '/x' })).toThrow('functions.f.aliases.live.environment.LAMBDA_TASK_ROOT: is reserved: Lambda sets it');
    for (const name of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_RUNTIME_API', 'AWS_DEFAULT_REGION']) {
      expect(load({ [name]: 'x' })).toThrow(`environment.${name}: is reserved`);
    }
    expect(load({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', TZ: 'Europe/Paris', LANG: 'C' })).not.toThrow();
  });

  it('sets AWS_EXECUTION_ENV to the runtime, except for OS-only runtimes (provided), as Lambda does', () => {
    const variables = (runtime: string) => childEnvironment({
      fn: functionConfig('handlers.mjs', 'env', { runtime }), options: runtimeOptions(), logStreamName: 's', runtimeDir: '/rt', hubEnv,
    });
    expect(variables('nodejs22.x').AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs22.x');
    expect(variables('python3.12').AWS_EXECUTION_ENV).toBe('AWS_Lambda_python3.12');
    for (const runtime of ['provided', 'provided.al2', 'provided.al2023']) expect(variables(runtime)).not.toHaveProperty('AWS_EXECUTION_ENV');
  });

  it("sets Lambda's TZ=:UTC, which the function's environment may override (TZ is not reserved on Lambda)", () => {
    expect(env.TZ).toBe(':UTC');
    const tokyo = childEnvironment({
      fn: functionConfig('handlers.mjs', 'env', { environment: { TZ: 'Asia/Tokyo' } }), options: runtimeOptions(), logStreamName: 'stream', runtimeDir: '/rt', hubEnv,
    });
    expect(tokyo.TZ).toBe('Asia/Tokyo');
  });

  it('sets AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL from loggingConfig as Lambda does (JSON only, level INFO by default)', () => {
    const variables = (loggingConfig?: Record<string, unknown>, environment: Record<string, string> = {}) => childEnvironment({
      fn: functionConfig('handlers.mjs', 'env', { loggingConfig, environment }), options: runtimeOptions(), logStreamName: 'stream', runtimeDir: '/rt', hubEnv,
    });
    expect(variables({ logFormat: 'JSON' })).toMatchObject({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' });
    const debug = variables({ logFormat: 'JSON', applicationLogLevel: 'DEBUG', logGroup: '/custom/group' }, { AWS_LAMBDA_LOG_LEVEL: 'ERROR' });
    expect(debug).toMatchObject({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_GROUP_NAME: '/custom/group' });
    const text = variables({ logFormat: 'Text' });
    expect(text).not.toHaveProperty('AWS_LAMBDA_LOG_FORMAT');
    expect(text).not.toHaveProperty('AWS_LAMBDA_LOG_LEVEL');
    expect(() => functionConfig('handlers.mjs', 'env', { loggingConfig: { applicationLogLevel: 'DEBUG' } })).toThrow(/needs logFormat JSON/);
  });

  it('names ARNs and log streams as Lambda does', () => {
    expect(invokedFunctionArn(fn, runtimeOptions(), undefined)).toBe(`arn:aws:lambda:eu-west-1:123456789012:function:${fn.name}`);
    expect(invokedFunctionArn(fn, runtimeOptions(), 'live')).toBe(`arn:aws:lambda:eu-west-1:123456789012:function:${fn.name}:live`);
    expect(logStreamName(fn, '0123456789abcdef0123456789abcdef', new Date('2024-03-05T23:59:00Z')))
      .toBe('2024/03/05/[$LATEST]0123456789abcdef0123456789abcdef');
    expect(logStreamName({ ...fn, version: '1' }, '0123456789abcdef0123456789abcdef', new Date('2024-03-05T23:59:00Z')))
      .toBe('2024/03/05/[1]0123456789abcdef0123456789abcdef');
  });
});

describe('error payloads', () => {
  it("is the Node.js runtime's document: name, message, the stack's lines as trace (first `Type: message`), retryable=false only", () => {
    const err = Object.assign(new TypeError('two\nlines'), { retryable: false });
    const payload = toErrorPayload(err);
    expect(payload).toEqual({ errorType: 'TypeError', errorMessage: 'two\nlines', trace: err.stack!.split('\n'), retryable: false });
    expect(payload.trace!.slice(0, 2)).toEqual(['TypeError: two', 'lines']);
    expect(payload.trace![2]).toMatch(/^ {4}at /);
    expect(payload).not.toHaveProperty('stackTrace');
    expect(toErrorPayload(Object.assign(new Error('x'), { retryable: true }))).not.toHaveProperty('retryable');
  });

  it('leaves out retryable=false of an AWS SDK v2 error (it marks every service error so): Lambda retries it', () => {
    // The fields aws-sdk v2's util.error stamps on what it raises.
    const err = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException', code: 'ConditionalCheckFailedException', time: new Date(), retryable: false, statusCode: 400, requestId: 'R1',
    });
    expect(toErrorPayload(err)).toEqual({ errorType: 'ConditionalCheckFailedException', errorMessage: 'The conditional request failed', trace: err.stack!.split('\n') });
  });

  it('names a thrown non-error by its typeof, as the Node.js runtime does', () => {
    expect(toErrorPayload(42)).toEqual({ errorType: 'number', errorMessage: '42', trace: [] });
    expect(toErrorPayload('boom')).toEqual({ errorType: 'string', errorMessage: 'boom', trace: [] });
    expect(toErrorPayload({ message: 'no stack' })).toEqual({ errorType: 'object', errorMessage: '[object Object]', trace: [] });
    expect(toErrorPayload(null)).toMatchObject({ errorType: 'handled' });
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection with the reason as text', () => {
    const payload = toErrorPayload(new UnhandledPromiseRejection(new Error('why')));
    expect(payload).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: why' });
    expect(payload.trace![0]).toBe('Runtime.UnhandledPromiseRejection: Error: why');
  });

  it('logs the error with its own enumerable fields and its stack as lines', () => {
    const err = Object.assign(new Error('bad'), { code: 'E_BAD', detail: { field: 'x' } });
    const logged = JSON.parse(formatError(err));
    expect(logged).toMatchObject({ errorType: 'Error', errorMessage: 'bad', code: 'E_BAD', detail: { field: 'x' } });
    expect(logged.stack[0]).toBe('Error: bad');
  });

  it('words platform failures as Lambda does', () => {
    expect(timeoutError('r1', 3).errorMessage).toBe('RequestId: r1 Error: Task timed out after 3.00 seconds');
    expect(outOfMemoryError('r1').errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: signal: killed');
    expect(exitError('r1', 2, null).errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: exit status 2');
    expect(exitError('r1', 0, null).errorMessage).toBe('RequestId: r1 Error: Runtime exited without providing a reason');
    expect(exitError('r1', null, 'SIGSEGV').errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: signal: segmentation fault');
    expect(exitError('r1', null, 'SIGUSR2').errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: signal: SIGUSR2');
  });
});

describe('LineSplitter (pipe output as log lines)', () => {
  it('joins a line split across chunks, cuts one past 256 KB and skips its rest, and keeps what has no line break for flush', () => {
    const lines = new LineSplitter();
    expect(lines.push('ab')).toEqual([]);
    expect(lines.push('c\nd\n\ne')).toEqual(['abc', 'd', '']);
    expect(lines.push('x'.repeat(MAX_LINE_CHARS))).toEqual([`e${'x'.repeat(MAX_LINE_CHARS)}`]);
    expect(lines.push('y'.repeat(10))).toEqual([]);
    expect(lines.push('z\nnext')).toEqual([]);
    expect(lines.flush()).toBe('next');
    expect(lines.flush()).toBe('');
  });
});
