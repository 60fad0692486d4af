import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const run = promisify(execFile);
/** Debian's awscli package (v2); another `aws` earlier on PATH may be v1. */
const AWS = '/usr/bin/aws';
const awsAvailable = await run(AWS, ['--version']).then(({ stdout }) => stdout.startsWith('aws-cli/2'), () => false);

/** The unmodified AWS CLI v2 against the hub (`npm test` installs it; skipped where it is absent). */
describe.skipIf(!awsAvailable)('AWS CLI with --endpoint-url', () => {
  let hub: TestHub;
  const dir = tempDir('th-awscli-');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  const aws = (...args: string[]) => run(AWS, ['--endpoint-url', hub.url, ...args], { env });

  beforeAll(async () => {
    hub = await startTestHub({ functions: { echo: { handler: 'echo.handler' }, fail: { handler: 'fail.handler', maximumRetryAttempts: 0 } } });
  });
  afterAll(async () => hub?.stop());

  it('invokes with lambda invoke, payload and log tail', async () => {
    const out = path.join(dir, 'out.json');
    const { stdout } = await aws('lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out',
      '--payload', '{"from":"cli"}', '--log-type', 'Tail', out);
    const meta = JSON.parse(stdout);
    expect(meta.StatusCode).toBe(200);
    expect(Buffer.from(meta.LogResult, 'base64').toString()).toContain('REPORT RequestId:');
    expect(JSON.parse(readFileSync(out, 'utf8')).event).toEqual({ from: 'cli' });
  });

  it('reports function errors and asynchronous invocations as the CLI expects', async () => {
    const failed = JSON.parse((await aws('lambda', 'invoke', '--function-name', 'fail', path.join(dir, 'fail.json'))).stdout);
    expect(failed).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    const queued = JSON.parse((await aws('lambda', 'invoke', '--function-name', 'echo', '--invocation-type', 'Event', path.join(dir, 'event.json'))).stdout);
    expect(queued.StatusCode).toBe(202);
  });

  it('lists and gets functions, and names a missing one', async () => {
    const list = JSON.parse((await aws('lambda', 'list-functions')).stdout);
    expect(list.Functions.map((f: { FunctionName: string }) => f.FunctionName).sort()).toEqual(['echo', 'fail']);
    const got = JSON.parse((await aws('lambda', 'get-function', '--function-name', 'echo')).stdout);
    expect(got.Configuration.Handler).toBe('echo.handler');
    const missing = await aws('lambda', 'invoke', '--function-name', 'ghost', path.join(dir, 'x.json')).catch((err: { stderr: string }) => err);
    expect((missing as { stderr: string }).stderr).toContain('ResourceNotFoundException');
  });

  it('pages list-functions with --max-items and --starting-token, and names an operation the hub does not perform', async () => {
    const first = JSON.parse((await aws('lambda', 'list-functions', '--max-items', '1')).stdout);
    expect(first.Functions).toHaveLength(1);
    const rest = JSON.parse((await aws('lambda', 'list-functions', '--starting-token', first.NextToken)).stdout);
    expect([...first.Functions, ...rest.Functions].map((f: { FunctionName: string }) => f.FunctionName).sort()).toEqual(['echo', 'fail']);
    const denied = await aws('lambda', 'delete-function', '--function-name', 'echo').catch((err: { stderr: string }) => err);
    expect((denied as { stderr: string }).stderr).toContain('(AccessDeniedException) when calling the DeleteFunction operation: triggerhub does not perform lambda:DeleteFunction');
    const settings = await aws('lambda', 'get-account-settings').catch((err: { stderr: string }) => err);
    expect((settings as { stderr: string }).stderr).toContain('(AccessDeniedException) when calling the GetAccountSettings operation');
  });
});
