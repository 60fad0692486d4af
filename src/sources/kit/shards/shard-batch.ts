import type { FunctionConfig } from '../../../config/load.js';
import type { RecordFilter } from '../../../filters/criteria.js';
import type { Logger } from '../../../log.js';
import type { InvokeResult } from '../../../runtime/types.js';
import type { SourceContext } from '../../source.js';
import { batchRange, sendFailureRecord, streamFailureRecord } from '../failure-record.js';
import { processStreamBatch, type StreamBatchDeps } from '../stream-batch.js';
import type { MappingJournal } from '../journal.js';
import { reportsItemFailures } from '../settings.js';
import { streamOutcome } from '../stream-outcome.js';
import { onFailureTarget, streamBatchPolicy } from '../stream-settings.js';
import { CheckpointTracker, splitLanes } from './lanes.js';
import { envelopeOf, type ShardMappingSettings, type ShardStream } from './shard-stream.js';
import { closeWindow, invokeInWindow } from './window-invoke.js';
import type { ShardWindows } from './tumbling-window.js';

export interface ShardBatchContext<R> {
  fn: FunctionConfig;
  settings: ShardMappingSettings;
  stream: ShardStream<unknown, R>;
  filter: RecordFilter;
  context: SourceContext;
  shardId: string;
  /** The mapping's counts and record journal (`triggerhub sources explain`). */
  journal: MappingJournal;
  /** The shard's tumbling windows (tumblingWindowInSeconds > 0). */
  windows?: ShardWindows;
  /** Saves the shard's checkpoint (throws when the lease was lost). */
  save(sequence: string): Promise<void>;
  signal: AbortSignal;
  log: Logger;
}

/**
 * Runs one shard batch: drops what no filter matches, runs the rest in lanes by the stream's
 * lane key (parallelizationFactor) or, with tumbling windows, window by window; each piece with
 * Lambda's retry/bisect/age policy and on-failure record; the checkpoint follows the lowest
 * unfinished record. False when the mapping stopped first.
 */
export async function runShardBatch<R>(records: R[], batch: ShardBatchContext<R>): Promise<boolean> {
  const { stream, log, windows } = batch;
  const tracker = new CheckpointTracker(records.map((record) => stream.sequenceOf(record)), batch.save);
  const matched = records.filter((record) => batch.filter(stream.filterSubject(record)));
  batch.journal.polled(records.length);
  if (matched.length < records.length) {
    const kept = new Set(matched);
    const filtered = records.filter((record) => !kept.has(record)).map((record) => stream.sequenceOf(record));
    batch.journal.note('filtered', filtered, { shardId: batch.shardId, reason: 'matched no filter' });
    await tracker.markDone(filtered);
    log.debug({ event: 'shard_records_filtered', count: records.length - matched.length }, 'records matched no filter; checkpointed');
  }
  if (windows) {
    for (const run of windowRuns(matched, windows, stream)) {
      const open = await windows.current();
      if (open && open.startMs !== run.startMs && !(await closeWindow(batch, windows, open))) return false;
      if (!(await processStreamBatch(run.records, batchDeps(batch, tracker, (piece) => invokeInWindow(batch, windows, run.startMs, piece))))) return false;
    }
    return true;
  }
  const deps = batchDeps(batch, tracker, (piece) => batch.context.invokeSync(batch.fn, envelopeOf(batch, { Records: piece })));
  const lanes = splitLanes(matched, batch.settings.parallelizationFactor, (record) => stream.laneKey(record));
  const results = await Promise.allSettled(lanes.map((lane) => processStreamBatch(lane, deps)));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.every((result) => result.status === 'fulfilled' && result.value);
}

/** Journals how an invocation ended for its records (as the batch policy will read it). */
function noteInvocation<R>(batch: ShardBatchContext<R>, sequences: string[], result: InvokeResult): void {
  const detail = { shardId: batch.shardId, requestId: result.requestId };
  const outcome = streamOutcome(result, sequences, reportsItemFailures(batch.settings));
  if (outcome.kind === 'success') return batch.journal.note('delivered', sequences, detail);
  if (outcome.kind === 'error') return batch.journal.note('failed', sequences, { ...detail, reason: outcome.reason });
  batch.journal.note('delivered', sequences.slice(0, outcome.firstFailed), detail);
  batch.journal.note('failed', sequences.slice(outcome.firstFailed), { ...detail, reason: 'reported in batchItemFailures (retried from the lowest)' });
}

/** Consecutive records of one window. */
function windowRuns<R>(records: R[], windows: ShardWindows, stream: ShardStream<unknown, R>): Array<{ startMs: number; records: R[] }> {
  const runs: Array<{ startMs: number; records: R[] }> = [];
  for (const record of records) {
    const startMs = windows.startOf(stream.arrivalMsOf(record));
    if (runs.at(-1)?.startMs === startMs) runs.at(-1)!.records.push(record);
    else runs.push({ startMs, records: [record] });
  }
  return runs;
}

function batchDeps<R>(batch: ShardBatchContext<R>, tracker: CheckpointTracker, invoke: (records: R[]) => Promise<InvokeResult>): StreamBatchDeps<R> {
  const { fn, settings, stream, context, shardId } = batch;
  const sequenceOf = (record: R): string => stream.sequenceOf(record);
  const arrivalMsOf = (record: R): number => stream.arrivalMsOf(record);
  return {
    policy: streamBatchPolicy(settings, stream.retentionSeconds),
    sequenceOf,
    arrivalMsOf,
    invoke: async (records) => {
      const result = await invoke(records);
      noteInvocation(batch, records.map(sequenceOf), result);
      return result;
    },
    checkpoint: (records) => tracker.markDone(records.map(sequenceOf)),
    onFailure: async (failure) => {
      const { target } = onFailureTarget(settings);
      const sequences = failure.records.map(sequenceOf);
      if (target !== undefined) {
        const info = { shardId, ...batchRange(failure.records, sequenceOf, arrivalMsOf, stream.arn) };
        await sendFailureRecord(context, target, streamFailureRecord(failure, fn, context.config, stream.batchInfoKey, info));
      }
      batch.journal.note(target === undefined ? 'dropped' : 'on-failure', sequences, { shardId, reason: failure.condition, requestId: failure.requestId });
    },
    signal: batch.signal,
    log: batch.log,
  };
}
