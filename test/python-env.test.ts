import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

/** The Python bootstrap's per-invocation variables, in a python3 process of its own. */
async function python(body: string): Promise<Record<string, unknown>> {
  const script = `
import json, os, subprocess, sys
sys.argv = ['bootstrap.py', '/tmp', 'nomodule', 'nofunction']
sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, 'src/runtime/python'))})
import bootstrap
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
def child(name):
    return subprocess.run(['sh', '-c', 'printf %s "\${' + name + '-unset}"'], capture_output=True, text=True).stdout
out = {}
${body}
print(json.dumps(out))
`;
  const { stdout } = await promisify(execFile)('python3', ['-c', script], { env: { PATH: process.env.PATH ?? '' } });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const growth = (set: string) => `
before = rss()
for i in range(200000):
    ${set}('Root=1-6789abcd-%024x;Parent=0123456789abcdef;Sampled=1' % i)
out['mb'] = rss() - before
`;

describe('Python environments: _X_AMZN_TRACE_ID and TRACEPARENT', () => {
  it('are seen by os.environ, os.getenv and subprocesses, and removed when an invocation has none', async () => {
    const out = await python(`
bootstrap._set_env('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1')
out['set'] = [os.environ.get('_X_AMZN_TRACE_ID'), os.getenv('_X_AMZN_TRACE_ID'), child('_X_AMZN_TRACE_ID')]
bootstrap._set_env('_X_AMZN_TRACE_ID', 'Root=1-5759e988-00000000000000000000000a;Sampled=0')
out['replaced'] = [os.environ.get('_X_AMZN_TRACE_ID'), child('_X_AMZN_TRACE_ID')]
bootstrap._set_env('_X_AMZN_TRACE_ID', None)
out['removed'] = ['_X_AMZN_TRACE_ID' in os.environ, child('_X_AMZN_TRACE_ID')]
`);
    const first = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
    const second = 'Root=1-5759e988-00000000000000000000000a;Sampled=0';
    expect(out).toEqual({ set: [first, first, first], replaced: [second, second], removed: [false, 'unset'] });
  });

  it('do not grow the process with every new value, as os.environ (setenv) does', async () => {
    const leaking = await python(growth("(lambda v: os.environ.__setitem__('_X_AMZN_TRACE_ID', v))"));
    expect(leaking.mb).toBeGreaterThan(15);
    const kept = await python(growth("(lambda v: bootstrap._set_env('_X_AMZN_TRACE_ID', v))"));
    expect(kept.mb).toBeLessThan(8);
  }, 60_000);
});
