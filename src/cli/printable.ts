/** C0 controls, DEL and C1 controls (CSI is U+009B): what a terminal acts on instead of showing. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_TAB_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const escaped = (c: string): string => JSON.stringify(c).slice(1, -1);

/**
 * Text from handlers and events (log lines, error messages) as the CLI prints it for a person:
 * control characters as JSON escapes (`\u001b[2J`, `\r`), so a logged payload cannot clear the
 * screen, move the cursor or retitle the terminal. `oneLine` escapes tabs and newlines too (a table
 * cell). `--json` output is JSON and needs none of this.
 */
export function printable(text: string, oneLine = false): string {
  return text.replace(oneLine ? CONTROLS : CONTROLS_BUT_TAB_NEWLINE, escaped);
}
