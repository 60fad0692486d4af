import { HubError } from '../errors.js';

/** Lambda's page size when a List call names no MaxItems ("returns up to 50 … per call"). */
const DEFAULT_PAGE = 50;
const MAX_ITEMS = 10_000;

/** The `Marker` and `MaxItems` query parameters of Lambda's List operations. */
export interface PageQuery { Marker?: string; MaxItems?: string }

/**
 * One page of `items` as Lambda's List operations return them: at most MaxItems (1-10000, Lambda's
 * range; 50 when absent) from where `Marker` points, and a `NextMarker` (opaque to the caller: the
 * offset of the next item) while more remain. A MaxItems out of range is Lambda's 400
 * ValidationException; a Marker this hub did not hand out, its 400 InvalidParameterValueException.
 */
export function page<T>(items: readonly T[], query: PageQuery): { page: T[]; NextMarker?: string } {
  const max = query.MaxItems === undefined ? DEFAULT_PAGE : Number(query.MaxItems);
  if (!Number.isInteger(max) || max < 1 || max > MAX_ITEMS) {
    throw new HubError('TH_ERR_REQUEST_VALIDATION', `1 validation error detected: Value '${query.MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS}`);
  }
  const start = query.Marker === undefined || query.Marker === '' ? 0 : decodeMarker(query.Marker);
  const end = start + max;
  return { page: items.slice(start, end), ...(end < items.length ? { NextMarker: encodeMarker(end) } : {}) };
}

const MARKER = /^o(\d{1,9})$/;

function encodeMarker(offset: number): string {
  return Buffer.from(`o${offset}`).toString('base64url');
}

function decodeMarker(marker: string): number {
  const match = MARKER.exec(Buffer.from(marker, 'base64url').toString('latin1'));
  if (!match) throw new HubError('TH_ERR_REQUEST_INVALID_PARAMETER', `Invalid pagination marker: ${marker.slice(0, 100)}`);
  return Number(match[1]);
}
