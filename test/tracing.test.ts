import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logStreamKey } from '../src/logs/redis-sink.js';
import { readLogRange, type StoredLogEntry } from '../src/logs/reader.js';
import { recordTraceparent, toSqsRecord } from '../src/sources/sqs/records.js';
import {
  childTraceparent, handlerTrace, incomingTraceparent, newTraceparent, parseTraceparent, parseXRayHeader, toXRayHeader, TRACEPARENT as TRACEPARENT_PATTERN, validTraceparent,
} from '../src/tracing.js';
import { createQueue, REGION, startFauxqs, type Fauxqs } from './helpers/fauxqs.js';
import { readLines, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';
import { FIXTURES } from './helpers/paths.js';
import { SnsFixture } from './helpers/sns-fixture.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;
const XRAY = `Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${PARENT_ID};Sampled=1`;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:traced';

interface HandlerTrace { traceparent?: string; xray?: string; context?: string }
interface Call { trace: HandlerTrace; event: Record<string, unknown> }

describe('traceparent parsing and conversion', () => {
  it('accepts only version-00 traceparents with non-zero ids', () => {
    expect(parseTraceparent(TRACEPARENT)).toEqual({ traceId: TRACE_ID, parentId: PARENT_ID, flags: '01' });
    for (const bad of [
      undefined, '', 'garbage', `01-${TRACE_ID}-${PARENT_ID}-01`, `00-${'0'.repeat(32)}-${PARENT_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`, `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`, `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
    ]) expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    // Blanks around a value are dropped; a valid value comes back as the same string.
    expect(validTraceparent(` ${TRACEPARENT}\t`)).toBe(TRACEPARENT);
    expect(validTraceparent(TRACEPARENT)).toBe(TRACEPARENT);
    expect(validTraceparent(`00-${TRACE_ID}-${PARENT_ID}-0`)).toBeUndefined();
  });

  it('accepts exactly what the TRACEPARENT pattern matches (the parser checks it without the regex)', () => {
    const valid = `00-${TRACE_ID}-${PARENT_ID}-01`;
    const variants = new Set<string>([valid, ` ${valid}`, `${valid}\n`, `\t${valid} `, valid.slice(1), `${valid}0`, `0${valid}`]);
    // Every character position replaced by characters from each class the pattern tells apart.
    for (let i = 0; i < valid.length; i += 1) {
      for (const c of ['0', '9', 'a', 'f', 'g', 'A', 'F', '-', ' ', '/', ':', '`', 'é', '\n']) variants.add(valid.slice(0, i) + c + valid.slice(i + 1));
    }
    for (const value of variants) {
      const match = TRACEPARENT_PATTERN.exec(value.trim());
      const expected = match && match[1] !== '0'.repeat(32) && match[2] !== '0'.repeat(16) ? { traceId: match[1], parentId: match[2], flags: match[3] } : undefined;
      expect(parseTraceparent(value), JSON.stringify(value)).toEqual(expected);
    }
  });

  it('hands the handler the traceparent as it came, and the X-Ray form of either header form', () => {
    const valid = `00-${TRACE_ID}-${PARENT_ID}-01`;
    expect(handlerTrace(valid)).toEqual({ xray: XRAY, traceparent: valid });
    expect(handlerTrace(` ${valid} `)).toEqual({ xray: XRAY, traceparent: valid });
    expect(handlerTrace(XRAY)).toEqual({ xray: XRAY, traceparent: valid });
    expect(handlerTrace('not a trace')).toEqual({ xray: 'not a trace' });
  });

  it('converts to and from the X-Ray header form', () => {
    expect(toXRayHeader(TRACEPARENT)).toBe(XRAY);
    expect(toXRayHeader(`00-${TRACE_ID}-${PARENT_ID}-00`)).toBe(XRAY.replace('Sampled=1', 'Sampled=0'));
    expect(incomingTraceparent({ xray: XRAY })).toBe(TRACEPARENT);
    expect(incomingTraceparent({ xray: `Sampled=0; Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${PARENT_ID};Lineage=a:1` }))
      .toBe(`00-${TRACE_ID}-${PARENT_ID}-00`);
    // No Parent: the hub stands in as the parent span.
    expect(parseXRayHeader('Root=1-4bf92f35-77b34da6a3ce929d0e0e4736')).toMatchObject({ traceId: TRACE_ID, parentId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(parseXRayHeader('Root=1-abc')).toBeUndefined();
    expect(incomingTraceparent({ traceparent: 'garbage', xray: XRAY })).toBe(TRACEPARENT);
    expect(incomingTraceparent({ traceparent: 'garbage' })).toBeUndefined();
  });

  it('reads an SQS record\'s trace from its traceparent attribute, else its AWSTraceHeader', () => {
    // fauxqs does not set AWSTraceHeader, so the received message is built here as SQS returns it.
    const queue = { url: 'http://q', arn: 'arn:aws:sqs:us-east-1:000000000000:q', region: 'us-east-1', fifo: false, visibilityTimeoutSeconds: 30 };
    const xray = XRAY.replace('Sampled=1', 'Sampled=0');
    const withHeader = toSqsRecord({ MessageId: 'm1', Body: 'b', Attributes: { AWSTraceHeader: xray } }, queue);
    expect(withHeader.attributes.AWSTraceHeader).toBe(xray);
    expect(recordTraceparent(withHeader)).toBe(`00-${TRACE_ID}-${PARENT_ID}-00`);
    const both = toSqsRecord({
      MessageId: 'm2', Body: 'b', Attributes: { AWSTraceHeader: xray },
      MessageAttributes: { traceparent: { DataType: 'String', StringValue: `00-${'c'.repeat(32)}-${PARENT_ID}-01` } },
    }, queue);
    expect(recordTraceparent(both)).toBe(`00-${'c'.repeat(32)}-${PARENT_ID}-01`);
    expect(recordTraceparent(toSqsRecord({ MessageId: 'm3', Body: 'b' }, queue))).toBeUndefined();
  });

  it('generates sampled traces whose X-Ray root carries the epoch seconds, and child spans of a trace', () => {
    const generated = parseTraceparent(newTraceparent())!;
    expect(generated.flags).toBe('01');
    expect(Math.abs(Number.parseInt(generated.traceId.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(5);
    expect(newTraceparent()).not.toBe(newTraceparent());
    const child = parseTraceparent(childTraceparent(TRACEPARENT))!;
    expect(child.traceId).toBe(TRACE_ID);
    expect(child.parentId).not.toBe(PARENT_ID);
  });
});

describe('trace context from source to handler, logs and destinations', { timeout: 60_000 }, () => {
  const dir = tempDir('th-trace-');
  const calls = path.join(dir, 'calls.jsonl');
  const sinkCalls = path.join(dir, 'sink.jsonl');
  const sqsCalls = path.join(dir, 'sqs.jsonl');
  const snsCalls = path.join(dir, 'sns.jsonl');
  let hub: TestHub;
  let sqs: Fauxqs;
  let sns: SnsFixture;
  let queueUrl: string;

  beforeAll(async () => {
    [sqs, sns] = await Promise.all([startFauxqs(), SnsFixture.start()]);
    queueUrl = (await createQueue(sqs.client, 'traced')).url;
    const handler = 'trace.handler';
    hub = await startTestHub({
      functions: {
        traced: { handler, environment: { CALLS_FILE: calls }, destinations: { onSuccess: 'sink' } },
        sink: { handler, environment: { CALLS_FILE: sinkCalls } },
        fromSqs: { handler, environment: { CALLS_FILE: sqsCalls }, events: [{ sqs: { queue: queueUrl, endpoint: sqs.endpoint, region: REGION, batchSize: 1 } }] },
        fromSns: { handler, environment: { CALLS_FILE: snsCalls }, events: [{ sns: { topic: TOPIC, trustedCertHosts: [sns.host], allowHttp: true } }] },
        python: { handler: path.join(FIXTURES, 'pytrace.handler'), runtime: 'python3.12' },
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([sqs?.stop(), sns?.stop()]);
  });

  const viaUrl = async (fn: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${hub.url}/urls/${fn}`, { headers });
    expect(response.status).toBe(200);
    return { requestId: response.headers.get('x-amzn-requestid')!, trace: await response.json() as HandlerTrace };
  };
  const callWith = (file: string, match: (call: Call) => boolean, what: string) =>
    waitFor(() => readLines(file).map((line) => JSON.parse(line) as Call).find(match), 15_000, what);
  const traceIdOf = (traceparent: string | undefined) => parseTraceparent(traceparent)?.traceId;

  it('an HTTP traceparent reaches the handler (TRACEPARENT, _X_AMZN_TRACE_ID, context.traceparent) and every log entry', async () => {
    const { requestId, trace } = await viaUrl('traced', { traceparent: TRACEPARENT });
    expect(trace).toEqual({ traceparent: TRACEPARENT, xray: XRAY, context: TRACEPARENT });
    const lines = await waitFor(async () => {
      const found: StoredLogEntry[] = [];
      for await (const entry of readLogRange(hub.redis, logStreamKey(hub.config.queuePrefix, 'traced'), 'traced')) {
        if (entry.requestId === requestId) found.push(entry);
      }
      return found.some((entry) => entry.type === 'report') && found;
    }, 10_000, 'the log entries');
    expect(lines.map((entry) => entry.traceparent)).toEqual(lines.map(() => TRACEPARENT));
    expect(lines.find((entry) => entry.type === 'handler')?.line).toContain(`trace ${TRACEPARENT}`);
  });

  it('an async invocation keeps its trace through the envelope to the handler and to its function destination, as a child span', async () => {
    const traceparent = `00-${'a'.repeat(31)}1-${'b'.repeat(15)}2-01`;
    const response = await fetch(`${hub.url}/2015-03-31/functions/traced/invocations`, {
      method: 'POST', body: '{"async":true}', headers: { 'x-amz-invocation-type': 'Event', traceparent },
    });
    expect(response.status).toBe(202);
    const requestId = response.headers.get('x-amzn-requestid')!;
    const call = await callWith(calls, (c) => c.event.async === true, 'the async call');
    expect(call.trace.traceparent).toBe(traceparent);
    const destination = await callWith(sinkCalls, (c) => (c.event.requestContext as { requestId?: string } | undefined)?.requestId === requestId, 'the destination call');
    expect(traceIdOf(destination.trace.traceparent)).toBe(traceIdOf(traceparent));
    expect(destination.trace.traceparent).not.toBe(traceparent);
    expect(destination.trace.xray).toContain(`Root=1-${'a'.repeat(8)}-`);
  });

  it('generates a valid trace when none arrives, and replaces an invalid one', async () => {
    const none = await viaUrl('traced');
    const invalid = await viaUrl('traced', { traceparent: `00-${'0'.repeat(32)}-${PARENT_ID}-01` });
    for (const { trace } of [none, invalid]) {
      expect(parseTraceparent(trace.traceparent)).toBeDefined();
      expect(trace.xray).toBe(toXRayHeader(trace.traceparent!));
      expect(trace.context).toBe(trace.traceparent);
    }
    expect(traceIdOf(none.trace.traceparent)).not.toBe(traceIdOf(invalid.trace.traceparent));
  });

  it('converts an incoming X-Amzn-Trace-Id header', async () => {
    const { trace } = await viaUrl('traced', { 'x-amzn-trace-id': XRAY });
    expect(trace).toEqual({ traceparent: TRACEPARENT, xray: XRAY, context: TRACEPARENT });
  });

  it('takes an SQS message\'s traceparent attribute; the record keeps its attributes', async () => {
    await sqs.client.send(new SendMessageCommand({
      QueueUrl: queueUrl, MessageBody: 'with-attribute',
      MessageAttributes: { traceparent: { DataType: 'String', StringValue: TRACEPARENT } },
    }));
    const call = await callWith(sqsCalls, (c) => JSON.stringify(c.event).includes('with-attribute'), 'the SQS call');
    expect(call.trace).toEqual({ traceparent: TRACEPARENT, xray: XRAY, context: TRACEPARENT });
    expect(call.event).toMatchObject({ Records: [{ messageAttributes: { traceparent: { stringValue: TRACEPARENT, dataType: 'String' } } }] });
  });

  it('takes an SNS notification\'s traceparent message attribute', async () => {
    const message = sns.notification({ topicArn: TOPIC, message: 'traced', attributes: { traceparent: { Type: 'String', Value: TRACEPARENT } } });
    expect((await sns.post(`${hub.url}/sns/fromSns`, message)).status).toBe(200);
    const call = await callWith(snsCalls, (c) => JSON.stringify(c.event).includes(message.MessageId), 'the SNS call');
    expect(call.trace).toEqual({ traceparent: TRACEPARENT, xray: XRAY, context: TRACEPARENT });
  });

  it('gives Python handlers TRACEPARENT, _X_AMZN_TRACE_ID and context.traceparent', async () => {
    const response = await fetch(`${hub.url}/2015-03-31/functions/python/invocations`, { method: 'POST', body: '{}', headers: { traceparent: TRACEPARENT } });
    expect(await response.json()).toEqual({ traceparent: TRACEPARENT, xray: XRAY, context: TRACEPARENT });
  });
});
