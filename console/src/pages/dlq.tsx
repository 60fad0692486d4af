import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import { short, shown } from '../format';
import type { DlqListPage, Overview } from '../types';
import { DlqActions, OutcomeNote, type DlqOutcome, type DlqTarget } from './dlq-actions';

const FILTERS = ['function', 'source', 'reason', 'since', 'until'] as const;
type Filter = Partial<Record<(typeof FILTERS)[number], string>>;

function filterFromHash(): Filter {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  return Object.fromEntries(FILTERS.filter((k) => query.get(k)).map((k) => [k, query.get(k)!]));
}

/** Dead letters: the CLI's filters, selection, redrive / purge of the selected or of every match. */
export function DlqPage({ overview }: { overview: Overview | null }) {
  const [filter, setFilter] = useState<Filter>(filterFromHash);
  const [draft, setDraft] = useState<Filter>(filter);
  const [list, setList] = useState<DlqListPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<DlqOutcome | Error | null>(null);
  const [reasons, setReasons] = useState<string[]>([]);
  const functions = overview?.functions.map((f) => f.function) ?? [];
  const load = () => {
    getJson<DlqListPage>(`/console/api/dlq?${new URLSearchParams(filter)}`).then((d) => { setList(d); setError(null); }, (err: Error) => setError(err.message));
  };
  useEffect(() => { getJson<{ dlqReasons: string[] }>('/console/api/session').then((s) => setReasons(s.dlqReasons), () => undefined); }, []);
  useEffect(load, [filter]);
  const apply = (e: Event) => {
    e.preventDefault();
    const clean = Object.fromEntries(Object.entries(draft).filter(([, v]) => v));
    history.replaceState(null, '', `#/dlq${Object.keys(clean).length ? `?${new URLSearchParams(clean)}` : ''}`);
    setSelected(new Set());
    setFilter(clean);
  };
  const narrowed = Object.keys(filter).length > 0;
  const selection: DlqTarget | null = selected.size ? { ids: [...selected] } : null;
  const records = list?.records ?? null;
  const total = list?.total ?? 0;
  // "All matching" is every record the filter matches (what the hub redrives or purges), not only the
  // rows shown; with the filter as the list applied it (a relative since/until pinned to its instant).
  const matching: DlqTarget | null = total && list ? (narrowed ? { filter: list.filter } : { all: true }) : null;
  const what = selected.size ? `${selected.size} selected` : `all ${total} matching`;
  const done = (result: DlqOutcome | Error) => { setOutcome(result); setSelected(new Set()); load(); };
  const toggle = (id: string) => setSelected((old) => { const next = new Set(old); if (next.has(id)) next.delete(id); else next.add(id); return next; });
  const set = (field: keyof Filter) => (e: Event) => setDraft({ ...draft, [field]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  // Plain functions, not components: inputs keep their identity (and focus) across renders.
  const choice = (label: string, field: keyof Filter, options: string[]) => (
    <label>{label}
      <select value={draft[field] ?? ''} onChange={set(field)}>
        <option value="">any</option>{options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  );
  const text = (label: string, field: keyof Filter, placeholder: string) => (
    <label>{label} <input type="text" placeholder={placeholder} value={draft[field] ?? ''} onInput={set(field)} /></label>
  );
  return (
    <>
      <h1>Dead letters</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter dead-letter records">
        {choice('Function', 'function', functions)}
        {text('Source', 'source', 'arn:aws:sns:*')}
        {choice('Reason', 'reason', reasons)}
        {text('Since', 'since', '15m, 2h, ISO time')}
        {text('Until', 'until', 'ISO time or 5m')}
        <button type="submit">Apply filters</button>
      </form>
      {error ? <p class="hint bad" role="alert">{error}</p> : null}
      <OutcomeNote outcome={outcome} />
      <div class="bulk">
        <h2 class="small-title" data-total={total}>
          {selected.size ? `${selected.size} selected` : `All ${total} matching`}
          {records && total > records.length ? <span class="muted"> (the newest {records.length} are listed)</span> : null}
        </h2>
        <DlqActions target={selection ?? matching} what={what} functions={functions} onDone={done} />
      </div>
      {records === null ? (error ? null : <p class="loading">Loading…</p>) : (
        <div class="table-wrap">
          <table class="dlq">
            <thead><tr><th scope="col"><span class="sr-only">Select</span></th><th scope="col">Record</th><th scope="col">Function</th><th scope="col">Source</th><th scope="col">Reason</th><th scope="col" class="num">Attempts</th><th scope="col">Failed at</th><th scope="col">Last error</th></tr></thead>
            <tbody>
              {records.map((r) => (
                  <tr key={r.id} data-record={r.id}>
                    <td><input type="checkbox" aria-label={`select ${r.id}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} /></td>
                    <td><a class="mono" href={`#/dlq/${encodeURIComponent(r.id)}`}>{short(r.id, 40)}</a></td>
                    <td>{r.function}</td>
                    <td class="small">{short(r.source, 40)}</td>
                    <td>{r.reason}</td>
                    <td class="num">{r.attempts}</td>
                    <td class="small">{r.failedAt}</td>
                    <td class="small bad">{r.lastError === null ? '–' : short(shown(r.lastError), 60)}</td>
                  </tr>
              ))}
            </tbody>
          </table>
          {records.length ? null : <p>No dead-letter records{narrowed ? ' match these filters' : ''}.</p>}
        </div>
      )}
    </>
  );
}
