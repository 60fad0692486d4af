import { createHash } from 'node:crypto';
import type { FunctionConfig } from '../config/load.js';
import type { DlqReason } from '../dlq/store.js';
import type { LambdaErrorPayload } from '../runtime/types.js';

/**
 * Async retry policy as data: BullMQ does the retrying (`attempts`, a custom `backoff`), this
 * module only says how long to wait and when to give up. The jitter is derived from the event id
 * and retry number, so the delay BullMQ applies and the age check below agree.
 */
export const BACKOFF_TYPE = 'lambda';

export function retryDelayMs(fn: FunctionConfig, retryNumber: number, eventId: string): number {
  const base = fn.retryBackoffSeconds * 1000 * 2 ** Math.max(0, retryNumber - 1);
  return Math.round(base * (0.9 + 0.2 * jitter(eventId, retryNumber)));
}

function jitter(eventId: string, retryNumber: number): number {
  const digest = createHash('sha1').update(`${eventId}:${retryNumber}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

export function isRetryableError(fn: FunctionConfig, error: LambdaErrorPayload): boolean {
  return error.retryable !== false && !fn.nonRetryableErrors.includes(error.errorType);
}

export type NextStep = { retry: true; delayMs: number } | { retry: false; reason: DlqReason };

/** After attempt number `attempt` (1-based) failed: retry (and when) or give up (and why). */
export function nextStep(fn: FunctionConfig, input: {
  attempt: number; firstSeenAt: number; now: number; error: LambdaErrorPayload; eventId: string;
}): NextStep {
  if (!isRetryableError(fn, input.error)) return { retry: false, reason: 'NonRetryableError' };
  if (input.attempt >= 1 + fn.maximumRetryAttempts) return { retry: false, reason: 'RetriesExhausted' };
  const delayMs = retryDelayMs(fn, input.attempt, input.eventId);
  if (isTooOld(fn, input.firstSeenAt, input.now + delayMs)) return { retry: false, reason: 'EventAgeExceeded' };
  return { retry: true, delayMs };
}

export function isTooOld(fn: FunctionConfig, firstSeenAt: number, at: number): boolean {
  return at - firstSeenAt > fn.maximumEventAgeInSeconds * 1000;
}
