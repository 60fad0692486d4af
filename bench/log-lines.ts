/**
 * `npx tsc -p tsconfig.json && npx tsx bench/log-lines.ts`: what an invocation's stdout line costs
 * the compiled hub. InvocationLog.finish as the runtime calls it (START and END at debug, so only
 * the REPORT line is written, without the redaction pass), beside a REPORT line's fields written
 * through the hub's root logger (with its redact paths) and through a child that drops them. Lines
 * go to a Writable that discards them, so only the hub's and pino's own work is timed. Prints µs per
 * line (per invocation for finish), BENCH_ROUNDS (3) rounds of BENCH_LINES (200000) each. A last
 * variant writes through the hub's real stdout path (coalescing, asynchronous writes) to /dev/null
 * and prints the process's CPU per line, the writes included.
 */
import { openSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '../dist/log.js';
import { InvocationLog } from '../dist/runtime/invocation-log.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const REPORT = { status: 'success', durationMs: 1.23, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 50 } as const;
const FIELDS = { requestId: '6f1c2a8e-0000-4000-8000-000000000000', traceparent: '00-6b0edcd4c6932b8cdb0bfc81e233e30b-9f4c1d2e3f405162-01', event: 'invocation_report', ...REPORT };
const LINE = 'REPORT RequestId: 6f1c2a8e-0000-4000-8000-000000000000\tDuration: 1.23 ms\tBilled Duration: 2 ms';

const discard = new Writable({ write(_chunk, _encoding, done) { done(); } });
const root = createLogger({ destination: discard, level: 'info' }).child({ function: 'noop' });
const plain = root.child({}, { redact: [] });

const variants: Record<string, () => void> = {
  'InvocationLog.finish (REPORT, no redaction pass)': () => {
    new InvocationLog(root, { requestId: FIELDS.requestId, function: 'noop', environmentId: 'e1', version: '$LATEST', traceparent: FIELDS.traceparent }).finish(REPORT);
  },
  'root logger, with the hub\'s redact paths': () => root.info(FIELDS, LINE),
  'child without redaction': () => plain.info(FIELDS, LINE),
};

for (let round = 1; round <= ROUNDS; round += 1) {
  for (const [name, write] of Object.entries(variants)) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < LINES; i += 1) write();
    const us = Number(process.hrtime.bigint() - started) / LINES / 1000;
    console.log(`round ${round}  ${name.padEnd(50)} ${us.toFixed(2)} µs per line`);
  }
}

// The stdout path: lines coalesced and written by sonic-boom off the main thread; CPU (user +
// system, all threads) per line, the loop yielding now and then as the hub's does.
const stdoutPath = createLogger({ fd: openSync('/dev/null', 'w'), pretty: false, level: 'info' }).child({ function: 'noop' }, { redact: [] });
for (let round = 1; round <= ROUNDS; round += 1) {
  const before = process.cpuUsage();
  for (let i = 0; i < LINES; i += 1) {
    stdoutPath.info(FIELDS, LINE);
    if (i % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // the last writes
  const { user, system } = process.cpuUsage(before);
  console.log(`round ${round}  ${'stdout path to /dev/null (CPU, writes included)'.padEnd(50)} ${((user + system) / LINES).toFixed(2)} µs per line`);
}
