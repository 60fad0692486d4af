import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../src/log.js';
import type { LogLine, LogSource } from '../src/logs/sink.js';
import { ISOLATIONS } from '../src/config/schema.js';
import { MAX_LINE_CHARS, MAX_OUTPUT_CHARS } from '../src/runtime/log-limits.js';
import { FunctionPool } from '../src/runtime/pool.js';
import type { RuntimeOptions } from '../src/runtime/types.js';
import { FIXTURES, functionConfig, request, runtimeOptions } from './fixtures/handlers/function-config.js';
import { jsonLogLines } from './helpers/log-capture.js';

const pools: FunctionPool[] = [];

/** Every test runs with both isolations: environments as processes and as worker threads. */
describe.each(ISOLATIONS)('with %s isolation', (isolation) => {
  const options = (overrides: Partial<RuntimeOptions> = {}) => runtimeOptions({ isolation, ...overrides });

  function poolFor(file: string, exportName: string, raw: Record<string, unknown> = {}, logger: Logger = silentLogger()): FunctionPool {
    const pool = new FunctionPool(functionConfig(file, exportName, raw), options(), logger);
    pools.push(pool);
    return pool;
  }


  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  describe('FunctionPool invoke', () => {
    it('runs a handler warm: module scope survives and only the first invocation is a cold start', async () => {
      const pool = poolFor('handlers.mjs', 'counter');
      const first = await pool.invoke(request({ n: 1 }));
      const second = await pool.invoke(request({ n: 2 }));
      const third = await pool.invoke(request({ n: 3 }));

      expect(first.status).toBe('success');
      expect(JSON.parse(first.payload!)).toMatchObject({ count: 1, event: { n: 1 } });
      expect(JSON.parse(third.payload!)).toMatchObject({ count: 3, event: { n: 3 } });
      expect(new Set([first, second, third].map((r) => r.environmentId)).size).toBe(1);
      expect(first.initDurationMs).toBeGreaterThan(0);
      expect(first.logs).toMatch(/\tInit Duration: \d+\.\d\d ms/);
      expect(second.initDurationMs).toBeUndefined();
      expect(second.logs).not.toContain('Init Duration');
      expect(pool.size).toBe(1);
      expect(pool.busy).toBe(0);
    });

    it('gives the handler an event passed as a value exactly as its JSON text would arrive', async () => {
      const pool = poolFor('handlers.mjs', 'inspect');
      const event = { body: 'a "quoted" \\ line\n', dropped: undefined, when: new Date(0), list: [1, undefined, 'x'], nested: { n: 1.5 } };
      const asValue = await pool.invoke({ requestId: randomUUID(), event });
      const asText = await pool.invoke(request(event));
      expect(JSON.parse(asValue.payload!)).toEqual({
        keys: ['body', 'when', 'list', 'nested'],
        kinds: { body: 'string', when: 'string', list: 'array', nested: 'object' },
        list: ['number', 'null', 'string'],
      });
      expect(asValue.payload).toBe(asText.payload);
    });

    it('writes START, END and REPORT lines with Lambda-style numbers', async () => {
      const pool = poolFor('handlers.mjs', 'counter', { memorySize: 256 });
      const req = request();
      const result = await pool.invoke(req);
      const lines = result.logs.trimEnd().split('\n');

      expect(lines[0]).toBe(`START RequestId: ${req.requestId} Version: $LATEST`);
      expect(lines.at(-2)).toBe(`END RequestId: ${req.requestId}`);
      expect(lines.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${req.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms`
        + '\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$'));
      expect(result.billedDurationMs).toBe(Math.max(1, Math.ceil(result.durationMs)));
      expect(result.memorySizeMB).toBe(256);
      expect(result.maxMemoryUsedMB).toBeGreaterThan(10);
    });

    it('returns null for an undefined result and for a sync handler without callback', async () => {
      expect((await poolFor('handlers.mjs', 'returnsUndefined').invoke(request())).payload).toBe('null');
      expect((await poolFor('handlers.mjs', 'syncReturn').invoke(request())).payload).toBe('null');
    });

    it('supports CommonJS callback handlers and the legacy context.succeed', async () => {
      const pool = poolFor('callback.cjs', 'handler');
      const req = request();
      const first = await pool.invoke(req);
      const second = await pool.invoke(request());
      expect(JSON.parse(first.payload!)).toEqual({ calls: 1, requestId: req.requestId });
      expect(JSON.parse(second.payload!)).toMatchObject({ calls: 2 });

      const failed = await poolFor('callback.cjs', 'fails').invoke(request());
      expect(failed.status).toBe('error');
      expect(failed.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'callback failed' });

      const legacy = await poolFor('callback.cjs', 'legacySucceed').invoke(request());
      expect(JSON.parse(legacy.payload!)).toEqual({ legacy: true });
    });

    describe('callbackWaitsForEmptyEventLoop', () => {
      /** Where `timer fired` is among the invocation's lines, and where END is. */
      const timerLine = (logs: string) => {
        const lines = logs.trimEnd().split('\n');
        return { timer: lines.findIndex((line) => line.endsWith('\tINFO\ttimer fired')), end: lines.findIndex((line) => line.startsWith('END ')) };
      };

      it('a callback result waits for the event loop to empty: a pending timer runs inside the invocation', async () => {
        const pool = poolFor('callback.cjs', 'leavesTimer');
        for (const result of [await pool.invoke(request()), await pool.invoke(request())]) {
          expect(result.payload).toBe('"called back"');
          const { timer, end } = timerLine(result.logs);
          expect(timer).toBeGreaterThan(0);
          expect(timer).toBeLessThan(end);
        }
        expect(pool.size).toBe(1);
      });

      it('with callbackWaitsForEmptyEventLoop = false the callback result returns at once (the timer runs after the invocation)', async () => {
        const result = await poolFor('callback.cjs', 'leavesTimer').invoke(request({ dontWait: true }));
        expect(result.payload).toBe('"called back"');
        expect(result.logs).not.toContain('timer fired');
      });

      it('a callback handler leaving a server open runs into its timeout, unless it sets callbackWaitsForEmptyEventLoop = false', async () => {
        const req = request();
        const waits = await poolFor('callback.cjs', 'leavesServer', { timeout: 1 }).invoke(req);
        expect(waits.status).toBe('timeout');
        expect(waits.error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${req.requestId} Error: Task timed out after 1.00 seconds` });
        const pool = poolFor('callback.cjs', 'leavesServer', { timeout: 1 });
        const first = await pool.invoke(request({ dontWait: true }));
        const second = await pool.invoke(request({ dontWait: true }));
        expect([first.payload, second.payload]).toEqual(['"listening"', '"listening"']);
        expect(second.environmentId).toBe(first.environmentId);
      });

      it('an error passed to the callback returns at once; a handler that never calls back completes with null once the loop is empty', async () => {
        const failed = await poolFor('callback.cjs', 'failsLeavingTimer').invoke(request());
        expect(failed.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'failed at once' });
        expect(failed.logs).not.toContain('timer fired');
        const silent = await poolFor('callback.cjs', 'neverCallsBack').invoke(request());
        expect(silent.status).toBe('success');
        expect(silent.payload).toBe('null');
        const { timer, end } = timerLine(silent.logs);
        expect(timer).toBeGreaterThan(0);
        expect(timer).toBeLessThan(end);
      });

      it('async handlers, context.succeed and Middy handlers return at once, whatever the loop holds', async () => {
        for (const [file, name, payload] of [
          ['callback.cjs', 'asyncLeavesTimer', '"returned"'],
          ['callback.cjs', 'succeedLeavesTimer', '"succeeded"'],
          ['middy-timer.mjs', 'handler', '"middy"'],
        ]) {
          const result = await poolFor(file, name).invoke(request());
          expect(result.payload).toBe(payload);
          expect(result.logs).not.toContain('timer fired');
        }
      });
    });

    it('runs a TypeScript handler', async () => {
      const pool = poolFor('typed.ts', 'handler');
      const result = await pool.invoke(request({ name: 'ts' }));
      expect(result.status).toBe('success');
      expect(JSON.parse(result.payload!)).toMatchObject({ message: expect.stringMatching(/^hello ts from rt-handler-/), invocations: 1 });
    });

    it('reports a handler error with name, message, stack frames and retryable, and keeps the environment', async () => {
      const pool = poolFor('handlers.mjs', 'throws');
      const failed = await pool.invoke(request());
      expect(failed.status).toBe('error');
      expect(failed.payload).toBeUndefined();
      expect(failed.error).toMatchObject({ errorType: 'ValidationError', errorMessage: 'bad input', retryable: false });
      expect(failed.error!.trace![0]).toBe('ValidationError: bad input');
      expect(failed.error!.trace![1]).toMatch(/^ {4}at .*handlers\.mjs/);
      expect(failed.error).not.toHaveProperty('stackTrace');
      expect(failed.logs).toContain('\tERROR\tInvoke Error \t{"errorType":"ValidationError"');

      const again = await pool.invoke(request());
      expect(again.environmentId).toBe(failed.environmentId);
      expect(again.initDurationMs).toBeUndefined();
    });

    it('reports thrown non-errors and unserialisable results as errors', async () => {
      const thrown = await poolFor('handlers.mjs', 'throwsString').invoke(request());
      expect(thrown.error).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });

      const circular = await poolFor('handlers.mjs', 'circular').invoke(request());
      expect(circular.status).toBe('error');
      expect(circular.error).toMatchObject({ errorType: 'Error', errorMessage: 'Unable to stringify response body' });
    });

    it("fails a result over Lambda's 6291556-byte response limit as Function.ResponseSizeTooLarge, whatever the invocation type, as the Runtime API does", async () => {
      const pool = poolFor('handlers.mjs', 'returnsLarge', { memorySize: 512 });
      const atLimit = await pool.invoke(request({ chars: 6291556 - 2 }));
      expect(atLimit.status).toBe('success');
      expect(atLimit.payload).toHaveLength(6291556);
      const over = await pool.invoke(request({ chars: 3_200_000, char: 'é' }));
      expect(over.status).toBe('error');
      expect(over.error).toEqual({
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: 'Response payload size (6400002 bytes) exceeded maximum allowed payload size (6291556 bytes).',
      });
      expect((await pool.invoke(request({ chars: 1 }))).environmentId).toBe(over.environmentId);
    });

    it('buffers a streaming handler invoked without a stream up to the response limit: over it, Function.ResponseSizeTooLarge, its bytes not kept', async () => {
      const pool = poolFor('handlers.mjs', 'streamsMegabytes', { memorySize: 512, timeout: 30 });
      const within = await pool.invoke(request({ mb: 2 }));
      expect(within.status).toBe('success');
      expect(within.payload).toHaveLength(2 * 1024 * 1024);
      const over = await pool.invoke(request({ mb: 7 }));
      expect(over.status).toBe('error');
      expect(over.payload).toBeUndefined();
      expect(over.error).toEqual({
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size (${7 * 1024 * 1024} bytes) exceeded maximum allowed payload size (6291556 bytes).`,
      });
    });

    it('fails an invocation whose payload is not JSON without harming the environment', async () => {
      const pool = poolFor('handlers.mjs', 'counter');
      const bad = await pool.invoke({ requestId: randomUUID(), payload: '{not json' });
      expect(bad.status).toBe('error');
      expect(bad.error!.errorType).toBe('SyntaxError');
      const good = await pool.invoke(request());
      expect(good.status).toBe('success');
      expect(good.environmentId).toBe(bad.environmentId);
    });

    it('gives the handler a Lambda context with a shrinking remaining time', async () => {
      const fn = functionConfig('handlers.mjs', 'context', { timeout: 5, memorySize: 512 });
      const pool = new FunctionPool(fn, options(), silentLogger());
      pools.push(pool);
      const req = request({}, { clientContext: { custom: { a: 1 } } });
      const result = await pool.invoke(req);
      const body = JSON.parse(result.payload!);

      expect(body.fields).toMatchObject({
        awsRequestId: req.requestId,
        functionName: fn.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${fn.name}`,
        memoryLimitInMB: '512',
        logGroupName: `/aws/lambda/${fn.name}`,
        logStreamName: expect.stringMatching(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/),
        callbackWaitsForEmptyEventLoop: true,
        clientContext: { custom: { a: 1 } },
      });
      expect(body.fields.logStreamName).toContain(result.environmentId);
      const [first, later] = body.remaining as number[];
      expect(first).toBeLessThanOrEqual(5000);
      expect(first).toBeGreaterThan(4000);
      expect(later).toBeLessThan(first);
      expect(body.argv).toEqual([]);
      // A worker cannot change directory: it runs in the hub's (see README, Thread isolation).
      expect(body.cwd).toBe(isolation === 'process' ? FIXTURES : process.cwd());
    });

    it('sets Lambda reserved variables, the function environment and only allowed hub variables', async () => {
      const saved = { ...process.env };
      process.env.AWS_ENDPOINT_URL_SQS = 'http://localhost:4566';
      process.env.AWS_ACCESS_KEY_ID = 'hub-key';
      process.env.NODE_OPTIONS = '--max-old-space-size=999';
      process.env.TH_TEST_SECRET = 'do-not-leak';
      try {
        const fn = functionConfig('handlers.mjs', 'env', { environment: { STAGE: 'test', AWS_ACCESS_KEY_ID: 'fn-key' } });
        const pool = new FunctionPool(fn, options(), silentLogger());
        pools.push(pool);
        const result = await pool.invoke(request({}, { traceId: 'Root=1-abc' }));
        const env = JSON.parse(result.payload!) as Record<string, string>;
        expect(env).toMatchObject({
          STAGE: 'test',
          AWS_ACCESS_KEY_ID: 'fn-key',
          AWS_ENDPOINT_URL_SQS: 'http://localhost:4566',
          AWS_LAMBDA_FUNCTION_NAME: fn.name,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
          AWS_REGION: 'eu-west-1',
          AWS_DEFAULT_REGION: 'eu-west-1',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          LAMBDA_TASK_ROOT: FIXTURES,
          _HANDLER: 'handlers.env',
          TZ: ':UTC',
          _X_AMZN_TRACE_ID: 'Root=1-abc',
          PATH: saved.PATH,
        });
        expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toContain(result.environmentId);
        expect(env.LAMBDA_RUNTIME_DIR).toBeTruthy();
        expect(env.NODE_OPTIONS).toBeUndefined();
        expect(env.TH_TEST_SECRET).toBeUndefined();

        const untraced = JSON.parse((await pool.invoke(request())).payload!) as Record<string, string>;
        expect(untraced._X_AMZN_TRACE_ID).toBeUndefined();
      } finally {
        process.env = saved;
      }
    });

    it('captures console and stdout output per request, in Lambda format, and mirrors it to pino (START and END at debug)', async () => {
      const { lines: events, destination } = jsonLogLines();
      const fn = functionConfig('handlers.mjs', 'logs');
      const pool = new FunctionPool(fn, options(), createLogger({ destination, level: 'debug' }));
      pools.push(pool);
      const req = request();
      const result = await pool.invoke(req);
      const id = req.requestId;
      const stamp = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

      expect(result.logs).toMatch(new RegExp(`^${stamp}\\t${id}\\tINFO\\thello world \\{ n: 1 \\}$`, 'm'));
      for (const [level, text] of [['INFO', 'info'], ['WARN', 'warn'], ['ERROR', 'error'], ['DEBUG', 'debug'], ['TRACE', 'trace']]) {
        expect(result.logs).toMatch(new RegExp(`^${stamp}\\t${id}\\t${level}\\t${text} line$`, 'm'));
      }
      expect(result.logs).toMatch(/^raw stdout$/m);

      const mine = events.filter((event) => event.requestId === id);
      expect(mine.map((event) => event.event)).toEqual([
        'invocation_start', ...Array(7).fill('handler_log'), 'invocation_end', 'invocation_report',
      ]);
      expect(mine.every((event) => event.function === fn.name)).toBe(true);
      expect(mine[1]).toMatchObject({ logLevel: 'INFO', msg: expect.stringContaining('hello world') });
      expect(mine.at(-1)).toMatchObject({
        status: 'success',
        durationMs: expect.any(Number),
        billedDurationMs: expect.any(Number),
        memorySizeMB: 128,
        maxMemoryUsedMB: expect.any(Number),
        initDurationMs: expect.any(Number),
        msg: expect.stringMatching(/^REPORT RequestId: /),
      });
    });

    it('writes only handler lines and REPORT to pino at info, and every line to the log sink', async () => {
      const { lines: events, destination } = jsonLogLines();
      const sunk: Array<[LogSource, LogLine]> = [];
      const fn = functionConfig('handlers.mjs', 'logs');
      const pool = new FunctionPool(fn, options({ logSink: { write: (source, line) => { sunk.push([source, line]); } } }), createLogger({ destination, level: 'info' }));
      pools.push(pool);
      const req = request();
      await pool.invoke(req);
      const mine = events.filter((event) => event.requestId === req.requestId);
      expect(mine.map((event) => event.event)).toEqual([...Array(7).fill('handler_log'), 'invocation_report']);
      expect(sunk.filter(([source]) => source.requestId === req.requestId).map(([, [type]]) => type)).toEqual([
        'start', ...Array(7).fill('handler'), 'end', 'report',
      ]);
    });

    it('bounds a console flood: lines cut at 256 KB, at most 8 MB per invocation and between invocations, the rest dropped and counted', async () => {
      const { lines: events, destination } = jsonLogLines();
      const fn = functionConfig('handlers.mjs', 'floods', { memorySize: 1024, timeout: 30 });
      const pool = new FunctionPool(fn, options(), createLogger({ destination, level: 'info' }));
      pools.push(pool);
      const result = await pool.invoke(request({ lines: 40, chars: 1024 * 1024 }));
      expect(result.status).toBe('success');
      const lines = result.logs.split('\n').slice(1, -3);
      expect(lines).toHaveLength(33);
      expect(lines.slice(0, 32).map((line) => line.length)).toEqual(Array(32).fill(MAX_LINE_CHARS));
      expect(lines[32]).toBe(`[triggerhub] 8 lines of output dropped: an invocation logs at most ${MAX_OUTPUT_CHARS} characters`);
      // The timer's lines after the invocation: as many, then one warning; the hub's log stays bounded.
      await vi.waitFor(() => expect(events.some((event) => event.event === 'handler_logs_dropped' && !event.requestId)).toBe(true), { timeout: 20_000 });
      const idle = events.filter((event) => event.event === 'handler_log' && event.requestId === undefined);
      expect(idle.map((event) => (event.msg as string).length)).toEqual(Array(32).fill(MAX_LINE_CHARS));
    }, 60_000);

    it('drops console methods below AWS_LAMBDA_LOG_LEVEL, as Lambda\'s runtime does; console.fatal always logs', async () => {
      const result = await poolFor('handlers.mjs', 'structuredLogs', { environment: { AWS_LAMBDA_LOG_LEVEL: 'warn' } }).invoke(request());
      const levels = result.logs.split('\n').map((line) => line.split('\t')[2]).filter((level) => /^[A-Z]+$/.test(level ?? ''));
      expect(levels).toEqual(['WARN', 'ERROR', 'FATAL']);
      expect(result.logs).toMatch(/\tFATAL\tfatal line$/m);
    });

    it('writes Lambda\'s JSON log records with AWS_LAMBDA_LOG_FORMAT=JSON, errors as their fields', async () => {
      const pool = poolFor('handlers.mjs', 'structuredLogs', { environment: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' } });
      const req = request();
      const result = await pool.invoke(req);
      const records = result.logs.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const timestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(records).toEqual([
        { timestamp, level: 'INFO', requestId: req.requestId, message: 'info line' },
        { timestamp, level: 'WARN', requestId: req.requestId, message: 'order 7 { late: true }' },
        { timestamp, level: 'ERROR', requestId: req.requestId,
          message: { errorType: 'TypeError', errorMessage: 'bad input', stackTrace: expect.arrayContaining(['TypeError: bad input']) } },
        { timestamp, level: 'FATAL', requestId: req.requestId, message: 'fatal line' },
      ]);

      const failing = poolFor('handlers.mjs', 'throws', { environment: { AWS_LAMBDA_LOG_FORMAT: 'json' } });
      const failed = await failing.invoke(request());
      const errorLine = JSON.parse(failed.logs.split('\n').find((line) => line.startsWith('{'))!) as Record<string, unknown>;
      expect(errorLine).toMatchObject({ level: 'ERROR', message: { errorType: 'Error', errorMessage: 'bad input', retryable: false, name: 'ValidationError' } });
    });

    it('puts init-time log lines before START with an undefined request id', async () => {
      const result = await poolFor('init-log.mjs', 'handler').invoke(request());
      const lines = result.logs.split('\n');
      expect(lines[0]).toMatch(/\tundefined\tINFO\tloading module$/);
      expect(lines[1]).toMatch(/^START RequestId: /);
    });
  });

  describe('FunctionPool init failures', () => {
    it.each([
      ['a missing export', 'handlers.mjs', 'missing', 'Runtime.HandlerNotFound', 'handlers.missing is undefined or not exported'],
      ['an export that is not a function', 'handlers.mjs', 'notAFunction', 'Runtime.HandlerNotFound', 'handlers.notAFunction is not a function'],
      ['a missing handler file', 'absent.mjs', 'handler', 'Runtime.ImportModuleError', 'Error: Cannot find module'],
      ['a missing dependency', 'import-error.mjs', 'handler', 'Error', "Cannot find package 'th-no-such-package' imported from"],
      ['a module that throws at load', 'init-throws.mjs', 'handler', 'Error', 'init failed'],
    ])('reports %s and discards the environment', async (_case, file, exportName, errorType, message) => {
      const pool = poolFor(file, exportName);
      const first = await pool.invoke(request());
      expect(first.status).toBe('error');
      expect(first.error!.errorType).toBe(errorType);
      expect(first.error!.errorMessage).toContain(message);
      expect(first.logs).toContain(`\tERROR\tUncaught Exception \t{"errorType":"${errorType}"`);
      expect(first.logs).toMatch(/^START RequestId: .*$\n[\s\S]*^REPORT RequestId: /m);

      const second = await pool.invoke(request());
      expect(second.status).toBe('error');
      expect(second.environmentId).not.toBe(first.environmentId);
    });
  });
});
