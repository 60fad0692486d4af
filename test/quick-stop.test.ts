import { afterEach, expect, it } from 'vitest';
import { startTestHub } from './helpers/hub.js';

const unhandled: unknown[] = [];
const record = (reason: unknown) => { unhandled.push(reason); };
afterEach(() => { process.off('unhandledRejection', record); });

it('a hub stopped right after it started leaves no unhandled rejection behind (BullMQ connections still initialising)', async () => {
  process.on('unhandledRejection', record);
  for (let i = 0; i < 20; i++) {
    const hub = await startTestHub({ functions: { f: { handler: 'noop.handler' }, g: { handler: 'noop.handler' } } });
    await hub.stop();
  }
  // Rejections of commands cut off by the stop surface on the next turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(unhandled.map((reason) => (reason as Error).message)).toEqual([]);
}, 60_000);
