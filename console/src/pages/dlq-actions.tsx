import { useRef, useState } from 'preact/hooks';
import { sendJson } from '../api';
import { Confirm } from '../components/confirm';

export interface DlqTarget { ids?: string[]; filter?: Record<string, string>; all?: boolean }
export interface DlqOutcome { redriven?: string[]; failed?: Array<{ id: string; error: string; message: string }>; purged?: number }

/** Redrive (to its function or another, at a rate) and purge, each behind a confirmation. */
export function DlqActions({ target, what, functions, onDone }: { target: DlqTarget | null; what: string; functions: string[]; onDone: (outcome: DlqOutcome | Error) => void }) {
  const [to, setTo] = useState('');
  const [rate, setRate] = useState('10');
  const [asking, setAsking] = useState<'redrive' | 'purge' | null>(null);
  // The request in flight (a paced redrive of many records takes a while): shown, and no second one meanwhile.
  const [busy, setBusy] = useState<string | null>(null);
  // Set at once (state is applied at the next render: a double click would otherwise send twice).
  const inFlight = useRef(false);
  const many = !target?.ids || target.ids.length > 1;
  const run = async () => {
    const action = asking;
    setAsking(null);
    if (!target || !action || inFlight.current) return;
    inFlight.current = true;
    setBusy(action === 'redrive' ? `Redriving ${what}${many && target.ids === undefined ? ` at ${rate} per second` : ''}…` : `Purging ${what}…`);
    try {
      const body = action === 'redrive'
        ? { ...target, ...(to ? { to } : {}), ...(many && target.ids === undefined ? { rate: Number(rate) } : {}) }
        : target;
      onDone(await sendJson<DlqOutcome>('POST', `/admin/dlq/${action}`, body));
    } catch (err) {
      onDone(err as Error);
    } finally {
      inFlight.current = false;
      setBusy(null);
    }
  };
  return (
    <div class="dlq-actions">
      <label for="redrive-to">Redrive to</label>
      <select id="redrive-to" value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
        <option value="">each record's own function</option>
        {functions.map((f) => <option key={f} value={f}>{f}</option>)}
      </select>
      {target?.ids === undefined ? (
        <>
          <label for="redrive-rate">Rate (records/s)</label>
          <input id="redrive-rate" type="number" min="0.1" max="1000" step="any" value={rate} onInput={(e) => setRate((e.target as HTMLInputElement).value)} />
        </>
      ) : null}
      <button type="button" class="primary" disabled={!target || busy !== null} onClick={() => setAsking('redrive')}>Redrive {what}</button>
      <button type="button" class="danger" disabled={!target || busy !== null} onClick={() => setAsking('purge')}>Purge {what}</button>
      {busy ? <p class="hint" role="status" data-busy>{busy}</p> : null}
      {asking ? (
        <Confirm title={asking === 'redrive' ? `Redrive ${what}?` : `Purge ${what}?`} confirmLabel={asking === 'redrive' ? 'Redrive' : 'Purge for good'}
          danger={asking === 'purge'} onConfirm={() => void run()} onCancel={() => setAsking(null)}>
          {asking === 'redrive'
            ? <p>The events are queued again {to ? <>to <strong>{to}</strong></> : 'to their own functions'} and leave the DLQ once queued{target?.ids === undefined ? `, at ${rate} per second` : ''}.</p>
            : <p>The records are deleted. This cannot be undone.</p>}
        </Confirm>
      ) : null}
    </div>
  );
}

export function OutcomeNote({ outcome }: { outcome: DlqOutcome | Error | null }) {
  if (!outcome) return null;
  if (outcome instanceof Error) return <p class="hint bad" role="alert">{outcome.message}</p>;
  const failed = (outcome.failed?.length ?? 0) > 0;
  return (
    <div role={failed ? 'alert' : 'status'} class={`hint ${failed ? 'bad' : 'ok'}`}>
      {outcome.redriven ? <p>Redriven: {outcome.redriven.length}</p> : null}
      {outcome.purged !== undefined ? <p>Purged: {outcome.purged}</p> : null}
      {outcome.failed?.length ? <ul class="bad">{outcome.failed.map((f) => <li key={f.id}>{f.id}: {f.error} {f.message}</li>)}</ul> : null}
    </div>
  );
}
