import { outcomeOf, type Ending } from './failures.js';
import { reportFields, type InvocationLog } from './invocation-log.js';
import type { StreamOutput } from './stream-output.js';
import type { FunctionConfig, InvokeRequest, InvokeResult } from './types.js';

/** One invocation in an execution environment, from invoke() to its ending. */
export interface Run {
  req: InvokeRequest;
  /** `_X_AMZN_TRACE_ID` (X-Ray form) and TRACEPARENT for the handler. */
  trace: { xray?: string; traceparent?: string };
  log: InvocationLog;
  output: StreamOutput;
  /**
   * When init (cold) or the invocation (warm) began; for one that waited in the environment, when
   * the hub saw the result before it (it began in the environment a little earlier).
   */
  startedAt: number;
  /** It waited in the environment behind another invocation. */
  waited?: boolean;
  initDurationMs?: number;
  /** Its timeout (or the init phase's), set when it starts. */
  timer?: NodeJS.Timeout;
  end: (ending: Ending | NotStarted) => void;
}

/** How an invocation queued in an environment ends when that environment dies before it started. */
export interface NotStarted {
  kind: 'not-started';
}

/**
 * A finished run's result: the ending's outcome, the REPORT figures (`elapsedMs` since the run
 * started, `peakKB` the environment's peak memory) and the invocation's log, finished with them.
 */
export function invokeResult(run: Run, ending: Ending, elapsedMs: number, fn: FunctionConfig, peakKB: number, stderrTail: string, environmentId: string): InvokeResult {
  const { requestId } = run.req;
  const outcome = outcomeOf(ending, requestId, fn.timeout, stderrTail);
  const report = reportFields({ status: outcome.status, elapsedMs, memorySizeMB: fn.memorySize, peakKB, initDurationMs: run.initDurationMs });
  const logs = run.log.finish(report);
  return { requestId, ...outcome, ...report, logs, environmentId, ...(run.output.started ? { streamed: true } : {}) };
}
