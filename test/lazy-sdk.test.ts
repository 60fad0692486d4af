import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

/**
 * In a fresh process (this one's module cache holds whatever other tests loaded): the CommonJS
 * modules of the AWS SDK clients, MinIO, SigV4 signing (AWS_IAM function URLs), the event-stream codec
 * (streamed Invoke responses) and the CloudFormation YAML reader (templates) that are loaded after
 * importing the CLI and the hub, then after a source needs SQS.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).filter((file) => /node_modules\\/(@aws-sdk\\/client-[^/]+|@smithy\\/(node-http-handler|signature-v4|eventstream-codec)|minio|yaml-cfn|js-yaml)\\//.test(file)).length;
await import('./src/cli.ts');
await import('./src/hub.ts');
const atStart = loaded();
const { loadSqs } = await import('./src/aws/lazy-sdk.ts');
await loadSqs();
const sqsLoaded = Object.keys(require.cache).some((file) => file.includes('node_modules/@aws-sdk/client-sqs/'));
console.log(JSON.stringify({ atStart, afterSqs: loaded(), sqsLoaded }));
`;

describe('AWS SDK loading', () => {
  it('loads no AWS SDK, MinIO, SigV4, event-stream or template module until something of that kind needs one', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: REPO_ROOT });
    const { atStart, afterSqs, sqsLoaded } = JSON.parse(stdout) as { atStart: number; afterSqs: number; sqsLoaded: boolean };
    expect(atStart).toBe(0);
    expect(sqsLoaded).toBe(true);
    expect(afterSqs).toBeGreaterThan(0);
  });
});
