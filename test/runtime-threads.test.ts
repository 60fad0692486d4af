import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { decoder, encoder, startTestHub, tempDir, waitFor, type TestHub } from './helpers/hub.js';

/**
 * `runtime.isolation: thread` in a whole hub: real handler code (Powertools Logger under Middy)
 * in worker threads, environments of different functions kept apart, a function that keeps
 * `isolation: process`, and a worker in a busy loop beside the hub's event loop.
 */
describe('thread isolation in a hub', () => {
  let hub: TestHub;
  const dir = tempDir('th-threads-');

  beforeAll(async () => {
    const logged = (service: string, who: string) => ({
      handler: 'powertools-middy.handler', environment: { POWERTOOLS_SERVICE_NAME: service, WHO: who },
    });
    hub = await startTestHub({
      runtime: { isolation: 'thread' },
      dataDir: dir,
      functions: {
        typed: { handler: '../handlers/typed.handler' },
        orders: logged('orders', 'a'),
        billing: logged('billing', 'b'),
        separate: { ...logged('separate', 'c'), isolation: 'process' },
        spinner: { handler: 'powertools-middy.spin', timeout: 2 },
      },
    });
  });
  afterAll(async () => hub?.stop());

  const invoke = async (name: string, payload: unknown = {}) => {
    const out = await hub.lambda.send(new InvokeCommand({ FunctionName: name, Payload: encoder.encode(JSON.stringify(payload)), LogType: 'Tail' }));
    return { out, body: JSON.parse(decoder.decode(out.Payload)), logs: Buffer.from(out.LogResult ?? '', 'base64').toString() };
  };

  it('runs a Powertools Logger + Middy handler in a worker, its structured lines in the invocation log', async () => {
    const { out, body, logs } = await invoke('orders', { orderId: 'o-1' });
    expect(out.FunctionError).toBeUndefined();
    expect(body).toMatchObject({ functionName: 'orders', service: 'orders', isMainThread: false, pid: process.pid });
    const line = logs.split('\n').find((text) => text.includes('order received'));
    expect(JSON.parse(line!)).toMatchObject({
      level: 'INFO', message: 'order received', service: 'orders', orderId: 'o-1',
      function_name: 'orders', function_memory_size: '128', cold_start: true,
      function_request_id: out.$metadata.requestId,
    });
    expect(logs).toMatch(/^REPORT RequestId: .*\tInit Duration: /m);
  });

  it('gives each function\'s workers their own process.env', async () => {
    const [orders, billing] = await Promise.all([invoke('orders'), invoke('billing')]);
    expect(orders.body).toMatchObject({ functionName: 'orders', who: 'a', service: 'orders' });
    expect(billing.body).toMatchObject({ functionName: 'billing', who: 'b', service: 'billing' });
    expect(orders.body.threadId).not.toBe(billing.body.threadId);
    // A write to process.env stays in its worker: the same environment sees it again, the other function never.
    const again = await invoke('billing');
    expect(again.body.seen).toBe('billing');
    expect((await invoke('orders')).body.seen).toBe('orders');
    expect(process.env.TH_WRITTEN_BY).toBeUndefined();
  });

  it('runs a TypeScript handler from its compiled build in a worker', async () => {
    const { out, body } = await invoke('typed', { name: 'ts' });
    expect(out.FunctionError).toBeUndefined();
    expect(body).toEqual({ message: 'hello ts from typed', invocations: 1 });
  });

  it('runs a function with isolation: process in its own process beside the threads', async () => {
    const { body } = await invoke('separate');
    expect(body).toMatchObject({ functionName: 'separate', who: 'c', isMainThread: true });
    expect(body.pid).not.toBe(process.pid);
  });

  it('serves other functions while a worker spins in a synchronous loop, then times the spinner out', async () => {
    await invoke('billing'); // warm: the invocation made during the spin needs no cold start
    let spinnerDone = false;
    const flag = path.join(dir, 'spinning');
    const spinning = invoke('spinner', { flag }).finally(() => { spinnerDone = true; });
    await waitFor(() => existsSync(flag), 10_000, 'the spinner to start');
    const served = await invoke('billing', { orderId: 'during-spin' });
    expect(served.out.FunctionError).toBeUndefined();
    expect(spinnerDone).toBe(false);
    const spun = await spinning;
    expect(spun.out.FunctionError).toBe('Unhandled');
    expect(spun.body).toMatchObject({ errorType: 'Sandbox.Timedout' });
  });
});
