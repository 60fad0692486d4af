import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { functionSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/log.js';
import { MAX_LINE_CHARS, MAX_OUTPUT_CHARS } from '../src/runtime/log-limits.js';
import { FunctionPool } from '../src/runtime/pool.js';
import type { FunctionConfig } from '../src/runtime/types.js';
import { request, runtimeOptions } from './fixtures/handlers/function-config.js';

const PYTHON = fileURLToPath(new URL('./fixtures/python/', import.meta.url));
const pools: FunctionPool[] = [];
let counter = 0;

function pythonPool(handler: string, raw: Record<string, unknown> = {}): FunctionPool {
  const parsed = functionSchema.parse({ handler, runtime: 'python3.12', ...raw });
  const dot = handler.lastIndexOf('.');
  const fn: FunctionConfig = {
    ...parsed,
    name: `py-${process.pid}-${++counter}`,
    handlerFile: path.join(PYTHON, `${handler.slice(0, dot)}.py`),
    handlerExport: handler.slice(dot + 1),
    taskRoot: PYTHON,
  };
  const pool = new FunctionPool(fn, runtimeOptions(), silentLogger());
  pools.push(pool);
  return pool;
}


afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('Python runtime (Runtime API)', () => {
  it('keeps the module warm, builds the context and attributes print/logging lines to the request', async () => {
    const pool = pythonPool('handlers.counter');
    const first = await pool.invoke(request({ n: 1 }));
    const second = await pool.invoke(request({ n: 2 }));

    expect(first.status).toBe('success');
    const body = JSON.parse(second.payload!);
    expect(body).toMatchObject({ count: 2, event: { n: 2 } });
    expect(body.context).toMatchObject({
      aws_request_id: second.requestId,
      function_version: '$LATEST',
      invoked_function_arn: expect.stringMatching(/^arn:aws:lambda:eu-west-1:123456789012:function:py-/),
      memory_limit_in_mb: '128',
      log_group_name: expect.stringMatching(/^\/aws\/lambda\/py-/),
      log_stream_name: expect.stringContaining(`[$LATEST]${second.environmentId}`),
    });
    expect(body.context.remaining).toBeGreaterThan(1000);
    expect(second.environmentId).toBe(first.environmentId);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.initDurationMs).toBeUndefined();
    expect(second.maxMemoryUsedMB).toBeGreaterThan(0);
    const lines = second.logs.trimEnd().split('\n');
    expect(lines[0]).toBe(`START RequestId: ${second.requestId} Version: $LATEST`);
    expect(lines).toContain('event {"n": 2}');
    expect(lines.some((l) => new RegExp(`^\\[INFO\\]\\t\\S+Z\\t${second.requestId}\\tcount is 2$`).test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${second.requestId}\\tDuration: `));
  });

  it('returns errors in Lambda shape and stays warm', async () => {
    const pool = pythonPool('handlers.fail');
    const failed = await pool.invoke(request({ id: 7 }));
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'order 7 rejected' });
    expect(failed.error!.stackTrace!.join('')).toContain('handlers.py');
    expect(failed.logs).toContain('[ERROR] OrderRejected: order 7 rejected');
    const again = await pool.invoke(request({ id: 8 }));
    expect(again.environmentId).toBe(failed.environmentId);
  });

  it('sends the error document awslambdaric sends: requestId, and a stackTrace that starts in the handler, not the runtime', async () => {
    const failed = await pythonPool('handlers.fail').invoke(request({ id: 7 }));
    expect(Object.keys(failed.error!)).toEqual(['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    expect(failed.error!.requestId).toBe(failed.requestId);
    expect(failed.error!.stackTrace).toEqual([
      expect.stringMatching(/^ {2}File ".*\/handlers\.py", line \d+, in fail\n {4}raise OrderRejected/),
    ]);
    // The log line: one event, its traceback lines indented with NO-BREAK SPACEs as awslambdaric writes them.
    const line = failed.logs.split('\n').find((l) => l.startsWith('[ERROR] OrderRejected'))!;
    expect(line.split('\r')).toEqual([
      '[ERROR] OrderRejected: order 7 rejected',
      'Traceback (most recent call last):',
      expect.stringMatching(/^\u00a0{2}File ".*handlers\.py", line \d+, in fail$/),
      '\u00a0\u00a0\u00a0\u00a0raise OrderRejected("order %s rejected" % event.get("id"))',
    ]);
    const notFound = await pythonPool('handlers.missing').invoke(request());
    expect(notFound.error).toMatchObject({ requestId: '', stackTrace: [] });
  });

  it('writes Decimal results as the numbers they hold and bytes as they are, as awslambdaric does', async () => {
    const decimals = await pythonPool('handlers.decimals').invoke(request());
    expect(decimals.status).toBe('success');
    expect(decimals.payload).toBe('{"price": 1.10, "qty": 3, "big": 12345678901234567890.5, "exp": 1E+2, "items": [-0.25], "name": "café"}');
    const bytes = await pythonPool('handlers.raw_bytes').invoke(request());
    expect(bytes.payload).toBe('plain text');
    expect(bytes.logs).not.toContain('not UTF-8');
  });

  it('says so in the log when a bytes result is not UTF-8, which the hub reads as text (U+FFFD for the rest)', async () => {
    const result = await pythonPool('handlers.latin1_bytes').invoke(request());
    expect(result.status).toBe('success');
    expect(result.payload).toBe('caf\uFFFD');
    expect(result.logs.split('\n')).toContain('[triggerhub] the response is not UTF-8 text: bytes that are not were replaced with U+FFFD (payloads are text here)');
  });

  it("runs under Lambda's TZ=:UTC, and under the time zone the function's environment names", async () => {
    const utc = await pythonPool('handlers.time_zone').invoke(request());
    expect(JSON.parse(utc.payload!)).toEqual({ TZ: ':UTC', tzname: ['UTC', 'UTC'], offset: '+0000' });
    const tokyo = await pythonPool('handlers.time_zone', { environment: { TZ: 'Asia/Tokyo' } }).invoke(request());
    expect(JSON.parse(tokyo.payload!)).toEqual({ TZ: 'Asia/Tokyo', tzname: ['JST', 'JST'], offset: '+0900' });
  });

  it('keeps a long print one log line, though the pipe delivers it in 64 KB chunks, and the last one without a line break', async () => {
    const result = await pythonPool('handlers.long_lines').invoke(request({ lines: 2, chars: 200_000 }));
    expect(result.status).toBe('success');
    const lines = result.logs.split('\n').slice(1, -3);
    expect(lines).toEqual(['0'.repeat(200_000), '1'.repeat(200_000), 'no line break']);
  });

  it('bounds a log flood: lines cut at 256 KB, at most 8 MB per invocation, the rest dropped and counted', async () => {
    const pool = pythonPool('handlers.long_lines', { timeout: 30 });
    const result = await pool.invoke(request({ lines: 40, chars: 1024 * 1024 }));
    expect(result.status).toBe('success');
    const lines = result.logs.split('\n').slice(1, -3);
    expect(lines.slice(0, 32)).toEqual(Array.from({ length: 32 }, (_, i) => String(i % 10).repeat(MAX_LINE_CHARS)));
    expect(lines.slice(32)).toEqual([
      `[triggerhub] 9 lines of output dropped: an invocation logs at most ${MAX_OUTPUT_CHARS} characters`,
    ]);
    const next = await pool.invoke(request({ lines: 1, chars: 10 }));
    expect(next.logs.split('\n').slice(1, -3)).toEqual(['0'.repeat(10), 'no line break']);
  });

  it('fails as Lambda does when the runtime cannot be started (no such $PYTHON): Runtime.InvalidEntrypoint naming the file', async () => {
    const saved = process.env.PYTHON;
    process.env.PYTHON = '/nonexistent/python3';
    try {
      const req = request();
      const result = await pythonPool('handlers.counter').invoke(req);
      expect(result.status).toBe('error');
      expect(result.error).toEqual({
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: `RequestId: ${req.requestId} Error: fork/exec /nonexistent/python3: no such file or directory`,
      });
    } finally {
      if (saved === undefined) delete process.env.PYTHON;
      else process.env.PYTHON = saved;
    }
  });

  it('has context.log and a repr of the context, as Lambda\'s Python context', async () => {
    const result = await pythonPool('handlers.context_log').invoke(request());
    expect(result.status).toBe('success');
    expect(JSON.parse(result.payload!)).toMatch(new RegExp(`^LambdaContext\\(\\[aws_request_id=${result.requestId},log_group_name=/aws/lambda/py-`));
    const lines = result.logs.split('\n');
    expect(lines).toContain('via context.log');
    expect(lines).toContain("{'as': 'str'}");
  });

  it('leaves the root logger at WARNING unless AWS_LAMBDA_LOG_LEVEL says otherwise, as on Lambda', async () => {
    const plain = await pythonPool('log_levels.handler').invoke(request());
    const lines = plain.logs.split('\n');
    expect(lines.some((l) => l.includes('info line'))).toBe(false);
    expect(lines.some((l) => new RegExp(`^\\[WARNING\\]\\t\\S+Z\\t${plain.requestId}\\twarning line$`).test(l))).toBe(true);
    expect(lines.some((l) => /^\[ERROR\]\t\S+Z\t\S+\tfailed\rTraceback/.test(l))).toBe(true);

    const debug = await pythonPool('log_levels.handler', { environment: { AWS_LAMBDA_LOG_LEVEL: 'TRACE' } }).invoke(request());
    expect(debug.logs).toMatch(/\[DEBUG\]\t\S+Z\t\S+\tdebug line\n/);
    expect(debug.logs).toMatch(/\[INFO\]\t\S+Z\t\S+\tinfo line\n/);
  });

  it('writes awslambdaric\'s JSON log records with AWS_LAMBDA_LOG_FORMAT=JSON; print stays text', async () => {
    const result = await pythonPool('log_levels.handler', { environment: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' } }).invoke(request());
    const records = result.logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(records.map((r) => r.message)).toEqual(['info line', 'warning line', 'failed']);
    expect(records[1]).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      level: 'WARNING', message: 'warning line', logger: 'orders', requestId: result.requestId, order_id: 7,
    });
    expect(records[2]).toMatchObject({ level: 'ERROR', errorType: 'ValueError', errorMessage: 'bad order',
      location: expect.stringMatching(/log_levels\.py:handler:\d+$/), stackTrace: [expect.stringContaining('raise ValueError')] });
    expect(result.logs.split('\n')).toContain('printed line');
  });

  it('reports a result that cannot be serialised as Runtime.MarshalError', async () => {
    const result = await pythonPool('handlers.unserializable').invoke(request());
    expect(result.error).toEqual({
      errorMessage: 'Unable to marshal response: Object of type object is not JSON serializable',
      errorType: 'Runtime.MarshalError', requestId: result.requestId, stackTrace: [],
    });
  });

  it('kills an invocation that runs past its timeout with Sandbox.Timedout, then starts fresh', async () => {
    const pool = pythonPool('handlers.sleep', { timeout: 1 });
    const timedOut = await pool.invoke(request({ seconds: 5 }));
    expect(timedOut.status).toBe('timeout');
    expect(timedOut.error).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const next = await pool.invoke(request({ seconds: 0 }));
    expect(next.payload).toBe('"woke"');
    expect(next.environmentId).not.toBe(timedOut.environmentId);
  });

  it('kills an environment whose resident memory passes memorySize (RSS watchdog)', async () => {
    const pool = pythonPool('handlers.hog', { memorySize: 128 });
    const result = await pool.invoke(request({ mb: 200 }));
    expect(result.status).toBe('out_of_memory');
    expect(result.error?.errorType).toBe('Runtime.OutOfMemory');
    expect(result.logs).toContain('Error Type: Runtime.OutOfMemory');
  });

  it('runs concurrent invocations in separate environments', async () => {
    const pool = pythonPool('handlers.sleep');
    const results = await Promise.all([1, 2].map(() => pool.invoke(request({ seconds: 0.3 }))));
    expect(results.map((r) => r.payload)).toEqual(['"woke"', '"woke"']);
    expect(new Set(results.map((r) => r.environmentId)).size).toBe(2);
  });

  it('reports init failures through /init/error with Lambda error types', async () => {
    const importError = await pythonPool('broken_import.handler').invoke(request());
    expect(importError.status).toBe('error');
    expect(importError.error).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Unable to import module 'broken_import': No module named 'module_that_does_not_exist'",
    });
    const notFound = await pythonPool('handlers.missing').invoke(request());
    expect(notFound.error).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: "Handler 'missing' missing on module 'handlers'",
    });
  });
});
