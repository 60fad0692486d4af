import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { backoffDelay } from '../sources/kit/backoff.js';
import { appendFileDurably, removeStaleTemps, writeFileDurably } from './durable-file.js';

/**
 * The local cloud's bucket notifications on their way to a target (a function's webhook route, a
 * queue, a topic): at least once, in order per target. Each notification is appended to a journal
 * file, and synced to the disk, before the S3 PUT that made it is answered (s3rver emits its event
 * synchronously inside the request), so neither a stop, a crash nor a power loss loses it; on start
 * the journal is read again. One lane per
 * target, so a target that is down holds up only its own notifications: they are retried with
 * backoff (100 ms doubling to 5 s) for up to MAX_AGE_MS, then dropped, logged and counted.
 */
export interface OutboxItem {
  /** `<kind> <address>`: `webhook /s3/...`, `sqs arn:...`, `sns arn:...`. */
  target: string;
  body: string;
  /** When it was made (ms). */
  at: number;
}

/** `done`: delivered. `refused`: the target will never take it (dropped). A throw or `retry`: try again. */
export type Send = (item: OutboxItem) => Promise<'done' | 'retry' | 'refused'>;
export type Outcome = 'delivered' | 'retried' | 'failed';

export const MAX_AGE_MS = 60 * 60 * 1000;
const BACKOFF = { baseMs: 100, capMs: 5000 };
/** Deliveries between journal rewrites (so a restart repeats few delivered notifications). */
const COMPACT_EVERY = 200;

export const targetKind = (target: string) => target.slice(0, target.indexOf(' '));

export class NotificationOutbox {
  readonly #lanes = new Map<string, OutboxItem[]>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  #send?: Send;
  #sinceCompaction = 0;
  #stopping?: Promise<void>;

  constructor(private readonly file: string, private readonly log: Logger, private readonly onOutcome: (kind: string, outcome: Outcome) => void = () => {}) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Notifications a previous run left undelivered (those whose target `keep` rejects are dropped). */
  restore(keep: (target: string) => boolean): void {
    removeStaleTemps(this.file);
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    let dropped = 0;
    for (const line of text.split('\n')) {
      const item = parseItem(line);
      if (item && keep(item.target)) this.#lane(item.target).push(item);
      else if (line.trim()) dropped += 1;
    }
    const kept = [...this.#lanes.values()].reduce((n, lane) => n + lane.length, 0);
    if (kept) this.log.info({ event: 'cloud_notifications_restored', count: kept }, `${kept} bucket notifications from the last run to deliver`);
    if (dropped) this.log.warn({ event: 'cloud_notifications_orphaned', count: dropped }, `${dropped} bucket notifications from the last run have no target now; dropped`);
    this.#compact();
  }

  /** Journals the items (synchronously: they are on the disk when this returns), then delivers them. */
  add(items: readonly OutboxItem[]): void {
    if (!items.length) return;
    appendFileDurably(this.file, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
    for (const item of items) this.#lane(item.target).push(item);
    this.#drainAll();
  }

  /** Starts delivering with `send`. */
  start(send: Send): void {
    this.#send = send;
    this.#drainAll();
  }

  /** Drops what waits for targets `keep` rejects (removed by a reload). */
  retain(keep: (target: string) => boolean): void {
    for (const [target, lane] of this.#lanes) {
      if (keep(target) || !lane.length) continue;
      this.log.warn({ event: 'cloud_notifications_orphaned', target, count: lane.length }, `${lane.length} bucket notifications for ${target}, which the project no longer has; dropped`);
      lane.length = 0;
    }
    this.#compact();
  }

  /** Stops delivering; what is left stays in the journal for the next start. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#abort.abort();
      await Promise.all(this.#running.values());
      this.#compact();
      const left = [...this.#lanes.values()].reduce((n, lane) => n + lane.length, 0);
      if (left) this.log.info({ event: 'cloud_notifications_kept', count: left }, `${left} bucket notifications kept for the next start`);
    })();
    return this.#stopping;
  }

  #lane(target: string): OutboxItem[] {
    let lane = this.#lanes.get(target);
    if (!lane) this.#lanes.set(target, (lane = []));
    return lane;
  }

  #drainAll(): void {
    for (const target of this.#lanes.keys()) this.#drain(target);
  }

  #drain(target: string): void {
    const send = this.#send;
    if (!send || this.#running.has(target) || this.#abort.signal.aborted) return;
    const lane = this.#lane(target);
    const run = (async () => {
      for (let failures = 0; lane.length && !this.#abort.signal.aborted;) {
        const item = lane[0];
        const outcome = await send(item).catch((err: Error) => err);
        if (outcome === 'done' || outcome === 'refused') {
          lane.shift();
          if (outcome === 'done') this.onOutcome(targetKind(target), 'delivered');
          else {
            this.onOutcome(targetKind(target), 'failed');
            this.log.error({ event: 'cloud_notification_refused', target }, `${target} refused a bucket notification; dropped`);
          }
          if (failures) this.log.info({ event: 'cloud_notification_recovered', target, failures }, `${target} takes bucket notifications again (after ${failures} failed tries)`);
          failures = 0;
          if (++this.#sinceCompaction >= COMPACT_EVERY) this.#compact();
          continue;
        }
        failures += 1;
        const error = outcome instanceof Error ? outcome.message : 'not taken';
        if (Date.now() - item.at > MAX_AGE_MS) {
          lane.shift();
          this.onOutcome(targetKind(target), 'failed');
          this.log.error({ event: 'cloud_notification_failed', target, error }, `a bucket notification for ${target} was not taken within ${MAX_AGE_MS / 60_000} min; dropped: ${error}`);
          continue;
        }
        this.onOutcome(targetKind(target), 'retried');
        // Once per outage, not once per try.
        if (failures === 1) this.log.warn({ event: 'cloud_notification_retrying', target, error }, `${target} did not take a bucket notification (${error}); retrying`);
        await delay(backoffDelay(failures, BACKOFF.baseMs, BACKOFF.capMs), undefined, { signal: this.#abort.signal }).catch(() => undefined);
      }
    })().finally(() => {
      this.#running.delete(target);
      if (!lane.length) this.#compactWhenIdle();
      else this.#drain(target);
    });
    this.#running.set(target, run);
  }

  #compactWhenIdle(): void {
    if ([...this.#lanes.values()].every((lane) => !lane.length)) this.#compact();
  }

  /** Rewrites the journal with what is still to deliver (atomically and durably: never a half file). */
  #compact(): void {
    this.#sinceCompaction = 0;
    writeFileDurably(this.file, [...this.#lanes.values()].flat().map((item) => `${JSON.stringify(item)}\n`).join(''));
  }
}

function parseItem(line: string): OutboxItem | undefined {
  try {
    const item = JSON.parse(line) as Partial<OutboxItem>;
    return typeof item.target === 'string' && item.target.includes(' ') && typeof item.body === 'string' && typeof item.at === 'number'
      ? { target: item.target, body: item.body, at: item.at } : undefined;
  } catch {
    return undefined;
  }
}
