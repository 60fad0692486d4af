import { DLQ_DESTINATION, type FunctionConfig } from '../config/load.js';
import type { DlqReason } from '../dlq/store.js';
import type { InvokeResult } from '../runtime/types.js';
import { functionArn } from '../arn.js';
import { buildEnvelope, ENVELOPE_TYPES, newDelivery, type QueuedEvent } from './envelope.js';
import type { EventQueues } from './queues.js';

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

/**
 * Sends on-success and on-failure records. For now a destination is another function (queued
 * asynchronously, so it gets retries and a DLQ of its own) or `dlq` (the record is already in the
 * DLQ, nothing more to do).
 */
export class DestinationSender {
  constructor(
    private readonly queues: EventQueues,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  async onSuccess(fn: FunctionConfig, event: QueuedEvent, result: InvokeResult, invokeCount: number): Promise<void> {
    const target = fn.destinations.onSuccess;
    if (!target || target === DLQ_DESTINATION) return;
    await this.send(target, this.record(fn, event, 'Success', invokeCount, parseJson(result.payload)), event.delivery.redrives);
  }

  async onFailure(fn: FunctionConfig, event: QueuedEvent, result: InvokeResult | undefined, invokeCount: number, reason: DlqReason): Promise<void> {
    const target = fn.destinations.onFailure;
    if (!target || target === DLQ_DESTINATION) return;
    const condition = reason === 'EventAgeExceeded' ? 'EventAgeExceeded' : 'RetriesExhausted';
    const record = this.record(fn, event, condition, invokeCount, result?.error);
    if (result?.error) record.responseContext.functionError = 'Unhandled';
    await this.send(target, record, event.delivery.redrives);
  }

  private record(fn: FunctionConfig, event: QueuedEvent, condition: DestinationRecord['requestContext']['condition'], invokeCount: number, responsePayload: unknown): DestinationRecord {
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: event.envelope.id,
        functionArn: `${functionArn(this.region, this.accountId, fn.name)}:$LATEST`,
        condition,
        approximateInvokeCount: invokeCount,
      },
      requestPayload: event.envelope.data,
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload,
    };
  }

  private async send(target: string, record: DestinationRecord, redrives: number): Promise<void> {
    const envelope = buildEnvelope({
      source: record.requestContext.functionArn,
      type: ENVELOPE_TYPES.destination,
      subject: record.requestContext.condition,
      // A stable id: a crash after sending and before completing re-sends the same job id.
      id: `${record.requestContext.requestId}-${record.requestContext.condition === 'Success' ? 'ok' : 'fail'}${redrives ? `-${redrives}` : ''}`,
      data: record,
    });
    await this.queues.enqueue(envelope, newDelivery(target, 'Event'));
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
