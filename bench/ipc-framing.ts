/**
 * `npx tsx bench/ipc-framing.ts`: the hop to an execution environment, one message in flight at a
 * time as the runtime does it, framed three ways: child.send with 'json' serialization (what the
 * runtime uses), child.send with 'advanced' (structured clone), and length-prefixed JSON frames on
 * a dedicated pipe (stdio fd 3). Then a handler that logs: three log-line messages and the result
 * per invocation, sent one by one (as the runtime does) or coalesced into one send. Prints round
 * trips per second and the parent's CPU µs per round trip (the hub's side of the cost).
 * BENCH_SECONDS (default 3) per variant, BENCH_ROUNDS (3); BENCH_VARIANTS=a,b picks variants.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MESSAGE = { requestId: '6f1c2a8e-0000-4000-8000-000000000000', payload: '{"n":1}', deadline: Date.now() + 3000, traceId: 'Root=1-5f84c7a1-6c0b4e2e1e8e4a7b9c1d2e3f;Parent=53995c3f42cd8ad8;Sampled=1' };

const CHILD = `
const mode = process.argv[2];
if (mode === 'pipe') {
  const { Socket } = require('node:net');
  const input = new Socket({ fd: 3, readable: true, writable: true }); const output = input;
  let buffer = Buffer.alloc(0);
  input.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
      const length = buffer.readUInt32BE(0);
      const message = JSON.parse(buffer.subarray(4, 4 + length).toString());
      buffer = buffer.subarray(4 + length);
      const body = Buffer.from(JSON.stringify({ type: 'result', payload: 'null', maxRssKB: 1, id: message.requestId }));
      const frame = Buffer.allocUnsafe(4 + body.length); frame.writeUInt32BE(body.length, 0); body.copy(frame, 4);
      output.write(frame);
    }
  });
} else {
  const logs = mode === 'logs' || mode === 'coalesced' ? 3 : 0;
  process.on('message', (message) => {
    const out = [];
    for (let i = 0; i < logs; i += 1) out.push({ type: 'log', level: 'INFO', line: new Date().toISOString() + '\t' + message.requestId + '\tINFO\tline ' + i });
    out.push({ type: 'result', payload: 'null', maxRssKB: 1, id: message.requestId });
    if (mode === 'coalesced') process.send({ type: 'batch', messages: out });
    else for (const reply of out) process.send(reply);
  });
}
`;

type Variant = 'send json' | 'send advanced' | 'pipe frames' | 'json 3 logs' | 'json 3 logs coalesced';
const CHILD_MODE: Record<Variant, string> = {
  'send json': 'ipc', 'send advanced': 'ipc', 'pipe frames': 'pipe', 'json 3 logs': 'logs', 'json 3 logs coalesced': 'coalesced',
};
const childFile = path.join(mkdtempSync(path.join(tmpdir(), 'th-ipc-')), 'child.cjs');
writeFileSync(childFile, CHILD);

function start(variant: Variant): { child: ChildProcess; roundTrip: () => Promise<void> } {
  const pipe = variant === 'pipe frames';
  const child = fork(childFile, [CHILD_MODE[variant]], {
    stdio: pipe ? ['ignore', 'inherit', 'inherit', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: variant === 'send advanced' ? 'advanced' : 'json',
  });
  let waiting: (() => void) | undefined;
  if (pipe) {
    const stream = child.stdio[3] as Readable & Writable;
    let buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
        const length = buffer.readUInt32BE(0);
        JSON.parse(buffer.subarray(4, 4 + length).toString());
        buffer = buffer.subarray(4 + length);
        waiting?.();
      }
    });
    return {
      child,
      roundTrip: () => new Promise<void>((resolve) => {
        waiting = resolve;
        const body = Buffer.from(JSON.stringify(MESSAGE));
        const frame = Buffer.allocUnsafe(4 + body.length);
        frame.writeUInt32BE(body.length, 0);
        body.copy(frame, 4);
        stream.write(frame);
      }),
    };
  }
  child.on('message', (message: { type: string }) => {
    if (message.type === 'result' || message.type === 'batch') waiting?.();
  });
  return { child, roundTrip: () => new Promise<void>((resolve) => { waiting = resolve; child.send(MESSAGE); }) };
}

async function measure(variant: Variant): Promise<{ rate: number; cpuUs: number }> {
  const { child, roundTrip } = start(variant);
  for (let i = 0; i < 2000; i += 1) await roundTrip(); // warm-up
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < SECONDS * 1000) {
    await roundTrip();
    n += 1;
  }
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - started) / 1000;
  child.kill();
  return { rate: n / elapsed, cpuUs: (cpu.user + cpu.system) / n };
}

const variants = (process.env.BENCH_VARIANTS?.split(',') ?? Object.keys(CHILD_MODE)) as Variant[];
const results = new Map<Variant, Array<{ rate: number; cpuUs: number }>>(variants.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const variant of variants) results.get(variant)!.push(await measure(variant));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [variant, runs] of results) {
  console.log(`${variant.padEnd(22)} ${median(runs.map((r) => r.rate)).toFixed(0).padStart(6)} round trips/s   parent CPU ${median(runs.map((r) => r.cpuUs)).toFixed(1).padStart(5)} µs per round trip (median of ${ROUNDS})`);
}
