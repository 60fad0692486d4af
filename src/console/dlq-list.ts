import { parseDlqFilter, type DlqFilter, type DlqFilterInput } from '../dlq/filter.js';
import type { DlqRow } from '../dlq/rows.js';
import type { DlqStore } from '../dlq/store.js';
import { HubError } from '../errors.js';

export type { DlqRow } from '../dlq/rows.js';

/** Rows the dead-letter page shows at most (the newest first); `total` still counts every match. */
const DEFAULT_ROWS = 500;
const MAX_ROWS = 1000;

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
  for await (const row of dlq.scanRows(filter)) {
    if (records.length < limit) records.push(row);
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
