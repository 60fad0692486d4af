import { parseDlqFilter, type DlqFilter, type DlqFilterInput } from '../dlq/filter.js';
import type { DlqRecord, DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';

/** Rows the dead-letter page shows at most (the newest first); `total` still counts every match. */
const DEFAULT_ROWS = 500;
const MAX_ROWS = 1000;
/** The last error as the list shows it (the record page has all of it). */
const ERROR_CHARS = 200;

/** One dead-letter record as the list shows it: no envelope, no stacks (a payload may be 1 MB). */
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

export interface DlqListPage {
  records: DlqRow[];
  /** How many records match the filter: what "redrive / purge every match" acts on. */
  total: number;
  /**
   * The filter as applied, `since` and `until` as the instants they meant then (ISO): what the page
   * sends to redrive or purge every match, so that `since: 15m` still means the records it listed
   * however long after the list the action comes.
   */
  filter: Record<string, string>;
}

/** A field shown as text whatever it holds (records written by custom runtimes or older hubs). */
const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

function rowOf(record: DlqRecord): DlqRow {
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

/**
 * `GET /console/api/dlq`: the newest `limit` matches of the CLI's filters as light rows, and how
 * many match in all (the admin list sends whole records and no total: a page of 500 records with
 * large payloads would be hundreds of MB, and "all matching" would name the rows shown, not the
 * records a bulk redrive or purge acts on).
 */
export async function readDlqList(dlq: DlqStore, query: DlqFilterInput): Promise<DlqListPage> {
  const { limit = DEFAULT_ROWS, ...filter } = parseDlqFilter(query);
  if (limit > MAX_ROWS) throw new HubError('TH_ERR_CONSOLE_REQUEST_INVALID', `limit: must be a whole number from 1 to ${MAX_ROWS}`);
  const records: DlqRow[] = [];
  let total = 0;
  for await (const record of dlq.scan(filter)) {
    if (records.length < limit) records.push(rowOf(record));
    total += 1;
  }
  return { records, total, filter: appliedFilter(filter) };
}

function appliedFilter(filter: Omit<DlqFilter, 'limit'>): Record<string, string> {
  // A duration reaching back before 1970 is the start of 1970: no record is older.
  const instant = (ms: number | undefined) => (ms === undefined ? undefined : new Date(Math.max(0, ms)).toISOString());
  const applied = { ...filter, since: instant(filter.since), until: instant(filter.until) };
  return Object.fromEntries(Object.entries(applied).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
