import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
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
