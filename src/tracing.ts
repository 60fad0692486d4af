import { randomBytes } from 'node:crypto';

/**
 * W3C Trace Context (`traceparent`) for events: taken from what arrives (a `traceparent`, else an
 * `X-Amzn-Trace-Id` converted), generated when nothing valid arrives, carried on the envelope as
 * the CloudEvents Distributed Tracing extension, and shown to handlers in both forms. Bad input
 * is never an error: it is replaced by a new trace.
 */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: the span that caused this event. */
  parentId: string;
  /** 2 hex digits; bit 0 is "sampled". */
  flags: string;
}

/** What parseTraceparent accepts (before its all-zero checks); it checks this without the regex. */
export const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const PARENT_ID = /^[0-9a-f]{16}$/;
const ALL_ZERO = /^0+$/;

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);
/** The length of a version-00 traceparent. */
const TRACEPARENT_LENGTH = 55;

/**
 * A valid version-00 traceparent, or undefined (anything else: absent, malformed, all-zero ids).
 * The TRACEPARENT pattern checked character by character: parsed two or three times per event,
 * where the regular expression and its match array cost a few hundred nanoseconds.
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.length === TRACEPARENT_LENGTH ? value : value.trim();
  if (text.length !== TRACEPARENT_LENGTH || !text.startsWith('00-') || text[35] !== '-' || text[52] !== '-'
    || !lowerHex(text, 3, 35) || !lowerHex(text, 36, 52) || !lowerHex(text, 53, 55)) return undefined;
  const traceId = text.slice(3, 35);
  const parentId = text.slice(36, 52);
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  return { traceId, parentId, flags: text.slice(53, 55) };
}

/** Whether text[from, to) is all lower-case hex digits. */
function lowerHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>` (fields in any order, others ignored).
 * Without a Parent the hub stands in as the parent span (a new id); `Sampled=?` or none is 0.
 */
export function parseXRayHeader(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const fields = new Map(value.split(';').map((part) => {
    const [key, ...rest] = part.trim().split('=');
    return [key, rest.join('=')] as const;
  }));
  const root = XRAY_ROOT.exec(fields.get('Root') ?? '');
  if (!root || ALL_ZERO.test(root[1] + root[2])) return undefined;
  const parent = fields.get('Parent');
  return {
    traceId: root[1] + root[2],
    parentId: parent && PARENT_ID.test(parent) && !ALL_ZERO.test(parent) ? parent : spanId(),
    flags: fields.get('Sampled') === '1' ? '01' : '00',
  };
}

export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.parentId}-${trace.flags}`;
}

/** The value itself when it is a valid traceparent (trimmed), else undefined. */
export function validTraceparent(value: unknown): string | undefined {
  const trace = parseTraceparent(value);
  return trace && canonical(value as string, trace);
}

/** A parsed traceparent's text: the value itself when it had no blanks around it (no new string). */
function canonical(value: string, trace: TraceContext): string {
  return value.length === TRACEPARENT_LENGTH ? value : formatTraceparent(trace);
}

/**
 * A new sampled trace. Its first 8 hex digits are the epoch seconds, so its X-Ray form is a
 * trace id X-Ray accepts.
 */
export function newTraceparent(): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0').slice(-8);
  return formatTraceparent({ traceId: seconds + randomHex(12), parentId: spanId(), flags: '01' });
}

/** The same trace with a new parent id: what a record the hub sends on behalf of `traceparent` carries. */
export function childTraceparent(traceparent: string | undefined): string {
  const trace = parseTraceparent(traceparent);
  return trace ? formatTraceparent({ ...trace, parentId: spanId() }) : newTraceparent();
}

/** What arrived with an event: a valid `traceparent`, else an `X-Amzn-Trace-Id` converted; else undefined. */
export function incomingTraceparent(sources: { traceparent?: unknown; xray?: unknown }): string | undefined {
  const trace = parseTraceparent(sources.traceparent) ?? parseXRayHeader(sources.xray);
  return trace && formatTraceparent(trace);
}

/** `traceparent` and `x-amzn-trace-id` of an HTTP request (Node's lower-cased headers). */
export function traceFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return incomingTraceparent({ traceparent: first(headers.traceparent), xray: first(headers['x-amzn-trace-id']) });
}

/** The X-Ray form Lambda puts in `_X_AMZN_TRACE_ID` and `Lambda-Runtime-Trace-Id`. */
export function toXRayHeader(traceparent: string): string | undefined {
  const trace = parseTraceparent(traceparent);
  return trace && xrayOf(trace);
}

function xrayOf(trace: TraceContext): string {
  const sampled = Number.parseInt(trace.flags, 16) & 1;
  return `Root=1-${trace.traceId.slice(0, 8)}-${trace.traceId.slice(8)};Parent=${trace.parentId};Sampled=${sampled}`;
}

/**
 * What a handler sees for an invocation's trace: the X-Ray form and the W3C value. A value that
 * is neither (a caller of the runtime that passed its own string) is passed on unchanged as the
 * X-Ray header.
 */
export function handlerTrace(value: string | undefined): { xray?: string; traceparent?: string } {
  if (value === undefined) return {};
  const w3c = parseTraceparent(value);
  if (w3c) return { xray: xrayOf(w3c), traceparent: canonical(value, w3c) };
  const trace = parseXRayHeader(value);
  return trace ? { xray: xrayOf(trace), traceparent: formatTraceparent(trace) } : { xray: value };
}

function spanId(): string {
  for (;;) {
    const id = randomHex(8);
    if (!ALL_ZERO.test(id)) return id;
  }
}

/** Random bytes come from a pool refilled 4 KiB at a time (as crypto.randomUUID does): every event needs 20. */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}
