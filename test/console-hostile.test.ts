import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../scripts/build-console.js';
import type { DlqRecord } from '../src/dlq/store.js';
import { hasChromium, launchBrowser, screenshot } from './helpers/browser.js';
import { startTestHub, tempDir, type TestHub } from './helpers/hub.js';
import { TestRedis } from './helpers/test-redis.js';

/** As long as a Lambda function name may be (64 characters). */
const LONG_NAME = `long-${'x'.repeat(59)}`;

/** A dead letter of `fail` with `data` as its payload. */
function deadLetter(id: string, data: unknown = { n: 1 }): DlqRecord {
  const failedAt = new Date().toISOString();
  return {
    id, function: 'fail', source: 'triggerhub:invoke', reason: 'RetriesExhausted', failedAt,
    envelope: { specversion: '1.0', id, source: 'triggerhub:invoke', type: 'aws.lambda.invoke', time: failedAt, datacontenttype: 'application/json', data },
    delivery: { invocationType: 'Event', firstSeenAt: Date.now(), redrives: 0 },
    attempts: [{ attempt: 1, startedAt: failedAt, durationMs: 1, status: 'error', errorType: 'BoomError', errorMessage: 'boom', redrive: 0 }],
  };
}

/** The status of a GET with these headers (fetch does not send a Host header of its own). */
function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => { response.resume(); resolve(response.statusCode!); }).on('error', reject);
  });
}

/** A page of another origin (the hub is 127.0.0.1, this is localhost on another port): what any site the user opens could send. */
function otherSite(hubUrl: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><title>elsewhere</title><script>
    const hub = ${JSON.stringify(hubUrl)};
    const send = (path, body) => fetch(hub + path, { method: 'POST', mode: 'no-cors', body }).then(() => 'sent', (err) => err.message);
    Promise.all([
      send('/admin/dlq/purge', '{"all":true}'),
      send('/console/api/dlq/victim/redrive', '{"payload":{"forged":true}}'),
      send('/2015-03-31/functions/fail/invocations', '{"forged":true}'),
    ]).then((outcomes) => { document.title = 'done'; document.body.textContent = outcomes.join(','); });
  </script>`;
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(html));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://localhost:${(server.address() as AddressInfo).port}/` })));
}

