import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, sendJson } from '../api';
import { Confirm } from '../components/confirm';
import { isJson, JsonEditor } from '../components/json-editor';
import { lines, ms, pretty, text } from '../format';
import type { DlqRecord, Overview } from '../types';
import { DlqActions, OutcomeNote, type DlqOutcome } from './dlq-actions';

/** An attempt's stack lines (`trace` from Node.js, `stackTrace` from Python and custom runtimes). */
const stack = (attempt: DlqRecord['attempts'][number]): string[] => lines(attempt.trace ?? attempt.stackTrace);

/**
 * The record left the DLQ behind the page's back (redriven or purged from the CLI or another tab):
 * the hub answers a redrive of it with TH_ERR_DLQ_NOT_FOUND and a purge of it with `purged: 0`.
 */
function goneElsewhere(outcome: DlqOutcome | Error | null): boolean {
  if (outcome instanceof ApiError) return outcome.code === 'TH_ERR_DLQ_NOT_FOUND';
  if (!outcome || outcome instanceof Error) return false;
  return outcome.purged === 0 || (outcome.failed ?? []).some((f) => f.error === 'TH_ERR_DLQ_NOT_FOUND');
}

/** One dead-letter record: envelope, every attempt, edits; redrive (optionally edited) or purge. */
export function DlqRecordPage({ id, overview }: { id: string; overview: Overview | null }) {
  const [record, setRecord] = useState<DlqRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<DlqOutcome | Error | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [editTo, setEditTo] = useState('');
  const [confirmEdit, setConfirmEdit] = useState(false);
  const sending = useRef(false);
  const [busy, setBusy] = useState(false);
  const functions = overview?.functions.map((f) => f.function) ?? [];
  useEffect(() => {
    getJson<DlqRecord>(`/admin/dlq/${encodeURIComponent(id)}`).then(setRecord, (err: Error) => setError(err.message));
  }, [id]);
  const elsewhere = goneElsewhere(outcome);
  const gone = elsewhere || (outcome && !(outcome instanceof Error) && ((outcome.redriven?.length ?? 0) > 0 || (outcome.purged ?? 0) > 0));
  const redriveEdited = async () => {
    setConfirmEdit(false);
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    try {
      setOutcome(await sendJson<DlqOutcome>('POST', `/console/api/dlq/${encodeURIComponent(id)}/redrive`, { payload: JSON.parse(editing!), ...(editTo ? { to: editTo } : {}) }));
      setEditing(null);
    } catch (err) {
      setOutcome(err as Error);
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };
  return (
    <>
      <p class="crumbs"><a href="#/dlq">Dead letters</a> › record</p>
      <h1 class="mono">{id}</h1>
      {error ? <p class="hint bad" role="alert">{error}</p> : null}
      {elsewhere
        ? <p class="hint bad" role="alert" data-gone>This record is no longer in the dead-letter queue: it was redriven or purged elsewhere (the CLI, another tab) after this page loaded it.</p>
        : <OutcomeNote outcome={outcome} />}
      {gone ? <p><a href="#/dlq">Back to the dead letters</a></p> : null}
      {record && !gone ? (
        <>
          <dl class="facts">
            <dt>Function</dt><dd><a href={`#/functions/${encodeURIComponent(record.function)}`}>{record.function}</a></dd>
            <dt>Reason</dt><dd>{record.reason}</dd>
            <dt>Failed at</dt><dd>{record.failedAt}</dd>
            <dt>Source</dt><dd class="mono">{record.source}</dd>
            <dt>Invocation</dt><dd>{record.delivery.invocationType}, first seen {new Date(record.delivery.firstSeenAt).toISOString()}, redriven {record.delivery.redrives}×</dd>
            <dt>Trace</dt><dd class="mono">{record.delivery.traceparent ?? '–'}</dd>
          </dl>
          <section class="panel" aria-labelledby="actions-title">
            <h2 id="actions-title">Redrive or purge</h2>
            <DlqActions target={{ ids: [record.id] }} what="this record" functions={functions} onDone={setOutcome} />
            {editing === null
              ? <button type="button" onClick={() => setEditing(pretty(record.envelope.data))}>Edit the payload, then redrive…</button>
              : (
                <form onSubmit={(e) => { e.preventDefault(); setConfirmEdit(true); }}>
                  <JsonEditor id="edit-payload" label="Payload to redrive (the current one is kept in the record's edit history)" value={editing} onInput={setEditing} rows={14} />
                  <label for="edit-to">To</label>
                  <select id="edit-to" value={editTo} onChange={(e) => setEditTo((e.target as HTMLSelectElement).value)}>
                    <option value="">{record.function} (its own)</option>
                    {functions.filter((f) => f !== record.function).map((f) => <option key={f} value={f}>{f}</option>)}
                  </select>
                  <div class="actions">
                    <button type="button" onClick={() => setEditing(null)}>Cancel edit</button>
                    <button type="submit" class="primary" disabled={!isJson(editing) || busy}>Redrive edited</button>
                  </div>
                </form>
              )}
            {confirmEdit ? (
              <Confirm title="Redrive with the edited payload?" confirmLabel="Redrive edited" onConfirm={() => void redriveEdited()} onCancel={() => setConfirmEdit(false)}>
                <p>The event goes to <strong>{editTo || record.function}</strong> with your payload; the one it replaces stays in its history.</p>
              </Confirm>
            ) : null}
          </section>
          <section aria-labelledby="attempts-title">
            <h2 id="attempts-title">Attempts ({record.attempts.length})</h2>
            <div class="table-wrap">
              <table class="attempts">
                <thead><tr><th scope="col">#</th><th scope="col">Round</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col">Status</th><th scope="col">Error</th><th scope="col">Environment</th></tr></thead>
                <tbody>
                  {record.attempts.map((a) => (
                    <tr key={`${a.redrive}-${a.attempt}`}>
                      <td>{a.attempt}</td><td>{a.redrive === 0 ? 'original' : `redrive ${a.redrive}`}</td><td class="small">{a.startedAt}</td>
                      <td class="num">{ms(a.durationMs)}</td><td>{a.status}</td>
                      <td class="wrap-any">
                        <strong>{text(a.errorType)}</strong> {text(a.errorMessage)}
                        {stack(a).length ? <details><summary>stack</summary><pre class="code">{stack(a).join('\n')}</pre></details> : null}
                      </td>
                      <td class="mono small">{a.environmentId ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          {record.delivery.edits?.length ? (
            <section aria-labelledby="edits-title">
              <h2 id="edits-title">Payload edits</h2>
              {record.delivery.edits.map((e) => (
                <details key={e.at}><summary>{e.at}: edited before redrive {e.redrive}; payload before</summary><pre class="code">{pretty(e.previous)}</pre></details>
              ))}
            </section>
          ) : null}
          <section aria-labelledby="envelope-title">
            <h2 id="envelope-title">Envelope</h2>
            <pre class="code" tabIndex={0}>{pretty(record.envelope)}</pre>
          </section>
        </>
      ) : null}
    </>
  );
}
