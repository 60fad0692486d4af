import { createHash, randomUUID } from 'node:crypto';
import { isoTime } from '../time.js';
import { newTraceparent, validTraceparent } from '../tracing.js';

/**
 * The one place envelopes are built: a CloudEvents 1.0 JSON object whose `data` is the event in
 * exactly the shape Lambda passes to the handler (S3Event, SNSEvent, SQSEvent, ...; for a direct
 * invoke, the raw payload).
 */
export interface Envelope<T = unknown> {
  specversion: '1.0';
  id: string;
  /** URI-reference of the producer, e.g. `triggerhub:invoke` or `arn:aws:s3:::bucket`. */
  source: string;
  /** Reverse-DNS event type, e.g. `aws.lambda.invoke`, `aws.s3`, `triggerhub.destination`. */
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /**
   * W3C trace context (CloudEvents Distributed Tracing extension): the trace this event belongs
   * to. buildEnvelope always sets it; older queued events may lack it.
   */
  traceparent?: string;
  data: T;
}

export type InvocationType = 'RequestResponse' | 'Event';

/** One try of an async invocation, as kept in delivery metadata and DLQ records. */
export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  durationMs: number;
  status: string;
  errorType?: string;
  errorMessage?: string;
  /** The error document's stack as the runtime sent it: `trace` (Node.js) or `stackTrace` (Python, hub errors). */
  trace?: string[];
  stackTrace?: string[];
  environmentId?: string;
  /** Which redrive round this attempt belongs to (0 = the original delivery). */
  redrive: number;
}

/** A payload changed by hand before a redrive (the console's edit), kept with the event. */
export interface PayloadEdit {
  at: string;
  /** The redrive round that carried the edited payload. */
  redrive: number;
  /** The payload (envelope `data`) before the edit. */
  previous: unknown;
}

/** Delivery metadata that travels beside the envelope (never inside `data`). */
export interface Delivery {
  function: string;
  invocationType: InvocationType;
  /** Epoch ms when the hub first accepted the event: the base of maximumEventAgeInSeconds. */
  firstSeenAt: number;
  attempts: AttemptRecord[];
  redrives: number;
  /** A copy of the envelope's `traceparent`, kept equal to it by EventQueues.enqueue. */
  traceparent?: string;
  /** The version or alias the caller invoked (`Qualifier`); absent for the unqualified function. */
  qualifier?: string;
  /** Hand edits of the payload before redrives, oldest first. */
  edits?: PayloadEdit[];
}

export interface QueuedEvent<T = unknown> {
  envelope: Envelope<T>;
  delivery: Delivery;
}

export interface EnvelopeInput<T> {
  source: string;
  type: string;
  data: T;
  subject?: string;
  id?: string;
  time?: Date;
  /** The incoming trace; a new one when it is missing or not a valid traceparent. */
  traceparent?: string;
}

export function buildEnvelope<T>(input: EnvelopeInput<T>): Envelope<T> {
  const envelope: Envelope<T> = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    time: isoTime(input.time?.getTime() ?? Date.now()),
    datacontenttype: 'application/json',
    traceparent: validTraceparent(input.traceparent) ?? newTraceparent(),
    data: input.data,
  };
  if (input.subject !== undefined) envelope.subject = input.subject;
  return envelope;
}

/** A UUID (version 4 form) derived from `seed`: the same seed, the same id. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The envelope id (the handler's request id) of one function's invocation for an upstream event
 * that several functions may get (an SNS message sent to each subscription): stable for a
 * redelivery to the same function, so it is not queued twice, and different per function, as
 * Lambda gives each invocation its own request id. DLQ records and destination record ids derive
 * from the envelope id: shared by two functions, one's record would replace or drop the other's.
 */
export function invocationId(upstreamId: string, fn: string): string {
  return stableUuid(`${fn}\0${upstreamId}`);
}

export function newDelivery(fn: string, invocationType: InvocationType, extra: Partial<Delivery> = {}): Delivery {
  return { function: fn, invocationType, firstSeenAt: Date.now(), attempts: [], redrives: 0, ...extra };
}

/** Envelope types the core produces. Sources add their own beside their adapters. */
export const ENVELOPE_TYPES = {
  invoke: 'aws.lambda.invoke',
  destination: 'aws.lambda.destination',
  /** A dead-letter queue message parked by the outbox (its data is the failure record it is made from). */
  deadLetter: 'aws.lambda.dead-letter',
} as const;