describe.skipIf(!hasChromium)('web console against hostile pages and names', { timeout: 120_000 }, () => {
  const dir = tempDir('th-console-hostile-');
  const calls = path.join(dir, 'calls');
  let hub: TestHub;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await buildConsole();
    hub = await startTestHub({
      functions: {
        fail: { handler: 'fail.handler', maximumRetryAttempts: 0, environment: { CALLS_FILE: calls } },
        toString: { handler: 'echo.handler' },
        constructor: { handler: 'echo.handler' },
        [LONG_NAME]: { handler: 'echo.handler', events: [{ schedule: { expression: 'rate(1 hour)' } }] },
      },
    });
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a page of another origin that posts a purge, a redrive or an invoke (no token set); the console itself still acts', async () => {
    await hub.dlq.add(deadLetter('victim'));
    const elsewhere = await otherSite(hub.url);
    try {
      await page.goto(elsewhere.url);
      await page.waitForFunction(() => document.title === 'done');
      expect(await page.textContent('body')).toBe('sent,sent,sent');
    } finally {
      elsewhere.server.close();
    }
    // Every request reached the hub (an Invoke answered synchronously is awaited by the page): none acted.
    expect((await hub.dlq.list()).map((r) => r.id)).toEqual(['victim']);
    expect((await hub.dlq.get('victim')).delivery.redrives).toBe(0);
    expect(existsSync(calls) ? readFileSync(calls, 'utf8') : '').toBe('');
    // The answer says why, in each API's own shape.
    const forged = await fetch(`${hub.url}/admin/dlq/purge`, { method: 'POST', headers: { origin: 'http://elsewhere.example' }, body: '{"all":true}' });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'TH_ERR_CROSS_SITE_REQUEST', message: expect.stringContaining('a page of another origin (Origin: http://elsewhere.example)') });
    const invoke = await fetch(`${hub.url}/2015-03-31/functions/fail/invocations`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' }, body: '{}' });
    expect([invoke.status, invoke.headers.get('x-amzn-errortype')]).toEqual([403, 'AccessDeniedException']);
    // A page whose DNS name was rebound to 127.0.0.1 is same-origin with itself: it names the hub by that name.
    expect(await statusOf(`${hub.url}/console/api/overview`, { host: `rebound.example:${new URL(hub.url).port}`, 'sec-fetch-site': 'same-origin' })).toBe(403);
    expect(await statusOf(`${hub.url}/console/api/overview`, { host: `localhost:${new URL(hub.url).port}`, 'sec-fetch-site': 'same-origin' })).toBe(200);
    // Behind a reverse proxy that rewrites Host, the browser's own same-origin verdict is taken (Origin is the proxy's name).
    expect(await statusOf(`${hub.url}/console/api/overview`, { origin: 'https://hub.example.com', 'sec-fetch-site': 'same-origin' })).toBe(200);
    // Without Sec-Fetch-Site (an older browser), Origin is compared with Host.
    expect(await statusOf(`${hub.url}/console/api/overview`, { origin: 'https://hub.example.com' })).toBe(403);
    // Clients that are not browsers (the CLI, the AWS SDK, curl) send neither header and are served.
    expect((await fetch(`${hub.url}/console/api/session`)).status).toBe(200);
    // The console's own requests are same-origin: its purge goes through.
    await page.goto(`${hub.url}/console#/dlq`);
    await page.locator('tr[data-record="victim"]').waitFor();
    await page.getByRole('button', { name: 'Purge all 1 matching' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Purge for good' }).click();
    await page.getByText('Purged: 1').waitFor();
    expect(await hub.dlq.count()).toBe(0);
  });

  it('shows functions named toString and constructor with their own figures, not Object.prototype members', async () => {
    await page.goto(`${hub.url}/console#/`);
    for (const name of ['toString', 'constructor']) {
      const concurrency = page.locator(`tr[data-function="${name}"] td[data-label="Concurrency"]`);
      await concurrency.waitFor();
      expect(await concurrency.textContent()).toBe('0 / –');
    }
    await screenshot(page, 'hostile-prototype-names', false);
  });

  it('refuses an edited payload over the 1 MB an async event may hold, and keeps the record', async () => {
    await hub.dlq.add(deadLetter('edited'));
    const payload = { pad: 'x'.repeat(1024 * 1024) };
    const response = await fetch(`${hub.url}/console/api/dlq/edited/redrive`, { method: 'POST', body: JSON.stringify({ payload }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'TH_ERR_REQUEST_TOO_LARGE', message: expect.stringMatching(/^payload: 1048586 bytes is too large .*limit 1048576 bytes/) });
    expect((await hub.dlq.get('edited')).envelope.data).toEqual({ n: 1 });
    // A body past the server's limit is named as the API's body, not as Lambda's InvokeFunction operation.
    for (const url of [`${hub.url}/console/api/dlq/edited/redrive`, `${hub.url}/admin/dlq/purge`]) {
      const huge = await fetch(url, { method: 'POST', body: 'x'.repeat(6 * 1024 * 1024 + 2) });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toEqual({ error: 'TH_ERR_REQUEST_TOO_LARGE', message: 'body: larger than the 6291456 bytes the hub takes in a request' });
    }
    await hub.dlq.purge({});
  });
  it('says a record redriven or purged elsewhere (the CLI) after the page loaded it is gone, instead of "Redriven: 0" beside the record', async () => {
    for (const [id, act] of [['gone-redrive', 'Redrive'], ['gone-purge', 'Purge'], ['gone-edit', 'Edit']] as const) {
      await hub.dlq.add(deadLetter(id));
      await page.goto(`${hub.url}/console#/dlq/${id}`);
      await page.getByRole('heading', { name: 'Attempts (1)' }).waitFor();
      await hub.dlq.remove(id);
      if (act === 'Edit') {
        await page.getByRole('button', { name: 'Edit the payload, then redrive…' }).click();
        await page.getByRole('button', { name: 'Redrive edited' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Redrive edited' }).click();
      } else {
        await page.getByRole('button', { name: `${act} this record` }).click();
        await page.getByRole('dialog').getByRole('button', { name: act === 'Redrive' ? 'Redrive' : 'Purge for good' }).click();
      }
      await page.locator('[data-gone]').waitFor();
      expect(await page.locator('[data-gone]').textContent(), id).toContain('no longer in the dead-letter queue');
      expect(await page.getByRole('button', { name: 'Redrive this record' }).count(), id).toBe(0);
      expect(await page.getByText(/Redriven: 0|Purged: 0/).count(), id).toBe(0);
    }
    await screenshot(page, 'hostile-gone-record', false);
  });
  it('fits a phone-width window on every page, with a 64-character function name', async () => {
    await hub.dlq.add({ ...deadLetter('narrow'), function: LONG_NAME });
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      const overflowing: string[] = [];
      for (const [hash, ready] of [['#/', `tr[data-function="${LONG_NAME}"]`], [`#/functions/${LONG_NAME}`, 'pre.log'], ['#/flow', 'svg'], ['#/sources', 'tr[data-source]'], ['#/dlq', 'tr[data-record="narrow"]'], ['#/dlq/narrow', 'table.attempts']]) {
        await page.goto(`${hub.url}/console${hash}`);
        await page.locator(ready).first().waitFor();
        if (await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)) overflowing.push(hash);
      }
      await page.goto(`${hub.url}/console#/dlq`);
      await page.locator('tr[data-record="narrow"]').waitFor();
      await screenshot(page, 'hostile-dlq-narrow', false);
      expect(overflowing).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
      await hub.dlq.purge({});
    }
  });
  it('keeps a long function name inside its box on the live flow, the whole name as its title', async () => {
    await page.goto(`${hub.url}/console#/flow`);
    const node = page.locator(`[data-node="fn:${LONG_NAME}"]`);
    const box = (await node.locator('rect').boundingBox())!;
    const label = (await node.locator('text.label').boundingBox())!;
    // Just right of the box, on the label's line: the page, not the label's overflowing letters.
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.getAttribute('class') ?? null, [box.x + box.width + 4, label.y + label.height / 2]);
    expect(hit).not.toBe('label');
    expect(await node.locator('title').textContent()).toBe(LONG_NAME);
    await screenshot(page, 'hostile-flow-long-name', false);
  });
  it('shows a right-to-left override in payloads, envelopes and invoke results as its escape, and the payload editor keeps the value', async () => {
    const data = { file: 'invoice\u202Egnp.exe' };
    const record = deadLetter('bidi-payload', data);
    await hub.dlq.add({ ...record, attempts: [{ ...record.attempts[0], stackTrace: 'at one\nat invoice\u202Egnp.exe' } as unknown as DlqRecord['attempts'][number]] });
    await page.goto(`${hub.url}/console#/dlq/bidi-payload`);
    const envelope = page.locator('pre.code').last();
    await envelope.waitFor();
    expect(await envelope.textContent()).toContain('invoice\\u202egnp.exe');
    expect(await envelope.textContent()).not.toContain('\u202E');
    expect(await page.locator('table.attempts pre.code').textContent()).toBe('at one\nat invoice\\u202egnp.exe');
    await page.getByRole('button', { name: 'Edit the payload, then redrive…' }).click();
    expect(JSON.parse(await page.getByLabel(/Payload to redrive/).inputValue())).toEqual(data);
    await page.goto(`${hub.url}/console#/functions/toString`);
    await page.getByLabel('Event (JSON)').fill(JSON.stringify(data));
    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = page.locator('pre.result');
    await result.waitFor();
    expect(await result.textContent()).toContain('invoice\\u202egnp.exe');
    expect(await result.textContent()).not.toContain('\u202E');
    // An error type a handler chose, in the recent invocations of its function.
    await fetch(`${hub.url}/2015-03-31/functions/fail/invocations`, { method: 'POST', body: JSON.stringify({ errorType: 'Bad\u202EError' }) });
    await page.goto(`${hub.url}/console#/functions/fail`);
    await expect.poll(() => page.locator('table.recent').textContent(), { timeout: 15_000 }).toContain('Bad\\u202eError');
    await hub.dlq.purge({});
  });
});

