import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from '../api';
import { StateBadge, StatusBadge } from '../components/badges';
import { Plot } from '../components/plot';
import { ms, pretty, text, time, usd } from '../format';
import type { FunctionPageData, Overview } from '../types';
import { InvokePanel } from './invoke-panel';
import { LogPanel } from './log-panel';

const REFRESH_MS = 5000;
/** Plot ranges, in 10 s buckets (the API sends the last hour). */
const RANGES = [{ label: '15 min', buckets: 90 }, { label: '1 hour', buckets: 360 }];

export function FunctionPage({ name, overview }: { name: string; overview: Overview | null }) {
  const [data, setData] = useState<FunctionPageData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [requestFilter, setRequestFilter] = useState('');
  const [range, setRange] = useState(RANGES[0]);
  useEffect(() => {
    let stopped = false;
    const load = () => getJson<FunctionPageData>(`/console/api/functions/${encodeURIComponent(name)}`)
      .then((d) => { if (!stopped) { setData(d); setError(null); } }, (err: ApiError) => { if (!stopped) setError(err.message); });
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => { stopped = true; clearInterval(timer); };
  }, [name]);
  if (error && !data) return <><h1>{name}</h1><p class="hint bad" role="alert">{error}</p></>;
  if (!data) return <p class="loading">Loading…</p>;
  const row = overview?.functions.find((f) => f.function === name);
  const { config } = data;
  const cut = <T,>(values: T[]) => values.slice(-range.buckets);
  const series = { t: cut(data.series.t), invocations: cut(data.series.invocations), errors: cut(data.series.errors), throttles: cut(data.series.throttles), p50Ms: cut(data.series.p50Ms), p99Ms: cut(data.series.p99Ms) };
  return (
    <>
      <p class="crumbs"><a href="#/">Overview</a> › function</p>
      <h1>{name} {row ? <StateBadge state={row.state} /> : null}</h1>
      <p class="muted"><code>{data.arn}</code> · {config.runtime} · {config.memorySize} MB · timeout {config.timeout} s</p>
      {row ? (
        <dl class="cards">
          <div><dt>Invocations</dt><dd data-stat="invocations">{row.invocations}</dd></div>
          <div><dt>Errors</dt><dd class={row.errors ? 'bad' : ''}>{row.errors}</dd></div>
          <div><dt>Throttles</dt><dd>{row.throttles}</dd></div>
          <div><dt>p50 / p99</dt><dd>{ms(row.p50Ms)} / {ms(row.p99Ms)}</dd></div>
          <div><dt>Running / reserved</dt><dd>{row.inUse} / {row.reservedConcurrency ?? '–'}</dd></div>
          <div><dt>Queue</dt><dd>{row.queueDepth}</dd></div>
          <div><dt>DLQ</dt><dd>{row.dlqRecords ? <a href={`#/dlq?function=${encodeURIComponent(name)}`}>{row.dlqRecords}</a> : 0}</dd></div>
          <div><dt>Est. cost</dt><dd>{usd(row.estimatedCostUsd)}<div class="muted small">{row.gbSeconds.toFixed(4)} GB-s</div></dd></div>
        </dl>
      ) : null}
      <section aria-labelledby="plots-title">
        <h2 id="plots-title">Over time</h2>
        <fieldset class="inline">
          <legend class="sr-only">Plot range</legend>
          {RANGES.map((r) => (
            <label key={r.label}><input type="radio" name="range" checked={range === r} onChange={() => setRange(r)} /> last {r.label}</label>
          ))}
        </fieldset>
        <div class="plots">
          <Plot title="Invocations and errors per 10 s" unit="count" t={series.t} series={[
            { label: 'invocations', values: series.invocations, color: '#2563eb' },
            { label: 'errors', values: series.errors, color: '#dc2626' },
            { label: 'throttles', values: series.throttles, color: '#d97706', dash: [4, 4] },
          ]} />
          <Plot title="Duration percentiles" unit="ms" t={series.t} series={[
            { label: 'p50', values: series.p50Ms, color: '#059669' },
            { label: 'p99', values: series.p99Ms, color: '#7c3aed' },
          ]} />
        </div>
      </section>
      <div class="two-col">
        <InvokePanel name={name} samples={data.samples} onShowLogs={setRequestFilter} />
        <LogPanel name={name} filter={requestFilter} onFilter={setRequestFilter} />
      </div>
      <section aria-labelledby="recent-title">
        <h2 id="recent-title">Recent invocations</h2>
        <div class="table-wrap">
          <table class="recent">
            <thead><tr><th scope="col">Ended</th><th scope="col">Request id</th><th scope="col">Trace id</th><th scope="col">Status</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Billed</th><th scope="col">Cold</th></tr></thead>
            <tbody>
              {data.recent.map((r) => (
                <tr key={r.requestId + r.endedAt}>
                  <td>{time(r.endedAt)}</td>
                  <td><button type="button" class="link mono" title="show this invocation's log lines" onClick={() => setRequestFilter(r.requestId)}>{r.requestId}</button></td>
                  <td class="mono small">{r.traceId ?? '–'}</td>
                  <td><StatusBadge status={r.status} />{r.errorType ? <span class="small"> {text(r.errorType)}</span> : null}</td>
                  <td class="num">{ms(r.durationMs)}</td>
                  <td class="num">{r.billedDurationMs} ms</td>
                  <td>{r.coldStart ? 'yes' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {data.recent.length ? null : <p class="muted">No invocations yet.</p>}
      </section>
      <section aria-labelledby="config-title">
        <h2 id="config-title">Configuration (as resolved)</h2>
        <p class="muted small">Handler <code>{config.handler}</code> → <code>{config.handlerFile}</code>; {data.mappings.length} event source mapping(s).</p>
        <pre class="code" tabIndex={0}>{pretty(config)}</pre>
      </section>
    </>
  );
}
