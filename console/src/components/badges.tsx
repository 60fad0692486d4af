/** State words as coloured badges (the text is always there too: colour is never the only cue). */
export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state.replace(/\s+/g, '-')}`}>{state}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status === 'success' ? 'ok' : 'bad'}`}>{status}</span>;
}
