import { StateBadge } from '../components/badges';
import { Sparkline } from '../components/sparkline';
import { ago, ms, usd } from '../format';
import type { Overview } from '../types';

export function OverviewPage({ overview }: { overview: Overview | null }) {
  if (!overview) return <p class="loading">Loading…</p>;
  const { status, functions, hubs } = overview;
  return (
    <>
      <h1>Overview</h1>
      <p class="summary">
        Since {status.since ? new Date(status.since).toLocaleString() : '–'}: <strong>{status.totals.invocations}</strong> invocations,{' '}
        {status.totals.gbSeconds.toFixed(4)} GB-s, estimated AWS Lambda cost <strong>{usd(status.totals.estimatedCostUsd)}</strong>{' '}
        <span class="muted">(${status.pricing.requestUsdPerMillion} per 1M requests, ${status.pricing.gbSecondUsd} per GB-s, no free tier)</span>
      </p>
      <section aria-labelledby="fn-title">
        <h2 id="fn-title">Functions</h2>
        <div class="table-wrap">
          <table class="functions">
            <thead>
              <tr>
                <th scope="col">Function</th><th scope="col">State</th><th scope="col">Sources</th>
                <th scope="col" class="num">Invocations</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Throttles</th>
                <th scope="col" class="num">p50</th><th scope="col" class="num">p99</th><th scope="col" class="num">Concurrency</th>
                <th scope="col" class="num">Queue</th><th scope="col" class="num">DLQ</th><th scope="col" class="num">GB-s</th>
                <th scope="col" class="num">Est. cost</th><th scope="col">Last 5 min</th>
              </tr>
            </thead>
            <tbody>
              {functions.map((f) => (
                <tr key={f.function} data-function={f.function}>
                  <th scope="row"><a href={`#/functions/${encodeURIComponent(f.function)}`}>{f.function}</a><div class="muted small">{f.runtime} · {f.memorySize} MB</div></th>
                  <td data-label="State"><StateBadge state={f.state} /></td>
                  <td class="sources" data-label="Sources">{f.sources.length ? f.sources.map((s) => <span key={s.id} class={`chip state-${s.state.replace(/\s+/g, '-')}`} title={`${s.id}: ${s.state}`}>{s.kind}</span>) : <span class="muted">invoke only</span>}</td>
                  <td class="num" data-col="invocations" data-label="Invocations">{f.invocations}</td>
                  <td class={`num ${f.errors ? 'bad' : ''}`} data-col="errors" data-label="Errors">{f.errors}</td>
                  <td class="num" data-label="Throttles">{f.throttles}</td>
                  <td class="num" data-label="p50">{ms(f.p50Ms)}</td>
                  <td class="num" data-label="p99">{ms(f.p99Ms)}</td>
                  <td class="num" data-label="Concurrency" title="running now over every hub / reserved concurrency">{f.inUse} / {f.reservedConcurrency ?? '–'}</td>
                  <td class="num" data-label="Queue">{f.queueDepth}</td>
                  <td class="num" data-label="DLQ">{f.dlqRecords ? <a href={`#/dlq?function=${encodeURIComponent(f.function)}`}>{f.dlqRecords}</a> : 0}</td>
                  <td class="num" data-label="GB-s">{f.gbSeconds.toFixed(4)}</td>
                  <td class="num" data-label="Est. cost">{usd(f.estimatedCostUsd)}</td>
                  <td data-label="Last 5 min"><Sparkline values={f.spark.invocations} errors={f.spark.errors} label={f.function} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {functions.length ? null : <p>No functions configured.</p>}
      </section>
      <section aria-labelledby="hubs-title">
        <h2 id="hubs-title">Hubs on this Redis</h2>
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Hub</th><th scope="col">URL</th><th scope="col">Host / pid</th><th scope="col">Started</th><th scope="col" class="num">Running now</th><th scope="col">Last beat</th></tr></thead>
            <tbody>
              {hubs.map((h) => (
                <tr key={h.id}>
                  <td><code>{h.id}</code></td><td>{h.url}</td><td>{h.host} / {h.pid}</td><td>{ago(h.startedAt)}</td>
                  <td class="num">{Object.values(h.inFlight).reduce((a, b) => a + b, 0)}</td><td>{ago(h.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
