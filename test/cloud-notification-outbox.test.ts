import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { CLOUD_CREDENTIALS } from '../src/cloud/credentials.js';
import { NotificationOutbox, type OutboxItem } from '../src/cloud/notification-outbox.js';
import { silentLogger } from '../src/log.js';
import { REPO_ROOT, tempDir, waitFor } from './helpers/hub.js';

const item = (target: string, body: string): OutboxItem => ({ target, body, at: Date.now() });
const items = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as OutboxItem);
const journal = (file: string) => items(file).map((i) => i.body);

/** The local cloud's bucket-notification outbox: journal, lanes, restore. */
describe('NotificationOutbox', () => {
  it('journals before delivering, keeps per-target order, holds a failing target without holding others, and keeps what is left for the next start', async () => {
    const file = path.join(tempDir('th-outbox-'), 'cloud', 'outbox.jsonl');
    const outcomes: string[] = [];
    const outbox = new NotificationOutbox(file, silentLogger(), (kind, outcome) => outcomes.push(`${kind} ${outcome}`));
    outbox.add([item('sqs down', 'd1'), item('sqs up', 'u1'), item('sqs up', 'u2'), item('sqs down', 'd2')]);
    expect(journal(file)).toEqual(['d1', 'u1', 'u2', 'd2']);
    const delivered: string[] = [];
    outbox.start(async ({ target, body }) => {
      if (target === 'sqs down') throw new Error('QueueDoesNotExist');
      delivered.push(body);
      return 'done';
    });
    await waitFor(() => delivered.length === 2 && outcomes.includes('sqs retried'), 5000, 'the up lane to drain');
    expect(delivered).toEqual(['u1', 'u2']);
    await outbox.stop();
    await outbox.stop();
    expect(journal(file)).toEqual(['d1', 'd2']);

    // The next start: a journal line that is not an item and one whose target is gone are dropped.
    writeFileSync(file, `${readFileSync(file, 'utf8')}not json\n${JSON.stringify(item('sqs gone', 'g1'))}\n`);
    const next = new NotificationOutbox(file, silentLogger());
    next.restore((target) => target !== 'sqs gone');
    const later: string[] = [];
    next.start(async ({ body }) => {
      later.push(body);
      return 'done';
    });
    await waitFor(() => later.length === 2, 5000, 'the restored notifications');
    expect(later).toEqual(['d1', 'd2']);
    await next.stop();
    expect(journal(file)).toEqual([]);
  });
});

describe('the notification journal after a kill -9', () => {
  it('holds every notification whose PUT was answered, with compactions between the appends', async () => {
    const dir = tempDir('th-outbox-kill-');
    const file = path.join(dir, 'cloud', 's3-notifications.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/cloud/notification-journal.ts'), file, path.join(dir, 's3')], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string];
    const s3 = new S3Client({ endpoint: (JSON.parse(line) as { endpoint: string }).endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CLOUD_CREDENTIALS, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: 'journal' }));

    // Eight writers PUT until 300 PUTs were answered; then the kill lands while the others' PUTs are in flight.
    const answered: string[] = [];
    const writer = async (w: number) => {
      for (let i = 0; child.signalCode === null && !child.killed; i++) {
        const key = `w${w}/${i}`;
        try {
          await s3.send(new PutObjectCommand({ Bucket: 'journal', Key: key, Body: key }));
        } catch {
          return;
        }
        answered.push(key);
        if (answered.length >= 300 && !child.killed) child.kill('SIGKILL');
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(writer));
    await exited;
    s3.destroy();

    const held = new Set(items(file).filter((i) => i.target === 'webhook /held').map((i) => i.body));
    expect(answered.filter((key) => !held.has(key))).toEqual([]);
    // The delivered lane was compacted away meanwhile (200 deliveries per compaction).
    expect(items(file).filter((i) => i.target === 'webhook /taken').length).toBeLessThan(answered.length - 150);

    // The next start restores them all.
    const next = new NotificationOutbox(file, silentLogger());
    next.restore(() => true);
    const restored: string[] = [];
    next.start(async ({ target, body }) => {
      if (target === 'webhook /held') restored.push(body);
      return 'done';
    });
    await waitFor(() => restored.length === held.size, 10_000, 'the restored notifications');
    await next.stop();
    expect(new Set(restored)).toEqual(held);
    expect(journal(file)).toEqual([]);
  }, 60_000);
});
