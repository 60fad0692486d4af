import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotificationOutbox, type OutboxItem } from '../src/cloud/notification-outbox.js';
import { silentLogger } from '../src/log.js';
import { tempDir, waitFor } from './helpers/hub.js';

const item = (target: string, body: string): OutboxItem => ({ target, body, at: Date.now() });
const journal = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as OutboxItem).body);

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
