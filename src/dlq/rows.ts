import type { DlqRecord } from './store.js';

/** The last error as a row shows it (the record has all of it). */
const ERROR_CHARS = 200;

/**
 * One dead-letter record as a list shows it: what the filters match and what a row says, without
 * the envelope, its payload (up to 1 MB) or the stacks. Kept beside each record (`dlq:rows`).
 */
export interface DlqRow {
  id: string;
  function: string;
  source: string;
  reason: string;
  failedAt: string;
  attempts: number;
  redrives: number;
  lastError: string | null;
}

/** A field shown as text whatever it holds (records written by custom runtimes or older hubs). */
const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

export function rowOf(record: DlqRecord): DlqRow {
  const attempts = Array.isArray(record.attempts) ? record.attempts : [];
  const last = attempts[attempts.length - 1];
  return {
    id: record.id,
    function: record.function,
    source: record.source,
    reason: record.reason,
    failedAt: record.failedAt,
    attempts: attempts.length,
    redrives: record.delivery?.redrives ?? 0,
    lastError: last ? `${shown(last.errorType)}: ${shown(last.errorMessage)}`.slice(0, ERROR_CHARS) : null,
  };
}
