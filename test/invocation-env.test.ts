import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

/** A script in a process of its own (it replaces that process's `process.env`), its stdout as JSON. */
async function run(body: string, env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const script = `
import { execSync } from 'node:child_process';
import { invocationVariables } from './src/runtime/child/invocation-env.ts';
const out = {};
${body}
process.stdout.write(JSON.stringify(out));
`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT, env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** RSS growth (MB) over 200,000 invocations' worth of unique trace ids, set one way or the other. */
const growth = (set: string) => `
const rss = () => process.memoryUsage().rss / 1048576;
const before = rss();
for (let i = 0; i < 200000; i += 1) ${set}('Root=1-6789abcd-' + i.toString(16).padStart(24, '0') + ';Parent=0123456789abcdef;Sampled=1');
out.mb = rss() - before;
`;

describe('per-invocation variables (_X_AMZN_TRACE_ID, TRACEPARENT)', () => {
  it('are seen by reads, in, keys, spreads, JSON and child processes; other names still reach the real environment', async () => {
    const out = await run(`
const set = invocationVariables(['_X_AMZN_TRACE_ID', 'TRACEPARENT']);
out.initial = process.env._X_AMZN_TRACE_ID;
set('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1');
set('TRACEPARENT', '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01');
out.read = process.env._X_AMZN_TRACE_ID;
out.has = '_X_AMZN_TRACE_ID' in process.env;
out.keys = Object.keys(process.env).filter((k) => k === '_X_AMZN_TRACE_ID' || k === 'TRACEPARENT').sort();
out.spread = { ...process.env }.TRACEPARENT;
out.json = JSON.parse(JSON.stringify(process.env))._X_AMZN_TRACE_ID;
out.child = execSync('printf "%s" "$_X_AMZN_TRACE_ID"').toString();
process.env.OTHER_VARIABLE = 42;
out.other = [process.env.OTHER_VARIABLE, execSync('printf "%s" "$OTHER_VARIABLE"').toString()];
process.env.TRACEPARENT = 'set by the handler';
out.handlerSet = execSync('printf "%s" "$TRACEPARENT"').toString();
set('_X_AMZN_TRACE_ID', undefined);
delete process.env.TRACEPARENT;
out.removed = [process.env._X_AMZN_TRACE_ID ?? null, '_X_AMZN_TRACE_ID' in process.env, 'TRACEPARENT' in process.env, execSync('printf "%s" "$_X_AMZN_TRACE_ID"').toString()];
`, { _X_AMZN_TRACE_ID: 'from the start' });
    expect(out).toEqual({
      initial: 'from the start',
      read: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      has: true,
      keys: ['TRACEPARENT', '_X_AMZN_TRACE_ID'],
      spread: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
      json: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      child: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      other: ['42', '42'],
      handlerSet: 'set by the handler',
      removed: [null, false, false, ''],
    });
  });

  it('do not grow the process with every new value, as setenv(3) does', async () => {
    // The control: plain process.env assignments keep every value glibc was given (~150 bytes each).
    const leaking = await run(growth("((v) => { process.env._X_AMZN_TRACE_ID = v; })"));
    expect(leaking.mb).toBeGreaterThan(15);
    const kept = await run(`const set = invocationVariables(['_X_AMZN_TRACE_ID']);\n${growth("((v) => set('_X_AMZN_TRACE_ID', v))")}`);
    expect(kept.mb).toBeLessThan(8);
  }, 60_000);
});
