import { InvokeCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encoder, startTestHub, waitFor, type TestHub } from './helpers/hub.js';

/** One sample's value from Prometheus text, e.g. metric('triggerhub_invocations_total{function="echo",status="success"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics and /readyz', () => {
  let hub: TestHub;
  const scrape = async () => (await fetch(`${hub.url}/metrics`)).text();

  beforeAll(async () => {
    hub = await startTestHub({
      functions: {
        echo: { handler: 'echo.handler' },
        fail: { handler: 'fail.handler', maximumRetryAttempts: 0 },
        closed: { handler: 'echo.handler', reservedConcurrency: 0 },
        sleeper: { handler: 'sleeper.handler' },
      },
    });
  });
  afterAll(async () => hub?.stop());

  it('counts invocations, errors, throttles and durations after a known workload', async () => {
    for (let i = 0; i < 3; i += 1) await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{}') }));
    await hub.lambda.send(new InvokeCommand({ FunctionName: 'fail', Payload: encoder.encode('{}') }));
    await hub.lambda.send(new InvokeCommand({ FunctionName: 'fail', InvocationType: 'Event', Payload: encoder.encode('{}') }));
    const throttled = await hub.lambda.send(new InvokeCommand({ FunctionName: 'closed', Payload: encoder.encode('{}') })).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    await waitFor(async () => (await hub.dlq.count()) === 1, 10_000, 'the async failure in the DLQ');

    const text = await scrape();
    expect(sample(text, 'triggerhub_invocations_total{function="echo",status="success"}')).toBe(3);
    expect(sample(text, 'triggerhub_invocations_total{function="fail",status="error"}')).toBe(2);
    expect(sample(text, 'triggerhub_errors_total{function="fail",error_type="BoomError"}')).toBe(2);
    expect(sample(text, 'triggerhub_throttles_total{function="closed",invocation_type="RequestResponse"}')).toBe(1);
    expect(sample(text, 'triggerhub_duration_seconds_count{function="echo"}')).toBe(3);
    expect(sample(text, 'triggerhub_concurrent_executions{function="echo"}')).toBe(0);
    expect(sample(text, 'triggerhub_dlq_records')).toBe(1);
    expect(sample(text, 'triggerhub_queue_depth{function="echo"}')).toBe(0);
    expect(text).toContain('triggerhub_process_resident_memory_bytes');
  });

  it('counts an invocation as a concurrent execution while it runs, and not after', async () => {
    const running = hub.lambda.send(new InvokeCommand({ FunctionName: 'sleeper', Payload: encoder.encode('{"ms":1500}') }));
    await waitFor(async () => sample(await scrape(), 'triggerhub_concurrent_executions{function="sleeper"}') === 1, 10_000, 'the running invocation counted');
    await running;
    expect(sample(await scrape(), 'triggerhub_concurrent_executions{function="sleeper"}')).toBe(0);
  });

  it('reports readiness once sources are started and Redis answers', async () => {
    const response = await fetch(`${hub.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});
