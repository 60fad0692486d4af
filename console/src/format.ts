/** Small formatters shared by the pages. */

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (value < 1000) return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

export function usd(amount: number): string {
  return amount === 0 ? '$0' : `$${amount.toFixed(amount < 0.01 ? 8 : 2)}`;
}

/** 4s ago, 3m ago, 2h ago; "in 12s" for future times. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const delta = now - Date.parse(iso);
  const abs = Math.abs(delta);
  const text = abs < 1000 ? 'now' : abs < 60_000 ? `${Math.round(abs / 1000)}s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)}m` : `${Math.round(abs / 3_600_000)}h`;
  if (text === 'now') return text;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

export function time(iso: string | number): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(11, 19)}`;
}

export function short(text: string, max = 48): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * JSON as the page shows it, bidi controls as their `\u202e` escapes: JSON holds them only inside
 * strings, where the escape is the same character, so the text still parses to the same value (the
 * payload editor starts from it).
 */
export function pretty(value: unknown): string {
  return shown(JSON.stringify(value, null, 2) ?? 'null');
}

/** A field shown as text whatever it holds (records written by custom runtimes or older hubs). */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return shown(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));
}

/** Bidirectional embeddings, overrides and isolates: text after them reads in another order than it is. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Text from handlers and events as the page shows it: bidi controls as `\u202e` escapes. */
export function shown(value: string): string {
  return value.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** A stack as lines: an array of lines, or one string holding them. */
export function lines(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text);
  return typeof value === 'string' && value !== '' ? value.split('\n').map(shown) : [];
}
