import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, subscribe } from '../api';
import { shown, time } from '../format';
import type { StoredLogEntry } from '../types';

const KEEP = 500;
const RETRY_MS = 2000;

/** The function's log stream, live (`triggerhub logs --follow`), with a request-id filter. */
export function LogPanel({ name, filter, onFilter }: { name: string; filter: string; onFilter: (id: string) => void }) {
  const [lines, setLines] = useState<StoredLogEntry[]>([]);
  const [paused, setPaused] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLPreElement>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    const abort = new AbortController();
    const base = `/console/api/functions/${encodeURIComponent(name)}/logs`;
    const query = filter ? `&requestId=${encodeURIComponent(filter)}` : '';
    setLines([]);
    void (async () => {
      // The newest lines, then every line after the last one shown (also after a reconnect): a
      // failed first read (Redis or the hub away) is tried again, so the panel does go live.
      let after: string | undefined;
      while (after === undefined) {
        try {
          const { entries, last } = await getJson<{ entries: StoredLogEntry[]; last: string }>(`${base}?limit=200${query}`);
          if (abort.signal.aborted) return;
          setLines(entries);
          setProblem(null);
          after = last;
        } catch (err) {
          if (abort.signal.aborted) return;
          setProblem(`The log cannot be read right now (${(err as Error).message}); trying again.`);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          if (abort.signal.aborted) return;
        }
      }
      // A refused or dropped stream (16 followers on this hub already, the hub restarting) is said, not hidden.
      await subscribe(() => `${base}/stream?after=${after}${query}`, (event, data) => {
        if (event !== 'log') return;
        after = (data as StoredLogEntry).id;
        setLines((old) => [...old, data as StoredLogEntry].slice(-KEEP));
      }, abort.signal, (live, why) => setProblem(live ? null : `Not following new lines (${why}); trying again.`));
    })();
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
      {problem ? <p class="hint bad" role="status" data-log-problem>{problem}</p> : null}
      <pre class="code log" ref={box} tabIndex={0} aria-label={`log lines of ${name}`} data-lines={lines.length}>
        {lines.map((l) => (
          <div key={`${l.id}.${l.part}`} class={`log-line type-${l.type} level-${l.level.toLowerCase()}`} data-request-id={l.requestId}>
            <span class="ts">{time(l.ts)}</span> {shown(l.line)}
          </div>
        ))}
        {lines.length ? null : <span class="muted">No log lines yet{filter ? ' for this request id' : ''}. New ones appear here as they are written.</span>}
      </pre>
    </section>
  );
}
