import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../scripts/build-console.js';
import { freePort } from '../src/ports.js';
import { hasChromium, launchBrowser, screenshot } from './helpers/browser.js';
import { encoder, startTestHub, tempDir, type TestHub } from './helpers/hub.js';
import { TestRedis } from './helpers/test-redis.js';

describe.skipIf(!hasChromium)('web console across a hub restart and a Redis outage', { timeout: 120_000 }, () => {
  const dir = tempDir('th-console-outage-');
  const queuePrefix = `t-${randomUUID().slice(0, 8)}`;
  let redis: TestRedis;
  let port: number;
  let hub: TestHub;
  let browser: BrowserContext;
  let page: Page;
  // The same hub again: same port, Redis and prefix, as after `triggerhub up` is restarted.
  const start = () => startTestHub({ redis: redis.url, queuePrefix, server: { port, host: '127.0.0.1' }, functions: { echo: { handler: 'echo.handler' } } });
  const invoke = async () => (await hub.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{}') }))).$metadata.requestId!;
  const linesOf = (requestId: string) => page.locator(`pre.log .log-line[data-request-id="${requestId}"]`);

  beforeAll(async () => {
    await buildConsole();
    redis = await TestRedis.create(dir);
    await redis.start();
    port = await freePort();
    hub = await start();
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await redis?.start().catch(() => undefined);
    await hub?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps following the log after the hub restarts, without showing the lines it had again', async () => {
    await page.goto(`${hub.url}/console#/functions/echo`);
    await page.getByRole('heading', { name: 'Live log' }).waitFor();
    await page.getByText('No log lines yet').waitFor();
    const first = await invoke();
    await linesOf(first).filter({ hasText: 'REPORT' }).waitFor({ timeout: 15_000 });
    const shown = await linesOf(first).count();
    await hub.stop();
    await page.locator('.live.off').waitFor();
    hub = await start();
    await page.locator('.live.on').waitFor({ timeout: 15_000 });
    const second = await invoke();
    await linesOf(second).filter({ hasText: 'REPORT' }).waitFor({ timeout: 15_000 });
    expect(await linesOf(first).count()).toBe(shown);
  });

  it('says when the hub refuses to follow the log (16 followers already), and follows once one goes', async () => {
    await page.goto(`${hub.url}/console#/`);
    const others = new AbortController();
    // 16 followers of other clients (the page's own one closes as it leaves the function page: until then the hub refuses a 16th).
    for (let open = 0; open < 16;) {
      const response = await fetch(`${hub.url}/console/api/functions/echo/logs/stream`, { signal: others.signal });
      if (response.status === 200) open += 1;
      else await response.body?.cancel();
    }
    await page.goto(`${hub.url}/console#/functions/echo`);
    await page.getByText('Not following new lines (16 log streams are open on this hub; close one and retry); trying again.').waitFor({ timeout: 15_000 });
    others.abort();
    await page.locator('[data-log-problem]').waitFor({ state: 'detached', timeout: 15_000 });
    const requestId = await invoke();
    await linesOf(requestId).filter({ hasText: 'REPORT' }).waitFor({ timeout: 15_000 });
  });

  it('says Redis is away instead of loading forever, and goes live again once it is back', async () => {
    const requestId = await invoke();
    await linesOf(requestId).filter({ hasText: 'REPORT' }).waitFor({ timeout: 15_000 });
    await redis.stop();
    // A new read of the log (narrowed to one invocation) while Redis is away: it says why and tries again.
    await page.getByLabel('Request id').fill(requestId);
    await page.keyboard.press('Enter');
    await page.getByText(/The log cannot be read right now \(Redis is unavailable/).waitFor({ timeout: 15_000 });
    await page.getByText(/The hub cannot read its data right now: Redis is unavailable/).waitFor({ timeout: 15_000 });
    await screenshot(page, 'function-redis-down', false);
    await redis.start();
    await linesOf(requestId).filter({ hasText: 'REPORT' }).waitFor({ timeout: 30_000 });
    await page.getByText(/The log cannot be read right now/).waitFor({ state: 'detached' });
    expect(await page.locator('pre.log .log-line').evaluateAll((lines, id) => lines.every((l) => l.getAttribute('data-request-id') === id), requestId)).toBe(true);
  });
});
