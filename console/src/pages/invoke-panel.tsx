import { useState } from 'preact/hooks';
import { invoke, type InvokeOutcome } from '../api';
import { isJson, JsonEditor } from '../components/json-editor';
import { pretty, shown } from '../format';
import type { FunctionPageData } from '../types';

/** Invoke from the page: a JSON editor (samples per source kind), sync or async, result and log tail. */
export function InvokePanel({ name, samples, onShowLogs }: { name: string; samples: FunctionPageData['samples']; onShowLogs: (requestId: string) => void }) {
  const [text, setText] = useState(() => pretty(samples[0]?.event ?? {}));
  const [async, setAsync] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<InvokeOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      setOutcome(await invoke(name, text, async));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="invoke-title" class="panel">
      <h2 id="invoke-title">Invoke</h2>
      <form onSubmit={run}>
        <label for="sample">Start from</label>
        <select id="sample" onChange={(e) => setText(pretty(samples[Number((e.target as HTMLSelectElement).value)].event))}>
          {samples.map((s, i) => <option key={s.label} value={i}>{s.label}</option>)}
        </select>
        <JsonEditor id="payload" label="Event (JSON)" value={text} onInput={setText} />
        <fieldset class="inline">
          <legend>Invocation type</legend>
          <label><input type="radio" name="type" checked={!async} onChange={() => setAsync(false)} /> RequestResponse (sync)</label>
          <label><input type="radio" name="type" checked={async} onChange={() => setAsync(true)} /> Event (async)</label>
        </fieldset>
        <button type="submit" class="primary" disabled={busy || !isJson(text)}>{busy ? 'Invoking…' : 'Invoke'}</button>
      </form>
      <div aria-live="polite" class="invoke-result">
        {error ? <p class="hint bad">{error}</p> : null}
        {outcome ? (
          <>
            <p>
              <strong class={outcome.functionError ? 'bad' : 'ok'}>{outcome.status}{outcome.functionError ? ` · ${outcome.functionError}` : ''}</strong>
              {outcome.requestId ? <> · request id <code data-request-id={outcome.requestId}>{outcome.requestId}</code></> : null}
            </p>
            {outcome.status === 202 && outcome.requestId
              ? <p>Queued. <button type="button" class="link" onClick={() => onShowLogs(outcome.requestId!)}>Show only its lines in the live log</button></p>
              : null}
            {outcome.status !== 202 ? <><h3>Result</h3><pre class="code result">{shown(outcome.payload)}</pre></> : null}
            {outcome.logTail ? <><h3>Log tail</h3><pre class="code log-tail">{shown(outcome.logTail)}</pre></> : null}
          </>
        ) : null}
      </div>
    </section>
  );
}
