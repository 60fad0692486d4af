import type { FunctionConfig } from '../config/load.js';
import type { DestinationOutbox, DestinationPayload } from '../destinations/outbox.js';
import { parseDestination, type DestinationSpec } from '../destinations/targets.js';
import type { DlqReason } from '../dlq/store.js';
import { HubError } from '../errors.js';
import type { InvokeResult } from '../runtime/types.js';
import { lambdaErrorDocument } from '../runtime/failures.js';
import { functionArn } from '../arn.js';
import { LATEST, PUBLISHED_VERSION } from '../config/versions.js';
import { childTraceparent } from '../tracing.js';
import { buildEnvelope, ENVELOPE_TYPES, newDelivery, stableUuid, type QueuedEvent } from './envelope.js';
import type { EventQueues } from './queues.js';
import { parseJson } from '../json.js';

/** Lambda's asynchronous invocation record, as destinations receive it. */
export interface DestinationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload: unknown;
}

/** How one record travels: its stable id (the outbox/queue job id), whose it is, its trace. */
export interface SendOptions {
  id: string;
  function: string;
  traceparent?: string;
  redrives?: number;
}

/**
 * Sends on-success and on-failure records. A function destination gets the record queued
 * asynchronously (so it has retries and a DLQ of its own); `dlq` means the record is already in
 * the DLQ; SQS, SNS, HTTP and Redis-stream destinations go through the durable outbox. Either way
 * the record is in Redis when `send` resolves.
 */
export class DestinationSender {
  constructor(
    private readonly queues: EventQueues,
    private readonly outbox: DestinationOutbox,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  async onSuccess(fn: FunctionConfig, event: QueuedEvent, result: Pick<InvokeResult, 'payload'>, invokeCount: number): Promise<void> {
    const target = fn.destinations.onSuccess;
    if (!target) return;
    await this.send(target, this.record(fn, event, 'Success', invokeCount, parsePayload(result.payload)), options(fn, event, 'ok'));
  }

  /**
   * An async event finally failed: the on-failure destination gets the invocation record and the
   * function's dead-letter queue the event itself (both, when both are set, as on Lambda).
   */
  async onFailure(fn: FunctionConfig, event: QueuedEvent, result: Pick<InvokeResult, 'error'> | undefined, invokeCount: number, reason: DlqReason): Promise<void> {
    const target = fn.destinations.onFailure;
    if (!target && !fn.deadLetterQueue) return;
    const condition = reason === 'EventAgeExceeded' ? 'EventAgeExceeded' : 'RetriesExhausted';
    const record = this.record(fn, event, condition, invokeCount, result?.error && lambdaErrorDocument(result.error));
    if (result?.error) record.responseContext.functionError = 'Unhandled';
    if (target) await this.send(target, record, options(fn, event, 'fail'));
    if (fn.deadLetterQueue) {
      const { id, traceparent, redrives } = options(fn, event, 'dead-letter');
      await this.outbox.add(id, { target: fn.deadLetterQueue, record, function: fn.name, traceparent, firstSeenAt: Date.now(), redrives: redrives ?? 0, deadLetter: true });
    }
  }

  /** Resolves once the record is durable in Redis (queued for a function, or in the outbox). */
  async send(spec: DestinationSpec, record: DestinationPayload, options: SendOptions): Promise<void> {
    const target = parseDestination(spec);
    if (typeof target === 'string') throw new HubError('TH_ERR_CONFIG_INVALID', `invalid destination: ${target}`);
    if (target.kind === 'dlq') return;
    if (target.kind === 'function') {
      const envelope = buildEnvelope({
        source: record.requestContext.functionArn,
        type: ENVELOPE_TYPES.destination,
        subject: record.requestContext.condition,
        // The record's invocation has a request id of its own, a UUID as on Lambda (stable for a re-send).
        id: stableUuid(options.id),
        data: record,
        // Same trace as the invocation the record is about, as a child span of it.
        traceparent: childTraceparent(options.traceparent),
      });
      await this.queues.enqueue(envelope, newDelivery(target.name, 'Event', {
        ...(options.traceparent ? { traceparent: options.traceparent } : {}),
        ...(target.qualifier ? { qualifier: target.qualifier } : {}),
      }));
      return;
    }
    await this.outbox.add(options.id, {
      target: spec, record, function: options.function, traceparent: options.traceparent, firstSeenAt: Date.now(), redrives: options.redrives ?? 0,
    });
  }

  private record(fn: FunctionConfig, event: QueuedEvent, condition: DestinationRecord['requestContext']['condition'], invokeCount: number, responsePayload: unknown): DestinationRecord {
    const qualifier = event.delivery.qualifier ?? LATEST;
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: event.envelope.id,
        functionArn: `${functionArn(this.region, this.accountId, fn.name)}:${qualifier}`,
        condition,
        approximateInvokeCount: invokeCount,
      },
      requestPayload: event.envelope.data,
      responseContext: { statusCode: 200, executedVersion: qualifier === LATEST ? LATEST : PUBLISHED_VERSION },
      responsePayload,
    };
  }
}

/** A stable id: a crash after sending and before completing re-sends the same id (dropped as a duplicate). */
function options(fn: FunctionConfig, event: QueuedEvent, outcome: 'ok' | 'fail' | 'dead-letter'): SendOptions {
  const { redrives, traceparent } = event.delivery;
  return { id: `${event.envelope.id}-${outcome}${redrives ? `-${redrives}` : ''}`, function: fn.name, traceparent, redrives };
}

function parsePayload(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}
