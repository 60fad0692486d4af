/** A JSON textarea that says whether its text parses (and where not), as the user types. */
export function JsonEditor({ id, label, value, onInput, rows = 12 }: { id: string; label: string; value: string; onInput: (text: string) => void; rows?: number }) {
  let problem: string | null = null;
  try {
    JSON.parse(value);
  } catch (err) {
    problem = (err as Error).message;
  }
  return (
    <div class="json-editor">
      <label for={id}>{label}</label>
      <textarea id={id} rows={rows} spellcheck={false} value={value} aria-invalid={problem !== null} aria-describedby={`${id}-state`}
        onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          // Tab indents; Esc then Tab leaves the editor (keyboard users are never trapped).
          if (e.key === 'Tab' && !e.shiftKey && !(e.target as HTMLTextAreaElement).dataset.escaped) {
            e.preventDefault();
            const el = e.target as HTMLTextAreaElement;
            const { selectionStart: start, selectionEnd: end } = el;
            onInput(`${el.value.slice(0, start)}  ${el.value.slice(end)}`);
            requestAnimationFrame(() => el.setSelectionRange(start + 2, start + 2));
          }
          if (e.key === 'Escape') (e.target as HTMLTextAreaElement).dataset.escaped = '1';
        }}
        onBlur={(e) => { delete (e.target as HTMLTextAreaElement).dataset.escaped; }} />
      <p id={`${id}-state`} class={problem ? 'hint bad' : 'hint ok'}>{problem ? `Not valid JSON: ${problem}` : 'Valid JSON (Tab indents; Esc, then Tab, leaves the editor)'}</p>
    </div>
  );
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
