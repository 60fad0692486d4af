import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, subscribe } from '../api';
import { time } from '../format';
import type { StoredLogEntry } from '../types';

const KEEP = 500;

/** The function's log stream, live (`triggerhub logs --follow`), with a request-id filter. */
export function LogPanel({ name, filter, onFilter }: { name: string; filter: string; onFilter: (id: string) => void }) {
  const [lines, setLines] = useState<StoredLogEntry[]>([]);
  const [paused, setPaused] = useState(false);
  const box = useRef<HTMLPreElement>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    const abort = new AbortController();
    const query = filter ? `&requestId=${encodeURIComponent(filter)}` : '';
    setLines([]);
    void getJson<{ entries: StoredLogEntry[]; last: string }>(`/console/api/functions/${encodeURIComponent(name)}/logs?limit=200${query}`).then(({ entries, last }) => {
      if (abort.signal.aborted) return;
      setLines(entries);
      void subscribe(`/console/api/functions/${encodeURIComponent(name)}/logs/stream?after=${last}${query}`, (event, data) => {
        if (event === 'log') setLines((old) => [...old, data as StoredLogEntry].slice(-KEEP));
      }, abort.signal);
    }, () => undefined);
    return () => abort.abort();
  }, [name, filter]);
  useEffect(() => {
    if (!pausedRef.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  return (
    <section aria-labelledby="logs-title" class="panel">
      <h2 id="logs-title">Live log</h2>
      <div class="log-tools">
        <label for="request-filter">Request id</label>
        <input id="request-filter" type="search" placeholder="all invocations" value={filter} onChange={(e) => onFilter((e.target as HTMLInputElement).value.trim())} />
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>{paused ? 'Resume scrolling' : 'Pause scrolling'}</button>
      </div>
      <pre class="code log" ref={box} tabIndex={0} aria-label={`log lines of ${name}`} data-lines={lines.length}>
        {lines.map((l) => (
          <div key={`${l.id}.${l.part}`} class={`log-line type-${l.type} level-${l.level.toLowerCase()}`} data-request-id={l.requestId}>
            <span class="ts">{time(l.ts)}</span> {l.line}
          </div>
        ))}
        {lines.length ? null : <span class="muted">No log lines yet{filter ? ' for this request id' : ''}. New ones appear here as they are written.</span>}
      </pre>
    </section>
  );
}
