import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, writeInfo } from '../src/log.js';
import { InvocationLog } from '../src/runtime/invocation-log.js';
import { jsonLogLines } from './helpers/log-capture.js';

describe('hub logger', () => {
  it('redacts secrets in the hub\'s own lines, while invocation lines (written without the redaction pass) keep their bindings and figures', () => {
    const { lines, destination } = jsonLogLines();
    const logger = createLogger({ destination, level: 'info' }).child({ function: 'resize' });
    logger.warn({ event: 'config_check', redis: { url: 'redis://:pw@h:6379' }, target: { password: 'p', secretAccessKey: 's', token: 't' } }, 'checked');
    const log = new InvocationLog(logger, { requestId: 'r-1', function: 'resize', environmentId: 'e-1', version: '$LATEST' });
    log.handler('INFO', 'hello');
    log.finish({ status: 'success', durationMs: 1.5, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 40 });

    expect(lines[0]).toMatchObject({ redis: { url: '[redacted]' }, target: { password: '[redacted]', secretAccessKey: '[redacted]', token: '[redacted]' } });
    expect(lines.slice(1).map((line) => line.event)).toEqual(['handler_log', 'invocation_report']);
    expect(lines[1]).toMatchObject({ function: 'resize', requestId: 'r-1', logLevel: 'INFO', msg: 'hello' });
    expect(lines[2]).toMatchObject({ function: 'resize', requestId: 'r-1', status: 'success', durationMs: 1.5, memorySizeMB: 128, msg: expect.stringMatching(/^REPORT RequestId: r-1\tDuration: 1.50 ms/) });
  });
});

describe('writeInfo (the REPORT line without pino\'s generic walk)', () => {
  const rawLines = () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    return { lines, destination };
  };
  const sameTime = (line: string) => line.replace(/"time":\d+/, '"time":0');

  it('writes byte for byte what logger.info writes for the same fields, with the logger\'s bindings', () => {
    const { lines, destination } = rawLines();
    const logger = createLogger({ destination, level: 'info' }).child({ component: 'runtime' }).child({ function: 'résumé "q"' });
    const report = { status: 'timeout', durationMs: 3000.5, billedDurationMs: 3001, memorySizeMB: 128, maxMemoryUsedMB: 64 } as const;
    for (const [traceparent, initDurationMs] of [[undefined, undefined], ['00-6b0edcd4c6932b8cdb0bfc81e233e30b-9f4c1d2e3f405162-01', 12.34]] as const) {
      lines.length = 0;
      new InvocationLog(logger, { requestId: 'r-"1"\n', function: 'résumé "q"', environmentId: 'e', version: '$LATEST', traceparent }).finish({ ...report, initDurationMs });
      const [written] = lines;
      const msg = JSON.parse(written).msg as string;
      logger.info({ requestId: 'r-"1"\n', traceparent, event: 'invocation_report', ...report, initDurationMs }, msg);
      expect(lines).toHaveLength(2);
      expect(sameTime(written)).toBe(sameTime(lines[1]));
    }
  });

  it('writes nothing below info, and goes through pino for a logger whose lines pino changes further (a mixin)', () => {
    const quiet = rawLines();
    writeInfo(createLogger({ destination: quiet.destination, level: 'warn' }), ',"a":1', 'm');
    expect(quiet.lines).toEqual([]);

    const mixed = rawLines();
    const logger = pino({ mixin: () => ({ extra: true }) }, mixed.destination);
    writeInfo(logger, ',"a":1', 'm');
    expect(JSON.parse(mixed.lines[0])).toMatchObject({ level: 30, a: 1, extra: true, msg: 'm' });
  });
});
