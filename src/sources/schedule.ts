import { randomUUID } from 'node:crypto';
import type { FunctionConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import { newDelivery } from '../router/envelope.js';
import { MAX_WAIT_MS, systemClock, type ScheduleClock } from './schedule/clock.js';
import { buildTickEnvelope } from './schedule/event.js';
import { parseExpression, ticksBetween, type TickSchedule } from './schedule/expression.js';
import { scheduleSettingsSchema, type ScheduleSettings } from './schedule/settings.js';
import { CLAIM_LEASE_MS, CLAIM_TTL_MS, TickStore } from './schedule/tick-store.js';
import { backoffDelay } from './kit/backoff.js';
import { defineSourceKind, type Source, type SourceContext } from './source.js';

/** `catchUp: all` fires at most this many missed ticks (the most recent ones). */
export const MAX_CATCH_UP_TICKS = 100;
/** A lapsed lease is looked at up to this much later (spreads the hubs that all lost the tick). */
const LAPSE_JITTER_MS = 1000;

/**
 * `events: - schedule: { expression, ... }`: fires the function asynchronously on every tick, as
 * an EventBridge rule does. Every hub runs the timer; a Redis claim per tick lets exactly one of
 * them queue the event. Ticks missed while no hub ran follow the `catchUp` policy.
 */
export class ScheduleSource implements Source {
  readonly id: string;
  private readonly schedule: TickSchedule;
  private context?: SourceContext;
  private store?: TickStore;
  private log?: Logger;
  private timer?: unknown;
  /** A tick whose event could not be queued waits here for its next try (stop() cuts it short). */
  private retry?: { timer: unknown; wake: () => void };
  private running: Promise<void> = Promise.resolve();
  /** Ticks another hub claimed and has not queued yet, each with the timer that looks again when its lease ends. */
  private readonly watched = new Map<number, unknown>();
  /** Ticks being fired after another hub's lease lapsed (stop() waits for them). */
  private readonly adopting = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly fn: FunctionConfig,
    private readonly settings: ScheduleSettings,
    private readonly index: number,
    private readonly clock: ScheduleClock = systemClock,
    private readonly leaseMs = CLAIM_LEASE_MS,
  ) {
    this.id = `schedule:${fn.name}:${index}`;
    this.schedule = parseExpression(settings.expression, settings.timezone);
  }

  async start(context: SourceContext): Promise<void> {
    this.context = context;
    this.log = context.logger.child({ source: this.id });
    if (!this.settings.enabled) {
      this.log.info({ event: 'schedule_disabled' }, `schedule ${this.settings.expression} is disabled`);
      return;
    }
    this.store = new TickStore(context.redis, context.config.queuePrefix, this.fn.name, this.index, randomUUID(), this.leaseMs);
    await this.catchUpFromStore().catch((err: unknown) => {
      this.log!.error({ event: 'schedule_catch_up_failed', err }, 'could not catch up missed ticks; they stay missed until the next start');
    });
    this.log.info({ event: 'schedule_started', expression: this.settings.expression, timezone: this.settings.timezone }, `schedule ${this.settings.expression} (${this.settings.timezone})`);
    this.arm();
  }

  /** Clears the timer and waits for a tick being fired (one waiting to be queued again is given back). Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.retry) {
      this.clock.clearTimeout(this.retry.timer);
      this.retry.wake();
    }
    for (const timer of this.watched.values()) this.clock.clearTimeout(timer);
    this.watched.clear();
    await Promise.all([this.running, ...this.adopting]);
  }

  /** Ticks after the stored last one and up to now were missed while no hub ran. */
  private async catchUpFromStore(): Promise<void> {
    const now = this.clock.now();
    const last = await this.store!.last();
    if (last === null) {
      // First run ever: nothing was missed; remember where this schedule began.
      await this.store!.markDone(this.schedule.atOrBefore(now) ?? now);
      return;
    }
    await this.catchUp(last, now);
  }

  /**
   * Applies the catch-up policy to the ticks in (after, now]. Whatever the policy, a tick in there
   * that a hub claimed and has not queued (it was killed, or it is still retrying) is not missed:
   * it is watched, and fired here if that hub's lease lapses.
   */
  private async catchUp(after: number, now: number): Promise<void> {
    const recent = ticksBetween(this.schedule, after, now, MAX_CATCH_UP_TICKS).ticks;
    for (const [tick, leftMs] of await this.store!.inFlight(recent)) this.watch(tick, leftMs);
    const limit = this.settings.catchUp === 'all' ? MAX_CATCH_UP_TICKS : 1;
    const { ticks, dropped } = ticksBetween(this.schedule, after, now, limit);
    if (ticks.length === 0) return;
    const toFire = this.settings.catchUp === 'none' ? [] : ticks;
    this.log!.info({ event: 'schedule_missed_ticks', policy: this.settings.catchUp, firing: toFire.length, more: dropped }, `missed ticks since ${new Date(after).toISOString()}; catchUp ${this.settings.catchUp}`);
    for (const tick of toFire) await this.fire(tick);
    await this.store!.markDone(ticks[ticks.length - 1]);
  }

  /** Waits for the next tick after now (in steps of at most MAX_WAIT_MS; each step re-reads the clock). */
  private arm(): void {
    if (this.stopped) return;
    const tick = this.schedule.nextAfter(this.clock.now());
    if (tick === null) {
      this.log!.info({ event: 'schedule_finished' }, `schedule ${this.settings.expression} has no more ticks`);
      return;
    }
    this.context?.report?.(this.id, { nextEventAt: tick });
    this.wait(tick);
  }

  private wait(tick: number): void {
    const delay = Math.min(Math.max(tick - this.clock.now(), 0), MAX_WAIT_MS);
    this.timer = this.clock.setTimeout(() => this.wake(tick), delay);
  }

  private wake(tick: number): void {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.clock.now() < tick) return this.wait(tick);
    this.running = this.onTick(tick).finally(() => this.arm());
  }

  /** Fires the tick; ticks the process slept through (a stalled event loop) follow catchUp. */
  private async onTick(tick: number): Promise<void> {
    try {
      await this.fire(tick);
      await this.catchUp(tick, this.clock.now());
      this.context?.report?.(this.id, { state: 'running' });
    } catch (err) {
      this.log!.error({ event: 'schedule_tick_failed', tick: new Date(tick).toISOString(), err }, 'schedule tick failed');
      this.context?.report?.(this.id, { state: 'failing', lastError: (err as Error).message });
    }
  }

  /**
   * Claims the tick; the winner queues the event. An event that cannot be queued (Redis down or
   * slow) is tried again after 1 s, 2 s, 4 s … 30 s, as EventBridge retries delivering to its
   * target, for up to 24 h, the claim's lease renewed before each try; a tick still not queued
   * then, or when the hub stops, is given back (a restart's catch-up may fire it). A tick another
   * hub holds a lease on is watched (see watch).
   */
  private async fire(tick: number): Promise<void> {
    const { config } = this.context!;
    const claim = await this.store!.claim(tick);
    if (claim !== true) {
      if (claim.inFlight) this.watch(tick, claim.leftMs);
      return;
    }
    const envelope = buildTickEnvelope(config, { fn: this.fn.name, index: this.index }, tick, this.settings.input);
    for (let failures = 1; ; failures += 1) {
      try {
        await this.context!.enqueue(envelope, newDelivery(this.fn.name, 'Event'));
        break;
      } catch (err) {
        const retryInMs = backoffDelay(failures);
        if (this.stopped || this.clock.now() + retryInMs >= tick + CLAIM_TTL_MS) {
          await this.store!.unclaim(tick).catch(() => undefined);
          throw err;
        }
        // The lease outlasts the wait; a tick taken over meanwhile (this hub's lease lapsed while
        // Redis was unreachable, and another hub claimed it) is that hub's now.
        if (!(await this.store!.renew(tick, retryInMs + this.leaseMs).catch(() => true))) return;
        this.log!.warn({ event: 'schedule_tick_retry', tick: envelope.time, attempt: failures, retryInMs, message: (err as Error).message },
          `could not queue the tick's event; retrying in ${retryInMs} ms`);
        this.context?.report?.(this.id, { state: 'failing', lastError: (err as Error).message });
        await new Promise<void>((wake) => { this.retry = { timer: this.clock.setTimeout(wake, retryInMs), wake }; });
        this.retry = undefined;
      }
    }
    await this.store!.queued(tick);
    await this.store!.markDone(tick);
    this.log!.debug({ event: 'schedule_tick_queued', tick: envelope.time, id: envelope.id }, 'schedule tick queued');
  }

  /**
   * Another hub claimed the tick and has not queued it: looks again when its lease ends. If that
   * hub died before queueing (kill -9 between claim and queue), the lease lapses and this hub
   * claims the tick and fires it; if it queued it, nothing more happens.
   */
  private watch(tick: number, leftMs: number): void {
    if (this.stopped || this.watched.has(tick)) return;
    const timer = this.clock.setTimeout(() => {
      this.watched.delete(tick);
      if (this.stopped) return;
      const adopting: Promise<void> = this.fire(tick)
        .catch((err: unknown) => {
          this.log!.warn({ event: 'schedule_lease_check_failed', tick: new Date(tick).toISOString(), err }, 'could not look at another hub\'s claim of a tick; looking again');
          this.watch(tick, this.leaseMs);
        })
        .finally(() => this.adopting.delete(adopting));
      this.adopting.add(adopting);
    }, leftMs + Math.floor(Math.random() * LAPSE_JITTER_MS));
    this.watched.set(tick, timer);
  }
}

export const scheduleKind = defineSourceKind({
  name: 'schedule',
  settings: scheduleSettingsSchema,
  create: (fn, settings, index) => new ScheduleSource(fn, settings, index),
});
