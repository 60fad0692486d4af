import type { InvokeResult } from '../../../runtime/types.js';
import { invocationFailure } from '../batch-item-failures.js';
import { pause } from '../poll-loop.js';
import { defaultRetryDelayMs } from '../stream-batch.js';
import type { ShardBatchContext } from './shard-batch.js';
import { envelopeOf } from './shard-stream.js';
import { stateTooLarge, windowResult, type OpenWindow, type ShardWindows } from './tumbling-window.js';

/**
 * One invocation of records of the window starting at `startMs`, with the window's state; the
 * state the function returns is kept for the next invocation. A state over 1 MB ends the window
 * early (a final invocation with isWindowTerminatedEarly) and the window goes on with a fresh state.
 */
export async function invokeInWindow<R>(batch: ShardBatchContext<R>, windows: ShardWindows, startMs: number, records: R[]): Promise<InvokeResult> {
  const current = await windows.current();
  const open: OpenWindow = current?.startMs === startMs ? current : { startMs, state: {} };
  const raw = await batch.context.invokeSync(batch.fn, envelopeOf(batch, { Records: records, ...windows.fields(open, batch.stream.arn, false) }));
  const { result, state } = windowResult(raw);
  if (state === undefined) return result;
  if (!stateTooLarge(state)) {
    await windows.save({ startMs, state });
    return result;
  }
  batch.log.warn({ event: 'window_terminated_early', window: new Date(startMs).toISOString() }, 'the window state is over 1 MB: ending the window early');
  await windows.save({ startMs, state });
  if (await closeWindow(batch, windows, { startMs, state }, true)) await windows.save({ startMs, state: {} });
  return result;
}

/**
 * The window's final invocation (no records, isFinalInvokeForWindow), retried until it succeeds,
 * as on Lambda (the shard waits); then the state is dropped. False when the mapping stopped first.
 */
export async function closeWindow<R>(batch: ShardBatchContext<R>, windows: ShardWindows, open: OpenWindow, early = false): Promise<boolean> {
  for (let attempt = 1; !batch.signal.aborted; attempt += 1) {
    const fields = windows.fields(open, batch.stream.arn, true, early);
    let result: InvokeResult | undefined;
    try {
      result = await batch.context.invokeSync(batch.fn, envelopeOf(batch, { Records: [] as R[], ...fields }));
    } catch (err) {
      batch.log.info({ event: 'window_final_deferred', err }, 'could not invoke the final window invocation; trying again');
    }
    if (result?.status === 'success') {
      if (!early) await windows.close();
      batch.log.debug({ event: 'window_closed', window: fields.window, early }, 'tumbling window closed');
      return true;
    }
    if (result) batch.log.warn({ event: 'window_final_failed', window: fields.window, reason: invocationFailure(result), attempt }, 'the final window invocation failed; retrying');
    if (!(await pause(defaultRetryDelayMs(attempt), batch.signal))) return false;
  }
  return false;
}

/** Closes the shard's open window once its time is over (called while the shard is idle). */
export async function closeEndedWindow<R>(batch: ShardBatchContext<R>, windows: ShardWindows): Promise<void> {
  const open = await windows.current();
  if (open && windows.ended(open)) await closeWindow(batch, windows, open);
}
