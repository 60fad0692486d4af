import { describe, expect, it } from 'vitest';
import { childEnvironment, invokedFunctionArn, logStreamName } from '../src/runtime/child-env.js';
import { toErrorPayload, unhandledRejectionPayload } from '../src/runtime/child/error-payload.js';
import { exitError, outOfMemoryError, timeoutError } from '../src/runtime/failures.js';
import { functionConfig, runtimeOptions } from './fixtures/handlers/function-config.js';

describe('childEnvironment', () => {
  const fn = functionConfig('handlers.mjs', 'env', { environment: { AWS_REGION: 'xx-fake-1', HOME: '/fn-home', AWS_SESSION_TOKEN: 'fn' } });
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
  it('keeps name, message, trimmed frames and retryable=false only', () => {
    const err = Object.assign(new Error('two\nlines'), { retryable: false });
    const payload = toErrorPayload(err);
    expect(payload).toMatchObject({ errorType: 'Error', errorMessage: 'two\nlines', retryable: false });
    expect(payload.stackTrace!.every((line) => line.startsWith('at '))).toBe(true);
    expect(toErrorPayload(Object.assign(new Error('x'), { retryable: true }))).not.toHaveProperty('retryable');
  });

  it('falls back to the constructor name and describes non-errors', () => {
    class Custom extends Error {}
    const nameless = new Custom('m');
    nameless.name = '';
    expect(toErrorPayload(nameless).errorType).toBe('Custom');
    expect(toErrorPayload(42)).toEqual({ errorType: 'Error', errorMessage: '42' });
    expect(toErrorPayload(Object.create(null))).toEqual({ errorType: 'Error', errorMessage: '[object Object]' });
    expect(unhandledRejectionPayload('why')).toEqual({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'why', stackTrace: [] });
  });

  it('words platform failures as Lambda does', () => {
    expect(timeoutError('r1', 3).errorMessage).toBe('RequestId: r1 Error: Task timed out after 3.00 seconds');
    expect(outOfMemoryError('r1').errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: signal: killed');
    expect(exitError('r1', 2, null).errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: exit status 2');
    expect(exitError('r1', null, 'SIGSEGV').errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: signal: segmentation fault');
    expect(exitError('r1', null, 'SIGUSR2').errorMessage).toBe('RequestId: r1 Error: Runtime exited with error: signal: SIGUSR2');
  });
});
