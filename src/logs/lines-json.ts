import { truncateBytes } from '../utf8.js';
import { LOG_LINE_TYPES, type LogLine } from './sink.js';

/**
 * Bytes of one stream entry's `lines` at most. Redis trims a log stream by entries
 * (`logs.maxEntriesPerFunction`), so this is what bounds its memory: a function logging 8 MB per
 * invocation would otherwise keep up to 2 MB (8 lines of 256 KB) in every entry.
 */
export const MAX_ENTRY_BYTES = 16 * 1024;
/** Room a cut entry keeps for the note saying what was cut. */
const NOTE_BYTES = 256;
/** A line cut to less than this is left out instead. */
const MIN_CUT_BYTES = 64;

/** Line types and levels as JSON strings, written as they are; anything else goes through JSON.stringify. */
const QUOTED = new Map([...LOG_LINE_TYPES, 'INFO', 'WARN', 'ERROR', 'DEBUG', 'TRACE', 'FATAL'].map((token) => [token, JSON.stringify(token)]));
const quoted = (token: string) => QUOTED.get(token) ?? JSON.stringify(token);
/** `[type,level,ts,` of a line: only the text needs escaping. */
const head = ([type, level, ts]: LogLine) => `[${quoted(type)},${quoted(level)},${Number.isFinite(ts) ? ts : 'null'},`;

/**
 * JSON.stringify(lines), built from the parts: the type and level tokens are known strings and
 * the timestamp an integer, so only the text needs escaping (about 0.55 instead of 0.95 us for
 * an invocation's START, END and REPORT). Past `maxBytes` (UTF-8) the lines are cut (see cutLines).
 */
export function linesJson(lines: LogLine[], maxBytes = MAX_ENTRY_BYTES): string {
  let json = '[';
  for (let i = 0; i < lines.length; i += 1) json += `${i ? ',' : ''}${head(lines[i])}${JSON.stringify(lines[i][3])}]`;
  json += ']';
  // A UTF-16 unit is at most 3 bytes of UTF-8: most entries need no counting.
  if (json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes) return json;
  return cutLines(lines, maxBytes);
}

/**
 * The lines within `maxBytes`: whole while they fit; a line that does not is cut (keeping room for
 * the lines after it, up to half of what is left) or, with less than MIN_CUT_BYTES left, left out;
 * then a WARN line of the first cut line's type says how many bytes of how many lines were cut.
 */
function cutLines(lines: LogLine[], maxBytes: number): string {
  const parts: string[] = [];
  let left = maxBytes - NOTE_BYTES - 2; // the brackets
  let cutBytes = 0;
  let firstCut: LogLine | undefined;
  let cutCount = 0;
  const sizes = lines.map((line) => Buffer.byteLength(head(line)) + Buffer.byteLength(JSON.stringify(line[3])) + 2);
  let after = sizes.reduce((sum, size) => sum + size, 0);
  for (const [i, line] of lines.entries()) {
    after -= sizes[i];
    if (sizes[i] <= left) {
      parts.push(`${head(line)}${JSON.stringify(line[3])}]`);
      left -= sizes[i];
      continue;
    }
    firstCut ??= line;
    cutCount += 1;
    const room = left - Math.min(after, left / 2) - Buffer.byteLength(head(line)) - 4; // quotes, bracket, comma
    const kept = room >= MIN_CUT_BYTES ? encodedPrefix(line[3], Math.floor(room)) : undefined;
    cutBytes += Buffer.byteLength(line[3]) - (kept === undefined ? 0 : Buffer.byteLength(kept));
    if (kept === undefined) continue;
    const part = `${head(line)}${JSON.stringify(kept)}]`;
    parts.push(part);
    left -= Buffer.byteLength(part) + 1;
  }
  const note = `[triggerhub] ${cutBytes} bytes of ${cutCount} line(s) cut here: a log stream entry keeps at most ${maxBytes} bytes (the hub's stdout has the lines whole)`;
  parts.push(`${head([firstCut![0], 'WARN', firstCut![2], note])}${JSON.stringify(note)}]`);
  return `[${parts.join(',')}]`;
}

/** A prefix of `text` (whole characters) whose JSON string, without quotes, is at most `bytes` bytes. */
function encodedPrefix(text: string, bytes: number): string {
  let kept = truncateBytes(text, bytes);
  for (;;) {
    const encoded = Buffer.byteLength(JSON.stringify(kept)) - 2;
    if (encoded <= bytes) return kept;
    // Escapes make the JSON longer than the text: shrink in proportion (always by at least a byte).
    const raw = Buffer.byteLength(kept);
    kept = truncateBytes(kept, Math.min(raw - 1, Math.floor((raw * bytes) / encoded)));
  }
}
