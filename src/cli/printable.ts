/**
 * C0 controls, DEL and C1 controls (CSI is U+009B): what a terminal acts on instead of showing; and
 * the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make
 * the text that follows read in another order than it is.
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_TAB_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON's escape (`\r`, `\u001b`), or `\uXXXX` for what JSON leaves as it is (the bidi controls). */
const escaped = (c: string): string => {
  const json = JSON.stringify(c).slice(1, -1);
  return json === c ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : json;
};

/**
 * Text from handlers and events (log lines, error messages) as the CLI prints it for a person:
 * control characters as JSON escapes (`\u001b[2J`, `\r`), so a logged payload cannot clear the
 * screen, move the cursor or retitle the terminal. `oneLine` escapes tabs and newlines too (a table
 * cell). `--json` output is JSON and needs none of this.
 */
export function printable(text: string, oneLine = false): string {
  return text.replace(oneLine ? CONTROLS : CONTROLS_BUT_TAB_NEWLINE, escaped);
}