describe('console overview over a large dead-letter queue', { timeout: 60_000 }, () => {
  const dir = tempDir('th-console-big-dlq-');
  let redis: TestRedis;
  let hub: TestHub;
  beforeAll(async () => {
    // A Redis of its own: the bytes it sends are the overview's, not other test files'.
    redis = await TestRedis.create(dir, false);
    await redis.start();
    hub = await startTestHub({ redis: redis.url, functions: { fail: { handler: 'fail.handler' }, echo: { handler: 'echo.handler' } } });
  });
  afterAll(async () => {
    await hub?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts and lists dead letters without reading their payloads (40 records of 500 KB each; the overview counts every 2 s)', async () => {
    for (let i = 0; i < 40; i += 1) await hub.dlq.add(deadLetter(`big-${i}`, { pad: 'p'.repeat(500_000) }));
    // A record an older hub wrote (no id → function index): counted too, read once.
    const old = deadLetter('older', { n: 1 });
    await hub.redis.multi().hset(`${hub.config.queuePrefix}:dlq:records`, old.id, JSON.stringify({ ...old, function: 'echo' }))
      .zadd(`${hub.config.queuePrefix}:dlq:by-time`, Date.now(), old.id).exec();
    await fetch(`${hub.url}/console/api/overview`);
    const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await hub.redis.info('stats'))![1]);
    const before = await sent();
    const overview = await (await fetch(`${hub.url}/console/api/overview`)).json() as { functions: Array<{ function: string; dlqRecords: number }> };
    expect(overview.functions.map((f) => [f.function, f.dlqRecords])).toEqual([['fail', 40], ['echo', 1]]);
    // It read 20 MB of records each time before (and the console asks every 2 s while open).
    expect(await sent() - before).toBeLessThan(1_000_000);
    // So did the dead-letter page's list (its rows and how many match).
    const listed = await sent();
    const list = await (await fetch(`${hub.url}/console/api/dlq?limit=2`)).json() as { records: Array<{ id: string; function: string; lastError: string }>; total: number };
    expect(await sent() - listed).toBeLessThan(1_000_000);
    expect(list.total).toBe(41);
    expect(list.records.map((r) => [r.id, r.function, r.lastError])).toEqual([['older', 'echo', 'BoomError: boom'], ['big-39', 'fail', 'BoomError: boom']]);
    expect((await (await fetch(`${hub.url}/console/api/dlq?function=echo`)).json() as { total: number }).total).toBe(1);
    await hub.dlq.remove('big-0');
    const claim = await hub.dlq.claim('older');
    await hub.dlq.removeClaimed(claim);
    const after = await (await fetch(`${hub.url}/console/api/overview`)).json() as { functions: Array<{ function: string; dlqRecords: number }> };
    expect(after.functions.map((f) => [f.function, f.dlqRecords])).toEqual([['fail', 39], ['echo', 0]]);
    // A purge finds what it removes by the rows too (it read every matching record, payloads included, at once).
    const purging = await sent();
    const purged = await fetch(`${hub.url}/admin/dlq/purge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filter: { function: 'fail' } }) });
    expect([purged.status, await purged.json()]).toEqual([200, { purged: 39 }]);
    expect(await sent() - purging).toBeLessThan(1_000_000);
    expect(await hub.dlq.count()).toBe(0);
  });
});
