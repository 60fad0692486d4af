import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';
import { StateBadge } from '../components/badges';
import { ago, ms, text } from '../format';
import type { SourceRow } from '../types';

const REFRESH_MS = 3000;

/** Every event source mapping: health over every hub, lag, last event, errors, leases, next fires. */
export function SourcesPage() {
  const [rows, setRows] = useState<SourceRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => getJson<{ sources: SourceRow[] }>('/console/api/sources').then((d) => { setRows(d.sources); setError(null); }, (err: Error) => setError(err.message));
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (!rows) return error ? <p class="hint bad" role="alert">{error}</p> : <p class="loading">Loading…</p>;
  return (
    <>
      <h1>Sources</h1>
      {rows.length ? null : <p>No event source mappings configured (functions are invoked through the Invoke API only).</p>}
      <div class="table-wrap">
        <table class="sources-table">
          <thead>
            <tr><th scope="col">Mapping</th><th scope="col">Function</th><th scope="col">State</th><th scope="col" class="num">Lag / iterator age</th><th scope="col">Last event</th><th scope="col">Last error</th><th scope="col">Hubs / lease holders</th><th scope="col">Next fires</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-source={r.id}>
                <th scope="row"><code>{r.id}</code><div class="muted small">{describe(r)}</div></th>
                <td><a href={`#/functions/${encodeURIComponent(r.function)}`}>{r.function}</a></td>
                <td><StateBadge state={r.status?.state ?? 'not reported'} /></td>
                <td class="num">{r.status?.lagMs === null || !r.status ? '–' : ms(r.status.lagMs)}</td>
                <td>{ago(r.status?.lastEventAt)}</td>
                <td class="small bad">{text(r.status?.lastError)}</td>
                <td class="small">
                  {r.leases.length
                    ? r.leases.map((l) => <div key={l.shard}><code>{l.shard}</code> → {l.holder}</div>)
                    : (r.status?.hubs ?? []).map((h) => <div key={h.hub}>{h.hub} <span class="muted">({h.state})</span></div>)}
                </td>
                <td class="small">{r.nextFires.map((t) => <div key={t.utc} title={`local: ${t.local}`}>{t.utc.replace('.000Z', 'Z')} <span class="muted">({ago(t.utc)})</span></div>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The mapping's main setting: queue, topic, bucket, stream, schedule expression, route (an HTTP API's as served, with its stage). */
function describe(row: SourceRow): string {
  if (row.servedAt !== null) return `path: ${row.servedAt}`;
  const s = row.settings as Record<string, unknown>;
  const main = ['queue', 'topic', 'bucket', 'stream', 'key', 'expression', 'path', 'route'].find((k) => typeof s[k] === 'string');
  return main ? `${main}: ${String(s[main])}` : row.kind;
}
